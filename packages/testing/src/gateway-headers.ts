import { randomUUID, type KeyObject } from 'node:crypto';
import { GATEWAY_SIGNATURE_HEADER, REFRESH_TOKEN_HEADER, signGatewayRequest } from '@little-ecom/auth';

/** A request as the gateway would send it to the subgraph `audience`; POST to `/graphql` unless said. */
export interface GatewayRequestToSign {
  audience: string;
  body: string;
  clientIp: string;
  authorization?: string | undefined;
  /** The browser session's refresh token, sent (and signed) as the gateway sends it to accounts. */
  refreshToken?: string | undefined;
  method?: string;
  target?: string;
}

/**
 * The headers a subgraph gets from the gateway with exactly this request: a fresh request id, the
 * gateway's signature (over the method, target, subgraph, body, request id, client address, refresh token and
 * Authorization, with a nonce: good for one use) and the caller's Authorization (none: anonymous).
 */
export function gatewayHeaders(key: KeyObject, request: GatewayRequestToSign): Record<string, string> {
  const requestId = randomUUID();
  const { authorization, refreshToken } = request;
  return {
    'x-request-id': requestId,
    [GATEWAY_SIGNATURE_HEADER]: signGatewayRequest(key, {
      method: request.method ?? 'POST',
      target: request.target ?? '/graphql',
      audience: request.audience,
      body: request.body,
      requestId,
      clientIp: request.clientIp,
      authorization,
      refreshToken,
    }),
    ...(authorization ? { authorization } : {}),
    ...(refreshToken ? { [REFRESH_TOKEN_HEADER]: refreshToken } : {}),
  };
}

/**
 * For `graphqlRequest`'s headers: signs each body it sends as the gateway does for `audience`.
 * `extra` headers are added after signing (e.g. an X-Forwarded-For the subgraph must ignore).
 */
export const signedAsGateway =
  (key: KeyObject, audience: string, clientIp: string, authorization?: string, extra: Record<string, string> = {}) =>
  (body: string) => ({ ...gatewayHeaders(key, { audience, body, clientIp, authorization }), ...extra });
