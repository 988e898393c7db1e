import { randomUUID, type KeyObject } from 'node:crypto';
import type { GraphQLDataSource, GraphQLDataSourceProcessOptions } from '@apollo/gateway';
import { GATEWAY_SIGNATURE_HEADER, REFRESH_TOKEN_HEADER, signGatewayRequest } from '@little-ecom/auth';
import { traceHeaders } from '@little-ecom/telemetry';
import { GraphQLError } from 'graphql';
import type { InflightDedup } from './inflight-dedup.js';
import { isQuery, isMutation } from './operation.js';
import { sessionHeadersFor, takeSessionOutcome } from './plugins/session-cookie.js';
import type { SubgraphFetcher, SubgraphResponse } from './subgraph-fetcher.js';
import type { GatewayContext } from './types.js';

type GatewayResponse = Awaited<ReturnType<GraphQLDataSource['process']>>;

/** What `overallCachePolicy.restrict` takes. */
export interface CacheHint {
  maxAge?: number;
  scope?: 'PUBLIC' | 'PRIVATE';
}

export interface SubgraphDataSourceOptions {
  name: string;
  url: string;
  fetcher: SubgraphFetcher;
  /** Shared by all subgraphs; absent when deduplication is off. */
  dedup: InflightDedup<SubgraphResponse> | undefined;
  /**
   * The gateway's private key: signs every request for this subgraph (`name`), method, target and body
   * included (docs/auth.md, "Gateway-to-subgraph trust"); subgraphs refuse GraphQL without it.
   */
  subgraphKey: KeyObject;
  /** Told the latency of every fetch (metrics). */
  observeFetch?: (subgraph: string, seconds: number, ok: boolean) => void;
}

function isRestrictable(policy: unknown): policy is { restrict(hint: CacheHint): void } {
  return typeof policy === 'object' && policy !== null && typeof (policy as { restrict?: unknown }).restrict === 'function';
}

/** The subgraph's `Cache-Control` header as an Apollo cache hint; no header means "do not cache". */
function cacheHintFrom(header: string | undefined): CacheHint {
  const hint: CacheHint = { maxAge: 0 };
  if (!header) return hint;
  for (const part of header.split(',')) {
    const [rawName, rawValue] = part.trim().split('=');
    const name = rawName?.toLowerCase();
    if (name === 'max-age' && rawValue && /^[0-9]+$/.test(rawValue)) hint.maxAge = Number(rawValue);
    else if (name === 'private') hint.scope = 'PRIVATE';
    else if (name === 'public') hint.scope = 'PUBLIC';
  }
  return hint;
}

/**
 * The GraphQL side of a subgraph call (the HTTP side is subgraph-fetcher.ts): builds the request the
 * subgraph trusts, shares identical queries in flight, and turns the answer into what the query plan
 * executor takes. Replaces `RemoteGraphQLDataSource`, whose per-request node-fetch `Headers`/`Request`
 * objects and make-fetch-happen pipeline cost more CPU than the rest of the gateway's work on a cheap
 * subgraph. Behaviour kept from it: the caller's identity, request id and client address are forwarded
 * (nothing else is trusted downstream), non-2xx answers become errors (401/403 keep their codes), and
 * the subgraph's `Cache-Control` restricts the response's cache policy.
 *
 * Identical queries in flight at the same time (same subgraph, document, variables and Authorization)
 * share one fetch; each caller parses its own copy of the body, because the executor merges later
 * results into the objects it receives.
 */
export class SubgraphDataSource implements GraphQLDataSource<GatewayContext> {
  /** The path and query the subgraph sees: part of what is signed. */
  private readonly target: string;

  constructor(private readonly options: SubgraphDataSourceOptions) {
    const url = new URL(options.url);
    this.target = `${url.pathname}${url.search}`;
  }

  async process(options: GraphQLDataSourceProcessOptions<GatewayContext>): Promise<GatewayResponse> {
    const { request } = options;
    if (!request.query) throw new Error('Missing query');
    const headers: Record<string, string> = { 'content-type': 'application/json' };
    if (request.http?.headers) for (const [name, value] of request.http.headers) headers[name] = value;
    // Health checks and schema loading run without an incoming request (`GraphQLDataSourceRequestKind`
    // is not exported, hence the structural test).
    const incoming = 'incomingRequestContext' in options ? options : undefined;
    let ctx: Partial<GatewayContext> = {};
    const mutation = isMutation(incoming?.document);
    if (incoming) {
      ctx = incoming.context;
      if (ctx.authorization) headers['authorization'] = ctx.authorization;
      // The refresh cookie goes to the accounts subgraph only (session-cookie.ts).
      Object.assign(headers, sessionHeadersFor(this.options.name, mutation, ctx.browserSession));
    }
    // Health checks run without a scope: they are signed as the gateway's own requests. The client
    // address reaches subgraphs only inside the signature, never as X-Forwarded-For.
    const requestId = ctx.scope?.requestId ?? randomUUID();
    headers['x-request-id'] = requestId;
    // The subgraph continues this request's trace (a child of @apollo/gateway's `gateway.fetch` span).
    Object.assign(headers, traceHeaders());
    const body = JSON.stringify({
      query: request.query,
      ...(request.operationName ? { operationName: request.operationName } : {}),
      ...(request.variables ? { variables: request.variables } : {}),
      ...(request.extensions ? { extensions: request.extensions } : {}),
    });
    headers[GATEWAY_SIGNATURE_HEADER] = signGatewayRequest(this.options.subgraphKey, {
      method: 'POST',
      target: this.target,
      audience: this.options.name,
      body,
      requestId,
      clientIp: ctx.scope?.clientIp ?? '127.0.0.1',
      authorization: ctx.authorization,
      refreshToken: headers[REFRESH_TOKEN_HEADER],
    });
    const { url, fetcher, dedup, name, observeFetch } = this.options;
    const fetchOnce = () => fetcher.fetch(url, { method: 'POST', headers, body });
    const send = observeFetch
      ? async () => {
          const started = performance.now();
          let ok = false;
          try {
            const answer = await fetchOnce();
            ok = answer.status >= 200 && answer.status < 300;
            return answer;
          } finally {
            observeFetch(name, (performance.now() - started) / 1000, ok);
          }
        }
      : fetchOnce;

    let response: SubgraphResponse;
    if (dedup && incoming && isQuery(incoming.document)) {
      const result = await dedup.run(`${url}\n${ctx.authorization ?? ''}\n${body}`, send);
      response = result.value;
      if (result.shared) ctx.scope?.logger.debug('subgraph fetch shared with an identical one in flight', { subgraph: name });
    } else {
      response = await send();
    }

    const text = response.body;
    const contentType = response.headers['content-type'] ?? '';
    const json = contentType.startsWith('application/json') || contentType.startsWith('application/graphql-response+json');
    const parsed: unknown = json ? JSON.parse(text) : text;
    if (response.status < 200 || response.status > 299) {
      const code = response.status === 401 ? 'UNAUTHENTICATED' : response.status === 403 ? 'FORBIDDEN' : undefined;
      throw new GraphQLError(`${response.status}: ${response.statusText}`, {
        extensions: {
          response: { url: response.url, status: response.status, statusText: response.statusText, body: parsed },
          ...(code ? { code } : {}),
        },
      });
    }
    if (typeof parsed !== 'object' || parsed === null) {
      throw new Error(`Expected JSON response body from subgraph ${name}`);
    }
    takeSessionOutcome(name, mutation, ctx.browserSession, response.headers);
    if (incoming) {
      const policy: unknown = incoming.incomingRequestContext.overallCachePolicy;
      if (isRestrictable(policy)) policy.restrict(cacheHintFrom(response.headers['cache-control']));
    }
    return parsed;
  }
}
