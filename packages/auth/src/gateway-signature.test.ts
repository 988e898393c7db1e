import { createHash, createPublicKey, randomBytes, randomUUID, sign } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  GATEWAY_SIGNATURE_HEADER,
  createGatewayVerifier,
  decodeGatewayPublicKey,
  decodeGatewaySigningKey,
  gatewayPublicKeyText,
  generateGatewayKeyPair,
  signGatewayRequest,
  type GatewayRequest,
} from './gateway-signature.js';
import { REFRESH_TOKEN_HEADER } from './session-transport.js';

const { signingKey, publicKey } = generateGatewayKeyPair();
const NOW = 1_800_000_000_000;

const request = (overrides: Partial<GatewayRequest> = {}): GatewayRequest => ({
  method: 'POST',
  target: '/graphql',
  audience: 'accounts',
  body: '{"query":"{ __typename }"}',
  requestId: randomUUID(),
  clientIp: '198.51.100.7',
  authorization: 'Bearer a.b.c',
  ...overrides,
});

/** What the subgraph receives for `sent`, with a signature made for `signed`. */
function received(signed: GatewayRequest, sent: GatewayRequest = signed, key = signingKey, at = NOW) {
  const headers = {
    'x-request-id': sent.requestId,
    [GATEWAY_SIGNATURE_HEADER]: signGatewayRequest(key, signed, at),
    ...(sent.authorization ? { authorization: sent.authorization } : {}),
    ...(sent.refreshToken ? { [REFRESH_TOKEN_HEADER]: sent.refreshToken } : {}),
  };
  return { headers, method: sent.method, target: sent.target, body: sent.body, requestId: sent.requestId };
}

describe('gateway signatures', () => {
  it('accepts the exact request once, with the client address it vouches for', () => {
    const verifier = createGatewayVerifier(publicKey, 'accounts');
    const captured = received(request());
    expect(verifier.verify(captured, NOW + 1_000)).toEqual({ clientIp: '198.51.100.7' });
    // Replayed with the same headers: refused, for as long as the signature would be fresh.
    expect(verifier.verify(captured, NOW + 2_000)).toBeNull();
    expect(verifier.verify(captured, NOW + 59_000)).toBeNull();
  });

  it('refuses the headers of one request with another body, method, path, subgraph, token or request id', () => {
    const verifier = createGatewayVerifier(publicKey, 'accounts');
    const original = request();
    for (const changed of [
      { body: '{"query":"mutation { logOut(refreshToken: \\"x\\") }"}' },
      { method: 'GET' },
      { target: '/graphql?query=%7B__typename%7D' },
      { authorization: 'Bearer x.y.z' },
      { authorization: undefined },
      { requestId: randomUUID() },
    ]) {
      expect(verifier.verify(received(original, { ...original, ...changed }), NOW), JSON.stringify(changed)).toBeNull();
    }
    // Signed for products, sent to accounts.
    expect(verifier.verify(received(request({ audience: 'products' })), NOW)).toBeNull();
    // Control: the untouched request.
    expect(verifier.verify(received(original), NOW)).not.toBeNull();
  });

  it('covers the browser session refresh token accounts acts on: none added, swapped or dropped', () => {
    const verifier = createGatewayVerifier(publicKey, 'accounts');
    const withToken = request({ authorization: undefined, refreshToken: 'rt_victims-session-token' });
    const without = request({ authorization: undefined });
    const cases: [signed: GatewayRequest, sent: GatewayRequest][] = [
      [withToken, { ...withToken, refreshToken: 'rt_attackers-session-token' }],
      [withToken, { ...withToken, refreshToken: undefined }],
      [without, { ...without, refreshToken: 'rt_added-on-the-way' }],
    ];
    for (const [signed, sent] of cases) expect(verifier.verify(received(signed, sent), NOW), sent.refreshToken).toBeNull();
    expect(verifier.verify(received(withToken), NOW)).not.toBeNull();
  });

  it('still accepts the previous release’s signature (v2) mid-rollout, but never with a refresh token', () => {
    // Exactly how the previous gateway signed: no refresh token among the fields.
    const signV2 = (r: GatewayRequest) => {
      const nonce = randomBytes(16).toString('base64url');
      const hash = (v: string) => createHash('sha256').update(v, 'utf8').digest('base64url');
      const fields = [
        'v2',
        r.method,
        r.target,
        r.audience,
        String(NOW),
        nonce,
        r.requestId,
        r.clientIp,
        hash(r.authorization ?? ''),
        hash(r.body),
      ];
      const sig = sign(null, Buffer.from(fields.join('\n'), 'utf8'), signingKey).toString('base64url');
      return `t=${NOW},n=${nonce},ip=${r.clientIp},sig=${sig}`;
    };
    const verifier = createGatewayVerifier(publicKey, 'accounts');
    const r = request();
    const sent = (extra: Record<string, string>) => ({
      ...received(r),
      headers: { ...received(r).headers, [GATEWAY_SIGNATURE_HEADER]: signV2(r), ...extra },
    });
    expect(verifier.verify(sent({}), NOW)).toEqual({ clientIp: r.clientIp });
    expect(verifier.verify(sent({ [REFRESH_TOKEN_HEADER]: 'rt_added-to-an-old-signature' }), NOW)).toBeNull();
  });

  it('refuses a changed client address, stale and future signatures', () => {
    const verifier = createGatewayVerifier(publicKey, 'accounts');
    const tampered = received(request());
    tampered.headers[GATEWAY_SIGNATURE_HEADER] = tampered.headers[GATEWAY_SIGNATURE_HEADER].replace(
      '198.51.100.7',
      '198.51.100.8',
    );
    expect(verifier.verify(tampered, NOW)).toBeNull();
    expect(verifier.verify(received(request(), undefined, signingKey, NOW - 61_000), NOW)).toBeNull();
    expect(verifier.verify(received(request(), undefined, signingKey, NOW + 61_000), NOW)).toBeNull();
  });

  it('cannot be produced with what subgraphs hold (the public key) or another key', () => {
    const verifier = createGatewayVerifier(publicKey, 'accounts');
    expect(() => signGatewayRequest(publicKey, request(), NOW)).toThrow();
    // The public key's text taken as a private key, and an unrelated key pair: both refused.
    const fromPublicText = decodeGatewaySigningKey(gatewayPublicKeyText(signingKey));
    expect(verifier.verify(received(request(), undefined, fromPublicText), NOW)).toBeNull();
    expect(verifier.verify(received(request(), undefined, generateGatewayKeyPair().signingKey), NOW)).toBeNull();
  });

  it('round-trips the keys through their text forms', () => {
    const seed = 'Y29tcG9zZS1kZXYtZ2F0ZXdheS1rZXktTk9ULVNFQ1I';
    const key = decodeGatewaySigningKey(`${seed}\n`);
    const text = gatewayPublicKeyText(key);
    expect(decodeGatewayPublicKey(text).export({ format: 'jwk' })).toEqual(createPublicKey(key).export({ format: 'jwk' }));
    expect(() => decodeGatewaySigningKey('too-short')).toThrow(/32 bytes/);
    expect(() => decodeGatewayPublicKey('k'.repeat(44))).toThrow(/32 bytes/);
  });

  it('forgets nonces only after their signatures have expired', () => {
    const verifier = createGatewayVerifier(publicKey, 'accounts', { maxAgeMs: 1_000 });
    // Signed 1 s in the future (the largest skew accepted): replayable until NOW + 2 s.
    const captured = received(request(), undefined, signingKey, NOW + 1_000);
    expect(verifier.verify(captured, NOW)).not.toBeNull();
    for (const at of [NOW + 500, NOW + 1_500, NOW + 1_999, NOW + 2_000])
      expect(verifier.verify(captured, at), String(at)).toBeNull();
  });
});
