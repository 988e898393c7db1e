import { isCurrent, type Handler } from './deps.js';

/** Records the deletion's version, so updates of the product that arrive later are stale. */
export const productDeleted: Handler<'product.deleted'> = async (event, deps) => {
  await isCurrent(deps, event, `product:${event.data.productId}`, event.data.aggregateVersion);
};
