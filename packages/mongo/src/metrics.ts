import type { MongoClient } from 'mongodb';
import { counter, createMetrics, gauge, histogram, type Metrics } from '@little-ecom/telemetry';

/**
 * MongoDB as metrics, from the driver's events: command latency by command name (needs the client's
 * `monitorCommands`, which connectMongo sets) and the connection pool (open, in use, checkout
 * failures). Labels are command names and outcomes only.
 */
export function mongoMetrics(client: MongoClient, metrics: Metrics): void {
  const duration = histogram(metrics, 'mongodb_command_duration_seconds', 'MongoDB command latency', ['command', 'outcome']);
  const open = gauge(metrics, 'mongodb_pool_connections', 'Open connections in the MongoDB pool');
  const inUse = gauge(metrics, 'mongodb_pool_connections_in_use', 'MongoDB connections checked out by a command');
  const checkoutFailed = counter(metrics, 'mongodb_pool_checkout_failures_total', 'Connection checkouts that failed', ['reason']);
  const seconds = (ms: number | undefined) => (ms ?? 0) / 1000;
  client.on('commandSucceeded', (e) => duration.observe({ command: e.commandName, outcome: 'ok' }, seconds(e.duration)));
  client.on('commandFailed', (e) => duration.observe({ command: e.commandName, outcome: 'error' }, seconds(e.duration)));
  client.on('connectionCreated', () => open.inc());
  client.on('connectionClosed', () => open.dec());
  client.on('connectionCheckedOut', () => inUse.inc());
  client.on('connectionCheckedIn', () => inUse.dec());
  client.on('connectionCheckOutFailed', (e) => checkoutFailed.inc({ reason: String(e.reason) }));
}

/** A service's metrics registry (process metrics included) with its MongoDB client's metrics in it. */
export function serviceMetrics(db: { client: MongoClient }): Metrics {
  const metrics = createMetrics();
  mongoMetrics(db.client, metrics);
  return metrics;
}
