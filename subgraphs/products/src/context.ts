import DataLoader from 'dataloader';
import { authenticateRequest, type Auth, type TokenVerifier } from '@little-ecom/auth';
import type { IncomingRequestInfo, RequestContext } from '@little-ecom/http';
import type { Logger } from '@little-ecom/logger';
import type { ProductDocument } from './catalog/product.repository.js';
import type { ProductService } from './catalog/product.service.js';

export interface ProductsContext extends RequestContext {
  auth: Auth;
  products: ProductService;
  loaders: { productById: DataLoader<string, ProductDocument | null> };
}

export interface ContextDeps {
  products: ProductService;
  verifier: TokenVerifier;
  logger: Logger;
}

/** Built per request: a verified viewer (or none) and fresh DataLoaders, so batches never leak across requests. */
export async function createContext(deps: ContextDeps, info: IncomingRequestInfo): Promise<ProductsContext> {
  return {
    ...(await authenticateRequest(info, deps.verifier, deps.logger)),
    products: deps.products,
    loaders: {
      productById: new DataLoader((ids) => deps.products.getManyById(ids), { maxBatchSize: 500 }),
    },
  };
}
