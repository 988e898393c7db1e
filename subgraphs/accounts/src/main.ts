import { createAmqpConnection } from '@little-ecom/amqp';
import { loadSecretBox, startOutboxRelay } from '@little-ecom/events';
import { startHttpServer } from '@little-ecom/http';
import { createLogger } from '@little-ecom/logger';
import { connectMongo, ensureIndexes } from '@little-ecom/mongo';
import { exitOnStartupError, onShutdown, type ShutdownStep } from '@little-ecom/shutdown';
import { loadAccountsConfig } from './config.js';
import { createArgon2Hasher } from './passwords/password.hasher.js';
import { accountsIndexes, createServer } from './server.js';
import { loadSigningKeys } from './tokens/signing-keys.js';
import { USERS } from './users/user.repository.js';

const HOUSEKEEPING_INTERVAL_MS = 10 * 60_000;

const config = loadAccountsConfig(process.env);
const logger = createLogger({ service: config.service, level: config.log.level, fluentd: config.log.fluentd });

try {
  const mongo = await connectMongo({ ...config.mongo, logger });
  await ensureIndexes(mongo.db, accountsIndexes);
  const keys = await loadSigningKeys(config.keys, logger);
  const hasher = await createArgon2Hasher(config.auth.argon2);
  const { apollo, context, routes, housekeeping } = createServer({
    db: mongo.db,
    logger,
    production: config.production,
    keys,
    settings: config.auth,
    hasher,
    eventSecrets: loadSecretBox(config.eventSecrets),
  });
  const http = await startHttpServer(
    {
      apollo,
      context,
      routes,
      logger,
      trustProxy: config.trustProxy,
      readiness: [{ name: 'mongodb', check: () => mongo.ping() }],
    },
    config.http,
  );
  logger.info('accounts subgraph ready', {
    url: `${http.url}/graphql`,
    jwks: `${http.url}/.well-known/jwks.json`,
    kid: keys.active.kid,
  });

  // Expiry is the application's job on FerretDB (no TTL indexes); every replica may run it, it is idempotent.
  const timer = setInterval(() => {
    housekeeping().then(
      (deleted) => logger.debug('housekeeping done', deleted),
      (error: unknown) => logger.warn('housekeeping failed', { err: error }),
    );
  }, HOUSEKEEPING_INTERVAL_MS);
  timer.unref();

  // user.* events wait in user documents' outbox while the broker is away; the relay publishes them in order.
  const amqp = createAmqpConnection({ url: config.amqp.url, name: 'accounts', logger });
  const relay = startOutboxRelay({
    db: mongo.db,
    collections: [USERS],
    connection: amqp,
    logger,
    exchange: config.amqp.exchange,
    ...config.outbox,
  });

  // Steps run in order on SIGTERM; background workers (e.g. an outbox relay) go before `mongodb`.
  const shutdownSteps: ShutdownStep[] = [
    { name: 'http', run: () => http.drain(config.shutdownTimeoutMs) },
    { name: 'housekeeping', run: async () => clearInterval(timer) },
    { name: 'outbox relay', run: () => relay.stop() },
    { name: 'amqp', run: () => amqp.close() },
    { name: 'mongodb', run: () => mongo.close() },
  ];
  onShutdown(logger, shutdownSteps, { timeoutMs: config.shutdownTimeoutMs + 5_000 });
} catch (error) {
  await exitOnStartupError(logger, error);
}
