import { isCurrent, type Handler } from './deps.js';
import { fanOut } from './fan-out.js';

/** Tells the users who want to hear about new products. */
export const productCreated: Handler<'product.created'> = async (event, deps) => {
  const { productId, slug, name, price, aggregateVersion } = event.data;
  if (!(await isCurrent(deps, event, `product:${productId}`, aggregateVersion))) return;
  await fanOut(event, 'NEW_PRODUCT', 'newProducts', { productId, slug, name, price }, deps);
};
