import { createHash, createPrivateKey, createPublicKey, randomBytes, sign, verify, type KeyObject } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';
import { isIP } from 'node:net';
import { readOrCreateDevFile } from '@little-ecom/config';
import { REFRESH_TOKEN_HEADER } from './session-transport.js';

/**
 * How a subgraph knows a request comes from our gateway (docs/auth.md, "Gateway-to-subgraph trust"):
 * the gateway signs every subgraph request with an Ed25519 private key only it holds
 * (`GATEWAY_SIGNING_KEY`); subgraphs verify with the public key (`GATEWAY_PUBLIC_KEY`), so a subgraph,
 * compromised or not, cannot act as the gateway towards another. The signature covers the method, the
 * request target (path and query), the audience (the subgraph the request is for), a SHA-256 of the
 * body, a timestamp, a nonce, the request id, the client address the gateway determined and a hash of
 * the Authorization header. Subgraphs refuse GraphQL without a valid signature for exactly this request,
 * older (or newer) than `maxAgeMs`, or whose nonce they have already accepted within the window.
 *
 * Replays are remembered per process (per replica): a captured request could be replayed once to each
 * other replica of the same subgraph within the window. It still carries the same method, body,
 * caller and token, so it repeats the original request and nothing else; and whoever can capture
 * in-cluster traffic already reads the tokens themselves.
 *
 * Chosen over mTLS (needs a CA and certificate rotation in every pod) and over a signed JWT (the same
 * checks with more moving parts).
 */
export const GATEWAY_SIGNATURE_HEADER = 'x-little-ecom-gateway';

/** How long a signature is accepted, either side of the subgraph's clock. */
export const GATEWAY_SIGNATURE_MAX_AGE_MS = 60_000;

/** An Ed25519 private key is a 32-byte seed: base64url, what `openssl rand -base64 32` or `generateGatewaySigningKey()` gives. */
const SEED_BYTES = 32;
// The fixed DER prefixes that wrap a raw Ed25519 seed (PKCS#8) and a raw public key (SPKI), RFC 8410.
const PKCS8_PREFIX = Buffer.from('302e020100300506032b657004220420', 'hex');
const SPKI_PREFIX = Buffer.from('302a300506032b6570032100', 'hex');

/** What the gateway knows about a subgraph request when it signs it (and the subgraph when it checks). */
export interface GatewayRequest {
  method: string;
  /** Path and query of the request target, e.g. `/graphql`. */
  target: string;
  /** The subgraph the request is for, by its name in the supergraph (`accounts`, `products`, ...). */
  audience: string;
  /** The exact body sent ('' without one). */
  body: string;
  requestId: string;
  clientIp: string;
  authorization: string | undefined;
  /** The browser session's refresh token the gateway passes to accounts (`x-session-refresh-token`), if any. */
  refreshToken?: string | undefined;
}

export interface GatewayCaller {
  clientIp: string;
}

const sha256 = (value: string) => createHash('sha256').update(value, 'utf8').digest('base64url');

/**
 * What is signed. v3 adds the refresh token; v2 (the previous release's) is still accepted for
 * requests without one, so subgraphs rolled out before the gateway keep accepting it mid-rollout.
 */
function payload(request: GatewayRequest, timestamp: number, nonce: string, version: 'v2' | 'v3' = 'v3'): Buffer {
  const { method, target, audience, body, requestId, clientIp, authorization, refreshToken } = request;
  const fields = [
    version,
    method.toUpperCase(),
    target,
    audience,
    String(timestamp),
    nonce,
    requestId,
    clientIp,
    sha256(authorization ?? ''),
    ...(version === 'v3' ? [sha256(refreshToken ?? '')] : []),
    sha256(body),
  ];
  return Buffer.from(fields.join('\n'), 'utf8');
}

function decodeRaw(value: string, what: string): Buffer {
  const raw = Buffer.from(value.trim(), 'base64url');
  if (raw.length !== SEED_BYTES) throw new Error(`the ${what} must be ${SEED_BYTES} bytes, base64url`);
  return raw;
}

/** The gateway's private key from its base64url seed (env or file); throws unless it is 32 bytes. */
export function decodeGatewaySigningKey(value: string): KeyObject {
  return createPrivateKey({
    key: Buffer.concat([PKCS8_PREFIX, decodeRaw(value, 'gateway signing key')]),
    format: 'der',
    type: 'pkcs8',
  });
}

/** The public key subgraphs verify with, from its base64url raw form (`gatewayPublicKeyText`). */
export function decodeGatewayPublicKey(value: string): KeyObject {
  return createPublicKey({
    key: Buffer.concat([SPKI_PREFIX, decodeRaw(value, 'gateway public key')]),
    format: 'der',
    type: 'spki',
  });
}

/** The raw public key of `signingKey`, base64url: what `GATEWAY_PUBLIC_KEY` holds. */
export function gatewayPublicKeyText(signingKey: KeyObject): string {
  return createPublicKey(signingKey).export({ format: 'der', type: 'spki' }).subarray(SPKI_PREFIX.length).toString('base64url');
}

export const generateGatewaySigningKey = () => randomBytes(SEED_BYTES).toString('base64url');

/** A fresh key pair (tests, benches): the gateway signs with `signingKey`, subgraphs check with `publicKey`. */
export function generateGatewayKeyPair(): { signingKey: KeyObject; publicKey: KeyObject } {
  const signingKey = decodeGatewaySigningKey(generateGatewaySigningKey());
  return { signingKey, publicKey: createPublicKey(signingKey) };
}

/** The header value the gateway sends: `t=<ms>,n=<nonce>,ip=<address>,sig=<Ed25519>`. */
export function signGatewayRequest(key: KeyObject, request: GatewayRequest, now = Date.now()): string {
  const nonce = randomBytes(16).toString('base64url');
  const sig = sign(null, payload(request, now, nonce), key).toString('base64url');
  return `t=${now},n=${nonce},ip=${request.clientIp},sig=${sig}`;
}

const HEADER = /^t=(\d{1,16}),n=([A-Za-z0-9_-]{22}),ip=([0-9A-Fa-f:.]{1,64}),sig=([A-Za-z0-9_-]{86})$/;

/** What the subgraph received: the request but for the caller's claims, which come from the header. */
export type ReceivedRequest = Omit<GatewayRequest, 'audience' | 'clientIp' | 'authorization' | 'refreshToken'> & {
  headers: IncomingHttpHeaders;
};

export interface GatewayVerifier {
  /** The caller when the request carries a valid, fresh, unused signature for exactly it; null otherwise. */
  verify(request: ReceivedRequest, now?: number): GatewayCaller | null;
}

/**
 * Checks the gateway's signatures for one subgraph (`audience`), remembering accepted nonces for
 * twice the window (two generations, each at most `2 * maxAgeMs` old), so a request is accepted once.
 */
export function createGatewayVerifier(
  publicKey: KeyObject,
  audience: string,
  options: { maxAgeMs?: number } = {},
): GatewayVerifier {
  const maxAgeMs = options.maxAgeMs ?? GATEWAY_SIGNATURE_MAX_AGE_MS;
  // A nonce is replayable until its timestamp + maxAgeMs, at most 2 * maxAgeMs after it was accepted.
  const generationMs = 2 * maxAgeMs;
  let current = new Set<string>();
  let previous = new Set<string>();
  let rotatedAt = Date.now();
  return {
    verify(request, now = Date.now()) {
      const raw = request.headers[GATEWAY_SIGNATURE_HEADER];
      const value = Array.isArray(raw) ? undefined : raw;
      if (!value || value.length > 512) return null;
      const match = HEADER.exec(value);
      if (!match) return null;
      const timestamp = Number(match[1]);
      const nonce = match[2]!;
      const clientIp = match[3]!;
      if (Math.abs(now - timestamp) > maxAgeMs || isIP(clientIp) === 0) return null;
      const authorization = request.headers.authorization;
      // Signed too: a refresh token added or swapped on the way to accounts fails the check.
      const refreshToken = request.headers[REFRESH_TOKEN_HEADER];
      if (Array.isArray(refreshToken)) return null;
      const received = { ...request, audience, clientIp, authorization, refreshToken };
      const signature = Buffer.from(match[4]!, 'base64url');
      const valid =
        verify(null, payload(received, timestamp, nonce), publicKey, signature) ||
        (refreshToken === undefined && verify(null, payload(received, timestamp, nonce, 'v2'), publicKey, signature));
      if (!valid) return null;
      if (now - rotatedAt >= generationMs) {
        previous = now - rotatedAt >= 2 * generationMs ? new Set() : current;
        current = new Set();
        rotatedAt = now;
      }
      if (current.has(nonce) || previous.has(nonce)) return null;
      current.add(nonce);
      return { clientIp };
    },
  };
}

/**
 * Development only: the gateway's private key kept in a git-ignored file (mode 0600), created by
 * whichever service starts first; the subgraphs derive the public key from it. Creation is exclusive,
 * so two services starting at once agree.
 */
export function loadOrCreateDevGatewaySigningKey(file: string): KeyObject {
  return decodeGatewaySigningKey(readOrCreateDevFile(file, () => `${generateGatewaySigningKey()}\n`));
}

/** The gateway's key from config (`gatewaySigningKeySettings`): the Secret when set, else the development file. */
export function loadGatewaySigningKey(settings: { signingKey: string | undefined; devKeyFile: string }): KeyObject {
  return settings.signingKey !== undefined
    ? decodeGatewaySigningKey(settings.signingKey)
    : loadOrCreateDevGatewaySigningKey(settings.devKeyFile);
}

/** A subgraph's key from config (`gatewayPublicKeySettings`): the public key when set, else derived from the development file. */
export function loadGatewayPublicKey(settings: { publicKey: string | undefined; devKeyFile: string }): KeyObject {
  return settings.publicKey !== undefined
    ? decodeGatewayPublicKey(settings.publicKey)
    : createPublicKey(loadOrCreateDevGatewaySigningKey(settings.devKeyFile));
}

/** For `startHttpServer({ authorizeCaller })` on the subgraph `audience`: only requests the gateway signed for it. */
export function gatewayCallers(publicKey: KeyObject, audience: string) {
  const verifier = createGatewayVerifier(publicKey, audience);
  return (request: ReceivedRequest) => verifier.verify(request);
}
