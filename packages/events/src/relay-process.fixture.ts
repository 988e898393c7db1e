// One outbox relay as a process of its own, for tests that run several of them on one database
// (replicas in production are processes, and FerretDB/MongoDB see them as separate clients).
// Configured by env; on SIGTERM it stops and prints its stats as one JSON line.
import { MongoClient } from 'mongodb';
import { createAmqpConnection } from '@little-ecom/amqp';
import { silentLogger } from '@little-ecom/logger';
import { startOutboxRelay } from './relay.js';

const env = (name: string) => {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is required`);
  return value;
};

const client = new MongoClient(env('RELAY_MONGODB_URI'));
await client.connect();
const connection = createAmqpConnection({ url: env('RELAY_AMQP_URL'), name: env('RELAY_OWNER'), logger: silentLogger });
const relay = startOutboxRelay({
  db: client.db(env('RELAY_DB')),
  collections: [env('RELAY_COLLECTION')],
  connection,
  logger: silentLogger,
  exchange: env('RELAY_EXCHANGE'),
  owner: env('RELAY_OWNER'),
  pollIntervalMs: 50,
  // The tests write from another process, so these relays find the writes by sweeping: keep sweeps frequent.
  maxSweepIntervalMs: 200,
  batchSize: 20,
  ...(process.env.RELAY_LEASE_MS ? { leaseMs: Number(process.env.RELAY_LEASE_MS) } : {}),
  ...(process.env.RELAY_MAX_BATCH_EVENTS ? { maxBatchEvents: Number(process.env.RELAY_MAX_BATCH_EVENTS) } : {}),
});
await connection.ready();
process.stdout.write('ready\n');
process.once('SIGTERM', () => {
  void (async () => {
    await relay.stop();
    await connection.close();
    await client.close();
    process.stdout.write(`${JSON.stringify(relay.stats())}\n`);
    process.exit(0);
  })();
});
