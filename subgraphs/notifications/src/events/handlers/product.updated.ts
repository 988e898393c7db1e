import { isCurrent, type Handler } from './deps.js';
import { fanOut } from './fan-out.js';

/**
 * A lower price (same currency) is a price drop; stock going from none to some is a restock. An
 * update older than one already seen says nothing true about the product any more: ignored.
 */
export const productUpdated: Handler<'product.updated'> = async (event, deps) => {
  const { productId, slug, name, price, stock, aggregateVersion } = event.data;
  if (!(await isCurrent(deps, event, `product:${productId}`, aggregateVersion))) return;
  const base = { productId, slug, name, price: price.after };
  if (price.after.currency === price.before.currency && price.after.amount < price.before.amount) {
    await fanOut(event, 'PRICE_DROP', 'priceDrops', { ...base, previousPrice: price.before }, deps);
  }
  if (stock.before <= 0 && stock.after > 0) await fanOut(event, 'BACK_IN_STOCK', 'backInStock', base, deps);
};
