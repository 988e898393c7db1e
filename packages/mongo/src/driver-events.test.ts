import { randomUUID } from 'node:crypto';
import { afterAll, describe, expect, it } from 'vitest';
import { createLogger } from '@little-ecom/logger';
import { currentWorkStats, runInRequest } from '@little-ecom/scope';
import { eventually, privateFerretDb, testEnv } from '@little-ecom/testing';
import { connectMongo, type MongoConnection } from './index.js';

const capture = () => {
  const lines: Record<string, unknown>[] = [];
  const logger = createLogger({
    service: 'mongo-test',
    level: 'debug',
    write: (l) => lines.push(JSON.parse(l) as Record<string, unknown>),
  });
  return { lines, logger };
};

describe('MongoDB commands per request', () => {
  let mongo: MongoConnection;
  afterAll(async () => {
    await mongo?.db.dropDatabase().catch(() => undefined);
    await mongo?.close();
  });

  it('counts each request’s own commands and their time, with requests running concurrently', async () => {
    const { logger } = capture();
    mongo = await connectMongo({ uri: testEnv.mongodbUri, dbName: `test_tally_${randomUUID().slice(0, 8)}`, logger });
    const things = mongo.db.collection<{ _id: string; n: number }>('things');
    const request = (id: string, commands: number) =>
      runInRequest(id, async () => {
        for (let i = 0; i < commands; i++) await things.updateOne({ _id: `${id}-${i}` }, { $set: { n: i } }, { upsert: true });
        await new Promise((resolve) => setTimeout(resolve, 20));
        return { ...currentWorkStats()! };
      });
    // Interleaved on one pool: each request is charged its own commands only.
    const [a, b, c] = await Promise.all([request('a', 1), request('b', 4), request('c', 7)]);
    expect([a.dbCommands, b.dbCommands, c.dbCommands]).toEqual([1, 4, 7]);
    expect(c.dbTimeMs).toBeGreaterThan(0);
    expect(a.dbFailures + b.dbFailures + c.dbFailures).toBe(0);
    // Outside any request nothing is counted, and nothing fails.
    await things.findOne({ _id: 'a-0' });
    expect(currentWorkStats()).toBeUndefined();
    // A failed command counts as one, and as a failure.
    const failed = await runInRequest('d', async () => {
      await mongo.db.command({ noSuchCommand: 1 }).catch(() => undefined);
      return { ...currentWorkStats()! };
    });
    expect(failed).toMatchObject({ dbCommands: 1, dbFailures: 1 });
  });
});

describe('driver events', () => {
  const ferret = privateFerretDb();
  afterAll(async () => (await ferret).dispose());

  it('logs a lost server once, not once per heartbeat, and its return', async () => {
    const server = await ferret;
    await server.start();
    const { lines, logger } = capture();
    const mongo = await connectMongo({
      uri: server.uri,
      dbName: 'driver_events',
      logger,
      clientOptions: { heartbeatFrequencyMS: 500, serverSelectionTimeoutMS: 2_000 },
    });
    try {
      await mongo.ping();
      await server.stop();
      await eventually(async () => (lines.some((l) => l['msg'] === 'MongoDB heartbeat failed') ? true : undefined), 15_000);
      // Several heartbeats go by while it is down: still one line.
      await new Promise((resolve) => setTimeout(resolve, 2_500));
      expect(lines.filter((l) => l['msg'] === 'MongoDB heartbeat failed')).toHaveLength(1);
      expect(lines.find((l) => l['msg'] === 'MongoDB heartbeat failed')).toMatchObject({ level: 'warn' });
      await server.start();
      await eventually(
        async () => (lines.some((l) => l['msg'] === 'MongoDB heartbeat answered again') ? true : undefined),
        15_000,
      );
      await mongo.ping();
    } finally {
      await mongo.close();
    }
  });
});
