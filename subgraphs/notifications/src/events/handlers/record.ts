import type { EventEnvelope } from '@little-ecom/events';
import type { NewNotification } from '../../notifications/notification.repository.js';
import { renderEmail, type EmailInput } from '../../notifications/templates/registry.js';
import type { HandlerDeps } from './deps.js';

/** One email to record: who gets which kind, with what the template needs. */
export interface EmailToRecord {
  recipientId: string;
  to: string;
  input: EmailInput;
  productId?: string;
  orderId?: string;
}

/** Records one notification per email (idempotent per event, recipient and kind) and wakes delivery. */
export async function recordEmails(event: EventEnvelope, emails: EmailToRecord[], deps: HandlerDeps): Promise<number> {
  const batch: NewNotification[] = emails.map((email) => ({
    eventId: event.id,
    recipientId: email.recipientId,
    kind: email.input.kind,
    correlationId: event.correlationId,
    to: email.to,
    ...(email.productId ? { productId: email.productId } : {}),
    ...(email.orderId ? { orderId: email.orderId } : {}),
    // Only the subject is kept now (lists show it); bodies are rendered when the email is sent.
    subject: renderEmail(email.input, deps.storefrontUrl, deps.secrets).subject,
    input: email.input,
  }));
  const created = await deps.notifications.record(batch);
  if (created > 0) deps.onRecorded();
  return created;
}
