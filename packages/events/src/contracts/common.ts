import { z } from 'zod';

/** Money as everywhere in little-ecom: an integer amount in minor units and an ISO 4217 code. */
export const money = z.object({ amount: z.number().int(), currency: z.string().min(3).max(3) });
export type MoneyData = z.output<typeof money>;

export const id = z.string().min(1).max(128);
export const nonEmpty = z.string().min(1);
export const isoDate = z.string().refine((v) => !Number.isNaN(Date.parse(v)), 'must be an ISO 8601 date');

/**
 * The aggregate's version after the change the event describes: 1 for the creation, +1 per change
 * that emits an event, written in the same single-document update as the change and its outbox
 * entry. Consumers drop an event older than one they applied already. Events written before versions
 * existed carry none and parse as 0, which consumers treat as "unknown, apply".
 */
export const aggregateVersion = z.number().int().nonnegative().default(0);
