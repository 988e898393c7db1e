import { randomUUID } from 'node:crypto';
import { GATEWAY_SIGNATURE_HEADER, signGatewayRequest } from '@little-ecom/auth';

/**
 * The headers a subgraph gets from the gateway: a fresh request id, the gateway's signature over it
 * and the client address it vouches for, and the caller's Authorization (none: anonymous).
 */
export function gatewayHeaders(key: Buffer, clientIp: string, authorization?: string): Record<string, string> {
  const requestId = randomUUID();
  return {
    'x-request-id': requestId,
    [GATEWAY_SIGNATURE_HEADER]: signGatewayRequest(key, { requestId, clientIp, authorization }),
    ...(authorization ? { authorization } : {}),
  };
}
