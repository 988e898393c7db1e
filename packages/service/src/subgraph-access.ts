import type { KeyObject } from 'node:crypto';
import { createServiceVerifier, gatewayCallers, loadGatewayPublicKey, type TokenVerifier } from '@little-ecom/auth';
import type { HttpServerOptions, RequestContext } from '@little-ecom/http';
import type { Logger } from '@little-ecom/logger';
import type { Worker } from './service.js';

/** What a subgraph app factory takes to pick its callers; tests pass it, main leaves it to the config. */
export interface GatewayKeyDeps {
  /**
   * The gateway's public key, which its requests are checked with; by default from the config
   * (GATEWAY_PUBLIC_KEY or the development file). `null` serves GraphQL to any caller: only for tests
   * of this subgraph alone and the benchmark of other gateways.
   */
  gatewayKey?: KeyObject | null;
}

export interface SubgraphAccessDeps extends GatewayKeyDeps {
  /** Checks access tokens; by default against the accounts JWKS and revocation feed named in the config. */
  verifier?: TokenVerifier;
}

/** The config's gateway key settings of a subgraph: its public key and the subgraph's own name. */
export type GatewayKeySettings = Parameters<typeof loadGatewayPublicKey>[0] & { audience: string };

/**
 * For a subgraph's `http` options: GraphQL only from the gateway, signed for this subgraph
 * (`settings.audience`) and used once, which also vouches for the client address; any caller when
 * `deps.gatewayKey` is null.
 */
export function gatewayOnly(
  settings: GatewayKeySettings,
  deps: GatewayKeyDeps,
): Pick<HttpServerOptions<RequestContext>, 'authorizeCaller'> {
  const key = deps.gatewayKey === undefined ? loadGatewayPublicKey(settings) : deps.gatewayKey;
  return key ? { authorizeCaller: gatewayCallers(key, settings.audience) } : {};
}

export interface SubgraphAccess {
  verifier: TokenVerifier;
  /** Spread into the app's `http` options (see `gatewayOnly`). */
  gateway: Pick<HttpServerOptions<RequestContext>, 'authorizeCaller'>;
  /** With the config's verifier, its poller of ended sessions: among the workers the app starts. */
  workers: Worker[];
}

/**
 * Who may call a subgraph that checks accounts' tokens: only the gateway, with tokens of sessions that
 * have not ended (polled from accounts: docs/auth.md, "Ending sessions everywhere").
 */
export function subgraphAccess(
  config: { gatewayKey: GatewayKeySettings; jwt: Parameters<typeof createServiceVerifier>[0] },
  deps: SubgraphAccessDeps,
  logger: Logger,
): SubgraphAccess {
  const gateway = gatewayOnly(config.gatewayKey, deps);
  if (deps.verifier) return { verifier: deps.verifier, gateway, workers: [] };
  const { verifier, revocations } = createServiceVerifier(config.jwt, logger);
  return { verifier, gateway, workers: [{ name: 'revocations', stop: async () => revocations.stop() }] };
}
