import DataLoader from 'dataloader';
import type { TokenVerifier } from '@little-ecom/auth';
import type { IncomingRequestInfo, RequestContext } from '@little-ecom/http';
import type { Logger } from '@little-ecom/logger';
import { scopeForRequest } from '@little-ecom/scope';
import type { ProductDocument } from './catalog/product.repository.js';
import type { ProductService } from './catalog/product.service.js';

export interface ProductsContext extends RequestContext {
  products: ProductService;
  loaders: { productById: DataLoader<string, ProductDocument | null> };
}

export interface ContextDeps {
  products: ProductService;
  verifier: TokenVerifier;
  logger: Logger;
}

/** Built per request: the request's scope (verified caller) and fresh DataLoaders, so batches never leak across requests. */
export async function createContext(deps: ContextDeps, info: IncomingRequestInfo): Promise<ProductsContext> {
  const scope = await scopeForRequest(info, deps.verifier, deps.logger);
  return {
    scope,
    products: deps.products,
    loaders: {
      productById: new DataLoader((ids) => deps.products.getManyById(ids), { maxBatchSize: 500 }),
    },
  };
}
