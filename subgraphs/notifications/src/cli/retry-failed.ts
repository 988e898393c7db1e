// Sends FAILED notifications again, by kind, error kind or creation time, or lists how many match:
//   npm run retry:failed -w @little-ecom/notifications -- [--kind WELCOME] [--error RECIPIENT_REJECTED]
//     [--since 2026-01-01T00:00:00Z] [--until 2026-01-02T00:00:00Z] [--list]
// Uses MONGODB_URI and MONGODB_DB like the service; the running workers pick the emails up.
import { parseArgs } from 'node:util';
import { createLogger } from '@little-ecom/logger';
import { connectMongo } from '@little-ecom/mongo';
import { loadNotificationsConfig } from '../config.js';
import { parseRetryFilter } from '../notifications/notification.service.js';
import { createServices } from '../services.js';

const { values } = parseArgs({
  options: {
    kind: { type: 'string' },
    error: { type: 'string' },
    since: { type: 'string' },
    until: { type: 'string' },
    list: { type: 'boolean', default: false },
  },
});
const config = loadNotificationsConfig(process.env);
const logger = createLogger({ service: 'notifications-retry-failed', level: 'warn' });
const mongo = await connectMongo({ ...config.mongo, logger });
try {
  const filter = parseRetryFilter({
    kind: values.kind ?? null,
    errorKind: values.error ?? null,
    createdAfter: values.since ?? null,
    createdBefore: values.until ?? null,
  });
  const repository = createServices(mongo.db).repositories.notifications;
  // Counts only: never addresses or bodies.
  if (values.list) console.log(`${await repository.countFailedMatching(filter)} FAILED notifications match`);
  else console.log(`${await repository.requeueFailedMatching(filter)} FAILED notifications put back in line`);
} catch (error) {
  console.error(error instanceof Error ? error.message : String(error));
  process.exitCode = 1;
} finally {
  await mongo.close();
}
