import { isCurrent, type Handler } from './deps.js';

/**
 * Nobody should hear about a product that is gone: its fan-outs stop and its marketing emails not
 * yet sent are cancelled. The deletion's version makes later-arriving updates of it stale, for every
 * kind of change (price and stock are versioned on their own: see product.updated).
 */
export const productDeleted: Handler<'product.deleted'> = async (event, deps) => {
  const { productId, aggregateVersion } = event.data;
  if (!(await isCurrent(deps, event, `product:${productId}`, aggregateVersion))) return;
  await deps.versions.record(`product:${productId}:price`, aggregateVersion, { deleted: true });
  await deps.versions.record(`product:${productId}:stock`, aggregateVersion, { stock: 0, outSince: null, deleted: true });
  const jobs = await deps.fanOutJobs.cancelForProduct(productId);
  const emails = await deps.notifications.cancelPendingMarketing(productId);
  deps.logger.info('product emails cancelled', { eventId: event.id, productId, jobs, emails });
};
