import DataLoader from 'dataloader';
import type { TokenVerifier } from '@little-ecom/auth';
import type { IncomingRequestInfo, RequestContext } from '@little-ecom/http';
import type { Logger } from '@little-ecom/logger';
import { scopeForRequest } from '@little-ecom/scope';
import type { AddressBookService } from './addresses/address-book.service.js';
import type { CartService } from './cart/cart.service.js';
import type { OrderDocument } from './orders/order.repository.js';
import type { OrderService } from './orders/order.service.js';
import type { Pricing } from './pricing/pricing.js';

/** A User as orders sees it: only the key (carts and orders are looked up by it). */
export interface UserReference {
  id: string;
}

export interface OrdersContext extends RequestContext {
  addresses: AddressBookService;
  pricing: Pricing;
  carts: CartService;
  orders: OrderService;
  /** `Order` references of this request, loaded together (visible ones only, null for the rest). */
  loaders: { orderForReference: DataLoader<string, OrderDocument | null> };
}

export interface ContextDeps {
  addresses: AddressBookService;
  pricing: Pricing;
  carts: CartService;
  orders: OrderService;
  verifier: TokenVerifier;
  logger: Logger;
}

/** Built per request: the request's scope (verified caller), the services and fresh DataLoaders, so batches never leak across requests. */
export async function createContext(deps: ContextDeps, info: IncomingRequestInfo): Promise<OrdersContext> {
  const scope = await scopeForRequest(info, deps.verifier, deps.logger);
  return {
    scope,
    addresses: deps.addresses,
    pricing: deps.pricing,
    carts: deps.carts,
    orders: deps.orders,
    loaders: {
      orderForReference: new DataLoader((ids) => deps.orders.getManyForReference(scope, ids), { maxBatchSize: 500 }),
    },
  };
}
