// Types shared by the gateway's modules. They live here, not in the module that wires everything
// (server.ts), so plugins and the data source import no module that imports them back.
import type { RequestContext } from '@little-ecom/http';

/** The context of one client request through the gateway. */
export interface GatewayContext extends RequestContext {
  /** Passed on as it came: the gateway does not verify tokens, every subgraph does. */
  authorization: string | undefined;
}

/** Where whole responses and APQ registrations are kept: strings with a time to live (Redis or in-process). */
export interface ResponseStore {
  get(key: string): Promise<string | undefined>;
  set(key: string, value: string, ttlSeconds: number): Promise<void>;
  close(): Promise<void>;
}
