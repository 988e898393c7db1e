import type { EventEnvelope } from '@little-ecom/events';
import type { ProductMention } from '../../notifications/templates/layout.js';
import type { PreferenceName, UserDocument } from '../../users/user.repository.js';
import type { HandlerDeps } from './deps.js';
import { recordEmails } from './record.js';

/**
 * One marketing email per user who opted in to `preference`, written page by page before any is
 * sent, so progress survives a crash and sending never holds the message.
 */
export async function fanOut(
  event: EventEnvelope,
  kind: 'NEW_PRODUCT' | 'PRICE_DROP' | 'BACK_IN_STOCK',
  preference: PreferenceName,
  product: ProductMention,
  deps: HandlerDeps,
): Promise<void> {
  for await (const page of deps.users.optedIn(preference)) {
    await recordEmails(
      event,
      page.map((user: UserDocument) => ({
        recipientId: user._id,
        to: user.email!,
        productId: product.productId,
        input: { kind, name: user.name ?? '', product },
      })),
      deps,
    );
  }
}
