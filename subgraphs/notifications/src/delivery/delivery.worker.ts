import { randomUUID } from 'node:crypto';
import type { Db } from 'mongodb';
import { createWakeup } from '@little-ecom/coordination';
import { loadSecretBox, type SecretBox } from '@little-ecom/secrets';
import type { Logger } from '@little-ecom/logger';
import { SpanKind, contextFromHeaders, inSpan, withTraceContext, type Metrics } from '@little-ecom/telemetry';
import type { DeliveryOutcome, NotificationDocument, NotificationRepository } from '../notifications/notification.repository.js';
import { renderEmail, type EmailInput } from '../notifications/templates/registry.js';
import type { Circuit, CircuitDocument } from './circuit.js';
import { PUBLIC_ERROR, classifySmtpError, renderError, type DeliveryError } from './errors.js';
import type { Mailer } from './mailer.js';
import { deliveryMetrics } from './metrics.js';

export interface DeliverySettings {
  /** Emails sent at once by one worker (one claimed batch). */
  concurrency: number;
  /**
   * An email that keeps failing for reasons of its own is FAILED only after at least this many
   * attempts AND `retryWindowMs` since it was recorded; outages never fail an email.
   */
  maxAttempts: number;
  retryBaseMs: number;
  retryMaxDelayMs: number;
  pollIntervalMs: number;
  /** How long an email keeps being retried; default 24 h. */
  retryWindowMs?: number;
  /** First wait before probing a paused SMTP server; doubles up to `circuitProbeMaxMs` (the circuit is built in services.ts). */
  circuitProbeMs?: number;
  circuitProbeMaxMs?: number;
  /** How long a claim holds before another worker may take the email over. */
  claimTtlMs?: number;
}

const DEFAULT_RETRY_WINDOW_MS = 24 * 60 * 60_000;
/** A claimed batch holds this many rounds of `concurrency` sends. */
const BATCH_ROUNDS = 5;

export interface DeliveryWorker {
  /** Looks for due notifications now (called after recording new ones). */
  notify(): void;
  stop(): Promise<void>;
}

/** Exponential backoff: base, 2×base, 4×base … capped, with ±20% jitter so retries spread out. */
export function retryDelay(attempts: number, baseMs: number, maxMs: number): number {
  const delay = Math.min(baseMs * 2 ** Math.max(0, attempts - 1), maxMs);
  return Math.round(delay * (0.8 + Math.random() * 0.4));
}

/** Renders what a notification stores into the email to send. */
export type Renderer = (input: EmailInput) => { subject: string; text: string; html: string };

/**
 * Sends recorded notifications in claimed batches. Each round claims due notifications on the
 * documents themselves (a token and an expiry, renewed while the batch is sent), sends them
 * `concurrency` at a time, and stores each outcome as soon as it is known (outcomes ending together
 * share a write); a write applies only while the claim still holds, so two workers never both send
 * an email and a worker that lost its claim cannot overwrite the other's result.
 *
 * Errors of the SMTP service (unreachable, 535, throttling) open a circuit shared by all workers:
 * nobody sends until a probe succeeds, and the emails meanwhile stay PENDING with their retry
 * budget untouched. Only an error about one email (a refused recipient) fails that email.
 */
export function startDeliveryWorker(deps: {
  db: Db;
  repository: NotificationRepository;
  /** The SMTP circuit shared by every worker on the database (see services.ts). */
  circuit: Circuit;
  mailer: Mailer;
  logger: Logger;
  settings: DeliverySettings;
  render: Renderer;
  /** The service's metrics: emails sent, retried and failed, and the age of the oldest pending one. */
  metrics?: Metrics;
}): DeliveryWorker {
  const { repository, circuit, mailer, settings } = deps;
  const counters = deliveryMetrics(deps.metrics, deps.db);
  const log = deps.logger;
  const retryWindowMs = settings.retryWindowMs ?? DEFAULT_RETRY_WINDOW_MS;
  const claimTtlMs = settings.claimTtlMs ?? 60_000;
  const workerId = `delivery-${randomUUID()}`;
  const wakeup = createWakeup();
  const notify = () => wakeup.wake();
  let paused: CircuitDocument | null = null;

  const render = (n: NotificationDocument) =>
    n.input ? deps.render(n.input) : { subject: n.subject, text: n.text ?? '', html: n.html ?? '' };

  async function attempt(n: NotificationDocument): Promise<{ outcome: DeliveryOutcome; error?: DeliveryError }> {
    const attempts = n.attempts + 1;
    const failed = (error: DeliveryError) => ({
      outcome: { id: n._id, attempts, kind: error.kind, lastError: PUBLIC_ERROR[error.kind], detail: error.detail },
      error,
    });
    // A reset link past its expiry is useless and confusing: never sent, visibly FAILED as EXPIRED.
    if (n.input?.kind === 'PASSWORD_RESET' && Date.parse(n.input.expiresAt) <= Date.now()) {
      const error: DeliveryError = {
        kind: 'EXPIRED',
        scope: 'message',
        permanent: true,
        detail: `the reset link expired at ${n.input.expiresAt}`,
      };
      const { outcome } = failed(error);
      return { outcome: { ...outcome, result: 'FAILED' }, error };
    }
    // Rendering is ours, not the SMTP server's: its errors fail this email only (outside the send's try).
    let email: ReturnType<Renderer>;
    try {
      email = render(n);
    } catch (thrown) {
      const { outcome, error } = failed(renderError(thrown));
      return { outcome: { ...outcome, result: 'FAILED' }, error };
    }
    try {
      // A child of the consumer span that recorded the email, so the send shows in the mutation's trace.
      const span = {
        kind: SpanKind.CLIENT,
        parent: contextFromHeaders(n.trace),
        attributes: { 'notification.id': n._id.toHexString(), 'notification.kind': n.kind, 'notification.attempt': attempts },
      };
      await inSpan('smtp send', span, () =>
        mailer.send({
          to: n.to,
          subject: n.subject,
          text: email.text,
          html: email.html,
          messageId: `<${n._id.toHexString()}@little-ecom>`,
          correlationId: n.correlationId,
        }),
      );
      return { outcome: { id: n._id, result: 'SENT', attempts } };
    } catch (thrown) {
      const error = classifySmtpError(thrown);
      const common = { id: n._id, attempts, kind: error.kind, lastError: PUBLIC_ERROR[error.kind], detail: error.detail };
      if (error.scope === 'service') {
        // Due again at once: the circuit, not the email, decides when the next try happens.
        return { outcome: { ...common, result: 'RETRY', nextAttemptAt: new Date() }, error };
      }
      const windowOver = Date.now() - (n.retryFrom ?? n.createdAt).getTime() >= retryWindowMs;
      if (error.permanent || (windowOver && attempts >= settings.maxAttempts)) {
        return { outcome: { ...common, result: 'FAILED' }, error };
      }
      const next = new Date(Date.now() + retryDelay(attempts, settings.retryBaseMs, settings.retryMaxDelayMs));
      return { outcome: { ...common, result: 'RETRY', nextAttemptAt: next }, error };
    }
  }

  function report(n: NotificationDocument, outcome: DeliveryOutcome, error?: DeliveryError) {
    const fields = {
      notificationId: n._id.toHexString(),
      notificationKind: n.kind,
      eventId: n.eventId,
      requestId: n.correlationId,
      attempts: 'attempts' in outcome ? outcome.attempts : n.attempts,
    };
    counters.outcome(n.kind, outcome.result, error?.kind);
    if (outcome.result === 'SENT') log.info('notification sent', { ...fields, deliveryStatus: 'SENT' });
    else if (outcome.result === 'FAILED')
      log.error('notification failed', { ...fields, deliveryStatus: 'FAILED', errorCode: error?.kind, err: error?.detail });
    else if (outcome.result === 'RETRY')
      log.warn('notification retry scheduled', {
        ...fields,
        deliveryStatus: 'PENDING',
        errorCode: error?.kind,
        err: error?.detail,
      });
  }

  /** One round: claim, send, settle each as it ends. Returns how many were claimed. */
  async function round(limit: number): Promise<number> {
    const now = new Date();
    const batch = await repository.claimDue(workerId, now, new Date(now.getTime() + claimTtlMs), limit);
    if (batch.length === 0) return 0;
    // At most `concurrency` sends at once; the batch is larger so its few queries are shared by more emails.
    const results: { n: NotificationDocument; outcome: DeliveryOutcome; error?: DeliveryError }[] = [];
    const open = new Set(batch.map((n) => n._id.toHexString()));
    // Each outcome is stored as soon as it is known (the SMTP server accepted the email): a crash or a
    // lost claim resends at most the emails in flight, not the whole batch. Outcomes that end while a
    // write is under way go together in the next one.
    let queued: DeliveryOutcome[] = [];
    let writing: Promise<void> = Promise.resolve();
    let lost = 0;
    const flush = () => {
      writing = writing.then(async () => {
        const outcomes = queued;
        queued = [];
        if (outcomes.length === 0) return;
        try {
          lost += await repository.settle(workerId, outcomes);
        } catch (error) {
          // Not stored: the claims expire and the emails are sent again (the at-least-once window).
          log.warn('delivery outcomes not stored', { err: error, count: outcomes.length });
        }
      });
    };
    const settled = (r: (typeof results)[number]) => {
      results.push(r);
      open.delete(r.n._id.toHexString());
      // Each outcome's log line carries the trace of the event that caused the email.
      withTraceContext(r.n.trace, () => report(r.n, r.outcome, r.error));
      queued.push(r.outcome);
      flush();
    };
    // The claims are renewed while the batch is being sent, so a slow server never lets another
    // worker take over (and send again) an email this one is still sending.
    let renewing = false;
    const renewer = setInterval(
      () => {
        const ids = batch.filter((n) => open.has(n._id.toHexString())).map((n) => n._id);
        // One renewal at a time: a slow database must not pile them up.
        if (ids.length === 0 || renewing) return;
        renewing = true;
        repository
          .renewClaims(workerId, ids, new Date(Date.now() + claimTtlMs))
          .catch((error: unknown) => log.warn('delivery claims not renewed', { err: error }))
          .finally(() => (renewing = false));
      },
      Math.max(50, Math.floor(claimTtlMs / 4)),
    );
    let next = 0;
    const lane = async () => {
      while (next < batch.length) {
        const n = batch[next++]!;
        // Once the server failed as a whole, the rest of the batch is not tried: released as it was.
        if (results.some((r) => r.error?.scope === 'service')) settled({ n, outcome: { id: n._id, result: 'RELEASE' } });
        else settled({ n, ...(await attempt(n)) });
      }
    };
    try {
      await Promise.all(Array.from({ length: Math.min(settings.concurrency, batch.length) }, lane));
    } finally {
      clearInterval(renewer);
      flush();
      await writing;
    }
    const serviceError = results.find((r) => r.error?.scope === 'service')?.error;
    if (lost > 0) log.warn('delivery claims lost before the outcome was stored', { lost, errorCode: 'CLAIM_LOST' });
    if (serviceError) {
      paused = await circuit.trip(serviceError.kind, serviceError.detail);
      log.warn('delivery paused', {
        errorCode: serviceError.kind,
        err: serviceError.detail,
        nextProbeAt: paused.probeAt.toISOString(),
        failures: paused.failures,
      });
    } else if (paused && results.some((r) => r.outcome.result === 'SENT')) {
      await circuit.close();
      log.info('delivery resumed', { errorCode: paused.reason, pausedSince: paused.openedAt.toISOString() });
      paused = null;
    }
    return batch.length;
  }

  const loop = (async () => {
    while (!wakeup.stopped) {
      wakeup.beginRound();
      let wait = settings.pollIntervalMs;
      try {
        const state = await circuit.state();
        if (state && !paused) log.warn('delivery paused by another worker', { errorCode: state.reason });
        if (!state && paused) log.info('delivery resumed', { errorCode: paused.reason });
        paused = state;
        if (paused) {
          // Paused: one probe when it is due, otherwise wait for it.
          if (await circuit.claimProbe()) await round(1);
          const probeIn = paused ? Math.max(0, paused.probeAt.getTime() - Date.now()) : 0;
          wait = Math.min(wait, probeIn);
        } else {
          const claimed = await round(settings.concurrency * BATCH_ROUNDS);
          if (claimed > 0) wait = 0;
          else {
            // Nothing to do now: sleep until the next retry is due (or a wake-up).
            const next = await repository.nextDueAt();
            // One due already (held by another worker, or just released) waits a poll interval, so a
            // batch another worker is sending is not polled for in a busy loop.
            if (next && next.getTime() > Date.now()) wait = Math.min(wait, next.getTime() - Date.now());
          }
        }
      } catch (error) {
        log.warn('delivery pass failed, will retry', { err: error });
      }
      // At least a few ms when idle: a due notification another worker holds must not make this a busy loop.
      if (wait > 0 || wakeup.stopped) await wakeup.sleep(Math.max(wait, 20));
    }
  })();

  return {
    notify,
    async stop() {
      wakeup.stop();
      await loop;
    },
  };
}

/** The renderer of a notifications runtime: templates with the storefront's links. */
export const templateRenderer =
  (storefrontUrl: string, secrets: SecretBox = loadSecretBox({})): Renderer =>
  (input) =>
    renderEmail(input, storefrontUrl, secrets);
