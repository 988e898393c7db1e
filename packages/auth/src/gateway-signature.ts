import { createHash, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';
import { isIP } from 'node:net';
import { readOrCreateDevFile } from '@little-ecom/config';

/**
 * How a subgraph knows a request comes from our gateway: the gateway signs every subgraph request
 * with HMAC-SHA256 under a key shared through a Secret (`GATEWAY_KEY`), over a timestamp, the request
 * id, the client address it determined and a hash of the Authorization header. Subgraphs refuse
 * GraphQL without a valid, fresh signature, and take the client address only from it.
 *
 * Chosen over mTLS (needs a CA and certificate rotation in every pod) and over a signed JWT (the
 * same secret, more moving parts). A captured header could be replayed for at most `maxAgeMs` with the
 * same token; whoever can capture in-cluster traffic already reads the tokens themselves.
 */
export const GATEWAY_SIGNATURE_HEADER = 'x-little-ecom-gateway';

/** At least 256 bits, base64url: what `openssl rand -base64 32` or `generateGatewayKey()` gives. */
export const GATEWAY_KEY_MIN_BYTES = 32;

export interface GatewayCaller {
  clientIp: string;
}

const sha256 = (value: string) => createHash('sha256').update(value).digest('base64url');

function payload(timestamp: number, requestId: string, clientIp: string, authorization: string | undefined): string {
  return ['v1', String(timestamp), requestId, clientIp, sha256(authorization ?? '')].join('\n');
}

/** Decodes and checks a key from env or a file; throws when it is too short. */
export function decodeGatewayKey(value: string): Buffer {
  const key = Buffer.from(value.trim(), 'base64url');
  if (key.length < GATEWAY_KEY_MIN_BYTES) throw new Error(`the gateway key must hold at least ${GATEWAY_KEY_MIN_BYTES} bytes`);
  return key;
}

export const generateGatewayKey = () => randomBytes(GATEWAY_KEY_MIN_BYTES).toString('base64url');

/** The header value the gateway sends: `t=<ms>,ip=<address>,sig=<hmac>`. */
export function signGatewayRequest(
  key: Buffer,
  request: { requestId: string; clientIp: string; authorization: string | undefined },
  now = Date.now(),
): string {
  const sig = createHmac('sha256', key)
    .update(payload(now, request.requestId, request.clientIp, request.authorization))
    .digest('base64url');
  return `t=${now},ip=${request.clientIp},sig=${sig}`;
}

/**
 * The caller when `headers` carry a valid signature no older than `maxAgeMs` (and not from the future
 * beyond the same skew); null otherwise. `requestId` must be the one the subgraph uses (x-request-id).
 */
export function verifyGatewayRequest(
  key: Buffer,
  headers: IncomingHttpHeaders,
  requestId: string,
  options: { maxAgeMs?: number; now?: number } = {},
): GatewayCaller | null {
  const raw = headers[GATEWAY_SIGNATURE_HEADER];
  const value = Array.isArray(raw) ? undefined : raw;
  if (!value || value.length > 512) return null;
  const match = /^t=(\d{1,16}),ip=([0-9A-Fa-f:.]{1,64}),sig=([A-Za-z0-9_-]{43})$/.exec(value);
  if (!match) return null;
  const timestamp = Number(match[1]);
  const clientIp = match[2]!;
  const now = options.now ?? Date.now();
  if (Math.abs(now - timestamp) > (options.maxAgeMs ?? 60_000) || isIP(clientIp) === 0) return null;
  const authorization = headers.authorization;
  const expected = createHmac('sha256', key)
    .update(payload(timestamp, requestId, clientIp, authorization))
    .digest();
  const given = Buffer.from(match[3]!, 'base64url');
  return given.length === expected.length && timingSafeEqual(given, expected) ? { clientIp } : null;
}

/**
 * Development only: the key kept in a git-ignored file (mode 0600), created by whichever service
 * starts first; the others read it. Creation is exclusive, so two services starting at once agree.
 */
export function loadOrCreateDevGatewayKey(file: string): Buffer {
  return decodeGatewayKey(readOrCreateDevFile(file, () => `${generateGatewayKey()}\n`));
}

/** The key from config (`gatewayKeySettings`): the Secret when set, else the development file. */
export function loadGatewayKey(settings: { key: string | undefined; devKeyFile: string }): Buffer {
  return settings.key !== undefined ? decodeGatewayKey(settings.key) : loadOrCreateDevGatewayKey(settings.devKeyFile);
}

/** For `startHttpServer({ authorizeCaller })` on a subgraph: only requests the gateway signed. */
export const gatewayCallers = (key: Buffer) => (headers: IncomingHttpHeaders, requestId: string) =>
  verifyGatewayRequest(key, headers, requestId);
