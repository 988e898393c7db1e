import { z } from 'zod';

/** A TCP port number from env, with a default. */
export const port = (fallback: number) => z.coerce.number().int().min(0).max(65535).default(fallback);

/** A boolean from env: true/false/1/0/yes/no. */
export const bool = (fallback: boolean) =>
  z
    .enum(['true', 'false', '1', '0', 'yes', 'no'])
    .default(fallback ? 'true' : 'false')
    .transform((v) => v === 'true' || v === '1' || v === 'yes');

/** A comma-separated list from env. */
export const list = (fallback: string[] = []) =>
  z
    .string()
    .default(fallback.join(','))
    .transform((v) =>
      v
        .split(',')
        .map((s) => s.trim())
        .filter(Boolean),
    );

/** A positive integer from env, with a default. */
export const positiveInt = (fallback: number) => z.coerce.number().int().positive().default(fallback);

/** An http(s) URL from env, with a default. */
export const httpUrl = (fallback: string) =>
  z
    .string()
    .default(fallback)
    .refine((v) => /^https?:\/\//.test(v) && URL.canParse(v), 'must be an http(s) URL');
