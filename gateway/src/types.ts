// Types shared by the gateway's modules. They live here, not in the module that wires everything
// (server.ts), so plugins and the data source import no module that imports them back.
import type { RequestContext } from '@little-ecom/http';

/** The context of one client request through the gateway. */
export interface GatewayContext extends RequestContext {
  /** Passed on as it came: the gateway does not verify tokens, every subgraph does. */
  authorization: string | undefined;
  /** Browser mode and the refresh cookie (plugins/session-cookie.ts): reaches only the accounts subgraph. */
  browserSession: BrowserSession;
}

/** What the client's request says about its browser session, and what the answer does to the cookie. */
export interface BrowserSession {
  /** `x-session-transport: cookie`: refresh tokens travel in the cookie, never in bodies. */
  readonly browser: boolean;
  /** The refresh cookie's value, when the request carries it. */
  readonly cookieToken: string | undefined;
  readonly origin: string | undefined;
  /** The `Host` the request was sent to: the gateway's own origin, as far as the origin check goes. */
  readonly host: string | undefined;
  /** Set once a browser-mode mutation passed the origin check: only then may the cookie reach accounts. */
  forward: boolean;
  /** What accounts said the cookie should become: a new token, or cleared (Max-Age 0). */
  outcome: { token: string; maxAgeSeconds: number } | 'clear' | undefined;
}

/** Where whole responses and APQ registrations are kept: strings with a time to live (Redis or in-process). */
export interface ResponseStore {
  get(key: string): Promise<string | undefined>;
  set(key: string, value: string, ttlSeconds: number): Promise<void>;
  close(): Promise<void>;
}
