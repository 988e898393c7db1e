import type { HandlerDeps, Handler } from './deps.js';
import { fanOut } from './fan-out.js';

/**
 * Units an order gave back (a rejection or cancel) within this long of the product selling out are
 * the saga undoing its own reservation, not news: no back-in-stock email. Later, the product really
 * was out of stock for shoppers, and its return is mailed like a restock.
 */
export const RELEASE_GRACE_MS = 60 * 60_000;

/** At most one back-in-stock email per user and product in this period. */
export const BACK_IN_STOCK_PERIOD_MS = 24 * 60 * 60_000;

/** What the newest stock change seen of a product said: its stock after, and since when it was sold out. */
type StockSeen = { stock: number; outSince: string | null };

const stale = (deps: HandlerDeps, eventId: string, aggregate: string, version: number, kind: string) =>
  deps.logger.info('stale event ignored', { eventId, eventType: 'product.updated', aggregate, aggregateVersion: version, kind });

/**
 * A lower price (same currency) is a price drop; stock going from none to some is a restock. Each
 * kind is decided from the versions seen of that kind, so an update delivered after a newer one
 * still mails what is still true: a price drop overtaken by an update that left the price alone, a
 * restock overtaken by one that left units in stock. A restock that is an order's release, soon
 * after a reservation sold the product out, is no email; nor is a second restock within a day.
 */
export const productUpdated: Handler<'product.updated'> = async (event, deps) => {
  const { productId, slug, name, price, stock, aggregateVersion, stockChangeCause } = event.data;
  const base = { productId, slug, name, price: price.after };
  const decision: Record<string, string> = {};

  if (price.before.amount !== price.after.amount || price.before.currency !== price.after.currency) {
    const key = `product:${productId}:price`;
    const seen = await deps.versions.record(key, aggregateVersion, {
      amount: price.after.amount,
      currency: price.after.currency,
    });
    const drop = price.after.currency === price.before.currency && price.after.amount < price.before.amount;
    // A newer price change either mailed its own drop or took this one back: this one is no longer true.
    if (!seen.current) {
      stale(deps, event.id, key, aggregateVersion, 'price');
      decision['price'] = 'stale';
    } else if (drop) {
      await fanOut(event, 'PRICE_DROP', 'priceDrops', { ...base, previousPrice: price.before }, deps);
      decision['price'] = 'PRICE_DROP';
    }
  }

  if (stock.before !== stock.after) {
    const key = `product:${productId}:stock`;
    const at = new Date(event.occurredAt);
    const seen = await deps.versions.record<StockSeen>(key, aggregateVersion, {
      stock: stock.after,
      outSince: stock.after <= 0 ? at.toISOString() : null,
    });
    if (!seen.current) stale(deps, event.id, key, aggregateVersion, 'stock');
    if (stock.before <= 0 && stock.after > 0) {
      decision['stock'] = await restockDecision();
      if (decision['stock'] === 'BACK_IN_STOCK') await fanOut(event, 'BACK_IN_STOCK', 'backInStock', base, deps);
    }

    async function restockDecision(): Promise<string> {
      if (stockChangeCause === 'reservation') return 'reservation';
      if (stockChangeCause === 'release') {
        if (!seen.current) return 'stale release';
        // Unknown since when it was out (its sell-out not seen yet): taken as the saga's own undo.
        const outSince = seen.previous?.value?.outSince;
        if (!outSince || at.getTime() - new Date(outSince).getTime() < RELEASE_GRACE_MS) return 'release within grace';
      }
      // Overtaken: still true only if the newest stock change seen left units in stock.
      if (!seen.current && !((seen.latest.value?.stock ?? 0) > 0)) return 'stale: sold out since';
      const claimed = await deps.versions.claimOncePer(`BACK_IN_STOCK:product:${productId}`, event.id, BACK_IN_STOCK_PERIOD_MS);
      return claimed ? 'BACK_IN_STOCK' : 'mailed within a day';
    }
  }
  deps.logger.info('product update handled', { eventId: event.id, productId, aggregateVersion, stockChangeCause, ...decision });
};
