import type { EventEnvelope } from '@little-ecom/events';
import type { MarketingKind } from '../../fanout/fanout.repository.js';
import type { ProductMention } from '../../notifications/templates/layout.js';
import type { PreferenceName } from '../../users/user.repository.js';
import type { HandlerDeps } from './deps.js';

/**
 * One marketing email per user who opted in to `preference`: recorded as a fan-out job (see
 * fanout/), so the event is acknowledged at once and the job pages through the recipients on its
 * own, resuming at its cursor after a crash.
 */
export async function fanOut(
  event: EventEnvelope,
  kind: MarketingKind,
  preference: PreferenceName,
  product: ProductMention,
  deps: HandlerDeps,
): Promise<void> {
  const created = await deps.fanOutJobs.create({
    eventId: event.id,
    correlationId: event.correlationId,
    kind,
    preference,
    product,
  });
  if (created) deps.onFanOut();
}
