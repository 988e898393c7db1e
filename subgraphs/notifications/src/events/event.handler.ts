import {
  PoisonMessageError,
  type EventEnvelope,
  type MoneyData,
  type PasswordResetRequestedData,
  type ProductCreatedData,
  type ProductUpdatedData,
  type UserData,
} from '@little-ecom/events';
import type { NewNotification, NotificationKind, NotificationRepository } from '../notifications/notification.repository.js';
import { renderEmail, type ProductMention } from '../notifications/templates.js';
import { createOrderEventHandler } from './order.handler.js';
import type { PreferenceName, UserDocument, UserRepository } from '../users/user.repository.js';

export interface EventHandlerDeps {
  users: UserRepository;
  notifications: NotificationRepository;
  storefrontUrl: string;
  /** Called after new notifications were recorded, to wake the delivery worker. */
  onRecorded: () => void;
}

// Data checks: a message that passes the envelope check but not these is poison, not transient.
const str = (data: Record<string, unknown>, key: string): string => {
  const value = data[key];
  if (typeof value !== 'string' || value.length === 0) throw new PoisonMessageError(`data.${key} must be a non-empty string`);
  return value;
};
const int = (value: unknown, what: string): number => {
  if (typeof value !== 'number' || !Number.isInteger(value)) throw new PoisonMessageError(`${what} must be an integer`);
  return value;
};
const money = (value: unknown, what: string): MoneyData => {
  const m = value as Partial<MoneyData> | null;
  if (!m || typeof m !== 'object' || typeof m.currency !== 'string') throw new PoisonMessageError(`${what} must be money`);
  return { amount: int(m.amount, `${what}.amount`), currency: m.currency };
};
const pair = <T>(value: unknown, what: string, check: (v: unknown, what: string) => T): { before: T; after: T } => {
  const p = value as { before?: unknown; after?: unknown } | null;
  if (!p || typeof p !== 'object') throw new PoisonMessageError(`${what} must have before and after`);
  return { before: check(p.before, `${what}.before`), after: check(p.after, `${what}.after`) };
};

const userData = (d: Record<string, unknown>): UserData => ({
  userId: str(d, 'userId'),
  email: str(d, 'email'),
  name: str(d, 'name'),
  role: str(d, 'role'),
});

/**
 * Turns one event into its effects in this service's database: the user projection, and one
 * notification record per recipient. Everything is idempotent, so a redelivered event changes
 * nothing; for a fan-out the records are written in batches before any email goes out, so progress
 * survives a crash and sending never holds the message.
 */
export function createEventHandler(deps: EventHandlerDeps) {
  const { users, notifications, storefrontUrl } = deps;

  const record = async (batch: NewNotification[]) => {
    const created = await notifications.record(batch);
    if (created > 0) deps.onRecorded();
    return created;
  };

  async function fanOut(
    event: EventEnvelope,
    kind: NotificationKind,
    preference: PreferenceName,
    product: ProductMention,
  ): Promise<void> {
    for await (const page of users.optedIn(preference)) {
      await record(
        page.map((user: UserDocument) => ({
          eventId: event.id,
          recipientId: user._id,
          kind,
          correlationId: event.correlationId,
          to: user.email!,
          productId: product.productId,
          ...renderEmail({ kind, name: user.name ?? '', product } as Parameters<typeof renderEmail>[0], storefrontUrl),
        })),
      );
    }
  }

  const orderEmails = createOrderEventHandler({ users, record, storefrontUrl });

  return async function handle(event: EventEnvelope): Promise<void> {
    if (event.type.startsWith('order.')) return orderEmails(event);
    const data = event.data;
    switch (event.type) {
      case 'user.registered': {
        const user = userData(data);
        await users.project(user, event.occurredAt);
        await record([
          {
            eventId: event.id,
            recipientId: user.userId,
            kind: 'WELCOME',
            correlationId: event.correlationId,
            to: user.email,
            ...renderEmail({ kind: 'WELCOME', name: user.name }, storefrontUrl),
          },
        ]);
        return;
      }
      case 'user.updated':
        await users.project(userData(data), event.occurredAt);
        return;
      case 'user.password_reset_requested': {
        const reset: PasswordResetRequestedData = {
          userId: str(data, 'userId'),
          email: str(data, 'email'),
          name: str(data, 'name'),
          resetToken: str(data, 'resetToken'),
          expiresAt: str(data, 'expiresAt'),
        };
        await record([
          {
            eventId: event.id,
            recipientId: reset.userId,
            kind: 'PASSWORD_RESET',
            correlationId: event.correlationId,
            to: reset.email,
            ...renderEmail(
              { kind: 'PASSWORD_RESET', name: reset.name, resetToken: reset.resetToken, expiresAt: reset.expiresAt },
              storefrontUrl,
            ),
          },
        ]);
        return;
      }
      case 'product.created': {
        const p = data as Partial<ProductCreatedData>;
        const product: ProductMention = {
          productId: str(data, 'productId'),
          slug: str(data, 'slug'),
          name: str(data, 'name'),
          price: money(p.price, 'data.price'),
        };
        await fanOut(event, 'NEW_PRODUCT', 'newProducts', product);
        return;
      }
      case 'product.updated': {
        const u = data as Partial<ProductUpdatedData>;
        const price = pair(u.price, 'data.price', money);
        const stock = pair(u.stock, 'data.stock', int);
        const base = { productId: str(data, 'productId'), slug: str(data, 'slug'), name: str(data, 'name'), price: price.after };
        if (price.after.currency === price.before.currency && price.after.amount < price.before.amount) {
          await fanOut(event, 'PRICE_DROP', 'priceDrops', { ...base, previousPrice: price.before });
        }
        if (stock.before <= 0 && stock.after > 0) await fanOut(event, 'BACK_IN_STOCK', 'backInStock', base);
        return;
      }
      case 'product.deleted':
        return;
    }
  };
}

export type EventHandler = ReturnType<typeof createEventHandler>;
