import type { EventEnvelope } from '@little-ecom/events';
import type { MarketingKind } from '../../fanout/fanout.repository.js';
import { fanOutBatch } from '../../fanout/fanout.runner.js';
import type { ProductMention } from '../../notifications/templates/layout.js';
import type { PreferenceName } from '../../users/user.repository.js';
import type { HandlerDeps } from './deps.js';

/**
 * One marketing email per user who opted in to `preference`. An audience that fits in one page is
 * recorded right here, before the event is acknowledged (a redelivery records nothing twice: the
 * unique index). A larger one becomes a fan-out job (see fanout/): the event is acknowledged at once
 * and the job pages through the recipients on its own, resuming at its cursor after a crash.
 */
export async function fanOut(
  event: EventEnvelope,
  kind: MarketingKind,
  preference: PreferenceName,
  product: ProductMention,
  deps: HandlerDeps,
): Promise<void> {
  const subject = { eventId: event.id, correlationId: event.correlationId, kind, product };
  const page = await deps.users.optedInPage(preference, null, deps.fanOutPageSize + 1);
  if (page.length <= deps.fanOutPageSize) {
    if (page.length === 0) return;
    const added = await deps.notifications.record(fanOutBatch(subject, page, deps.storefrontUrl, deps.secrets));
    if (added > 0) deps.onRecorded();
    return;
  }
  const created = await deps.fanOutJobs.create({ ...subject, preference });
  if (created) deps.onFanOut();
}
