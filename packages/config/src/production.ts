import type { z } from 'zod';

/** The settings whose development defaults must never reach production; each is checked when the schema has it. */
export interface DevelopmentDefaultsEnv {
  NODE_ENV: string;
  AMQP_URL?: string | undefined;
  JWT_ISSUER?: string | undefined;
  JWKS_URL?: string | undefined;
  REVOCATIONS_URL?: string | undefined;
  JWT_DEV_KEY_FILE?: string | undefined;
  JWT_SIGNING_KEYS?: unknown;
  GATEWAY_SIGNING_KEY?: string | undefined;
  GATEWAY_PUBLIC_KEY?: string | undefined;
  GATEWAY_DEV_SIGNING_KEY_FILE?: string | undefined;
  GATEWAY_DEV_KEY_FILE?: string | undefined;
}

/** The fixed key pair infra/compose.yaml uses in development (containers share no generated file). */
export const COMPOSE_DEVELOPMENT_GATEWAY_SIGNING_KEY = 'Y29tcG9zZS1kZXYtZ2F0ZXdheS1rZXktTk9ULVNFQ1I';
export const COMPOSE_DEVELOPMENT_GATEWAY_PUBLIC_KEY = 'OIglGtxGaKVB5-9IBOQwbQ-1nsvdqzHOtq1JSxtcYG4';

/**
 * Whether `value` is the `published` key as the services read it: they trim it and decode base64url
 * (@little-ecom/auth), which ignores whitespace, padding and a last character's spare bits, so only the
 * decoded bytes tell two spellings apart.
 */
const gatewayKeyBytes = (value: string) => Buffer.from(value.trim(), 'base64url');
const isPublishedKey = (value: string, published: string) => gatewayKeyBytes(value).equals(gatewayKeyBytes(published));

const LOOPBACK = /^(localhost|127\.\d+\.\d+\.\d+|\[::1\]|::1|0\.0\.0\.0)$/i;

function parse(value: string): URL | undefined {
  return URL.canParse(value) ? new URL(value) : undefined;
}

/**
 * An http:// URL is acceptable in production only for a cluster-internal service name (a single label
 * such as `accounts`, or `*.svc` / `*.svc.cluster.local`), whose traffic the network policies confine.
 */
function isClusterInternal(url: URL): boolean {
  return !url.hostname.includes('.') || /\.svc(\.cluster\.local)?$/i.test(url.hostname);
}

/**
 * Every development default still set in production, as `[env name, why]`: the guest AMQP login,
 * a localhost or plain-http issuer, a loopback (or public plain-http) JWKS or revocation feed.
 */
export function developmentDefaultProblems(env: DevelopmentDefaultsEnv): [string, string][] {
  if (env.NODE_ENV !== 'production') return [];
  const problems: [string, string][] = [];
  if (env.AMQP_URL !== undefined) {
    const url = parse(env.AMQP_URL);
    const user = url ? decodeURIComponent(url.username) : '';
    // amqplib logs in as guest/guest when the URL has no credentials.
    if (!url || user === '' || user === 'guest')
      problems.push(['AMQP_URL', 'uses the guest account (or no credentials) of development; set a real broker user']);
    else if (LOOPBACK.test(url.hostname)) problems.push(['AMQP_URL', 'points at a loopback broker']);
  }
  if (env.JWT_ISSUER !== undefined) {
    const url = parse(env.JWT_ISSUER);
    if (!url || url.protocol !== 'https:' || LOOPBACK.test(url.hostname))
      problems.push(['JWT_ISSUER', 'must be the public https:// URL of the API, not the localhost development issuer']);
  }
  for (const name of ['JWKS_URL', 'REVOCATIONS_URL'] as const) {
    const value = env[name];
    if (value === undefined) continue;
    const url = parse(value);
    if (!url || LOOPBACK.test(url.hostname)) problems.push([name, 'points at the loopback development default']);
    else if (url.protocol !== 'https:' && !isClusterInternal(url))
      problems.push([name, 'is plain http to a host outside the cluster; use https']);
  }
  // Schemas that read a gateway key have its development file setting (it has a default); production
  // needs the Secret: the private key in the gateway, the public key in the subgraphs.
  const gatewayKeys = [
    ['GATEWAY_SIGNING_KEY', env.GATEWAY_DEV_SIGNING_KEY_FILE, env.GATEWAY_SIGNING_KEY, COMPOSE_DEVELOPMENT_GATEWAY_SIGNING_KEY],
    ['GATEWAY_PUBLIC_KEY', env.GATEWAY_DEV_KEY_FILE, env.GATEWAY_PUBLIC_KEY, COMPOSE_DEVELOPMENT_GATEWAY_PUBLIC_KEY],
  ] as const;
  for (const [name, devFile, value, published] of gatewayKeys) {
    if (devFile !== undefined && value === undefined)
      problems.push([name, 'is required (from a Secret), not the key generated for development']);
    else if (value !== undefined && isPublishedKey(value, published))
      problems.push([name, 'is the published development key of infra/compose.yaml']);
  }
  return problems;
}

/** For a schema's `superRefine`: one issue per development default, so the error lists them all. */
export function refuseDevelopmentDefaults(env: DevelopmentDefaultsEnv, ctx: z.RefinementCtx): void {
  for (const [path, message] of developmentDefaultProblems(env)) {
    ctx.addIssue({ code: 'custom', path: [path], message: `${message} (refused in production)` });
  }
}
