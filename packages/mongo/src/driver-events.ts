import type { CommandFailedEvent, CommandStartedEvent, CommandSucceededEvent, MongoClient, TopologyDescription } from 'mongodb';
import type { Logger } from '@little-ecom/logger';
import { currentWorkStats, type WorkStats } from '@little-ecom/scope';

/** Commands started and not yet answered, each with the counters of the work that sent it. */
const MAX_IN_FLIGHT = 10_000;

/**
 * Counts every command the client sends against the work that sent it (the request or event running
 * in its async context, see `currentWorkStats`), so each request's log line says how many commands it
 * ran and how long they took; at 100 % of requests, unlike sampled traces. Needs `monitorCommands`.
 */
export function tallyCommands(client: MongoClient): void {
  const inFlight = new Map<string, WorkStats>();
  const key = (e: CommandStartedEvent | CommandSucceededEvent | CommandFailedEvent) => `${String(e.connectionId)}:${e.requestId}`;
  const settle = (e: CommandSucceededEvent | CommandFailedEvent, failed: boolean) => {
    const stats = inFlight.get(key(e));
    if (!stats) return;
    inFlight.delete(key(e));
    stats.dbCommands++;
    stats.dbTimeMs += e.duration;
    if (failed) stats.dbFailures++;
  };
  client.on('commandStarted', (e) => {
    const stats = currentWorkStats();
    if (!stats) return;
    // Bounded: answers lost with a dropped connection must not grow the map forever.
    if (inFlight.size >= MAX_IN_FLIGHT) inFlight.clear();
    inFlight.set(key(e), stats);
  });
  client.on('commandSucceeded', (e) => settle(e, false));
  client.on('commandFailed', (e) => settle(e, true));
}

const primaryOf = (topology: TopologyDescription) =>
  [...topology.servers.values()].find((server) => server.type === 'RSPrimary')?.address ?? null;

/**
 * Logs the driver events an operator needs when requests slow down or fail: a new or lost primary
 * (failover), a cleared connection pool, and the first failed heartbeat of a server (once, until it
 * answers again, so an outage is one line and not one per heartbeat).
 */
export function logDriverEvents(client: MongoClient, logger: Logger): void {
  const failing = new Set<string>();
  client.on('serverHeartbeatFailed', (e) => {
    if (failing.has(e.connectionId)) return;
    failing.add(e.connectionId);
    logger.warn('MongoDB heartbeat failed', { server: e.connectionId, err: e.failure });
  });
  client.on('serverHeartbeatSucceeded', (e) => {
    if (failing.delete(e.connectionId)) logger.info('MongoDB heartbeat answered again', { server: e.connectionId });
  });
  client.on('connectionPoolCleared', (e) => logger.warn('MongoDB connection pool cleared', { server: e.address }));
  client.on('topologyDescriptionChanged', (e) => {
    // Replica sets only: a standalone server (FerretDB, a dev mongod) has no primary to change.
    if (!e.newDescription.type.startsWith('ReplicaSet')) return;
    const before = primaryOf(e.previousDescription);
    const after = primaryOf(e.newDescription);
    if (before === after) return;
    if (after) logger.info('MongoDB primary elected', { primary: after, previous: before });
    else logger.warn('MongoDB replica set has no primary', { previous: before });
  });
}
