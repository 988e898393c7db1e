import type { Db } from 'mongodb';
import { brokerReadiness, type AmqpConnection } from '@little-ecom/amqp';
import { startOutboxRelay, startEventTopology } from '@little-ecom/events';
import { loadSecretBox, type SecretBox } from '@little-ecom/secrets';
import type { Logger } from '@little-ecom/logger';
import { databaseReadiness, ensureIndexes, serviceMetrics } from '@little-ecom/mongo';
import { gatewayOnly, type GatewayKeyDeps, type ServiceApp, type Worker } from '@little-ecom/service';
import type { AccountsConfig } from './config.js';
import type { AccountsContext } from './context.js';
import { createArgon2Hasher, type PasswordHasher } from './passwords/password.hasher.js';
import { JWKS_PATH, createServer } from './server.js';
import { createServices, type AccountsServices } from './services.js';
import { loadSigningKeys, type SigningKeys } from './tokens/signing-keys.js';
import type { CreateAdminInput, CreateAdminResult } from './users/create-admin.js';
import { USERS } from './users/user.repository.js';

const HOUSEKEEPING_INTERVAL_MS = 10 * 60_000;

export interface AccountsAppDeps extends GatewayKeyDeps {
  db: Db;
  logger: Logger;
  /** The outbox relay publishes `user.*` through it; without one, events wait in user documents. */
  amqp?: AmqpConnection;
  /** By default from the config (JWT_SIGNING_KEYS, or the development key file). */
  keys?: SigningKeys;
  /** By default argon2id with the configured parameters; tests pass cheaper or counting ones. */
  hasher?: PasswordHasher;
  /** Seals the reset token in its event; by default from EVENT_SECRETS_KEY (or the development key file). */
  eventSecrets?: SecretBox;
  /** Seals TOTP secrets; by default from TOTP_SECRETS_KEY (or its development key file). */
  totpSecrets?: SecretBox;
  clock?: () => Date;
}

export interface AccountsApp extends ServiceApp<AccountsContext> {
  keys: SigningKeys;
  jwksPath: string;
  /** What `createServices` built: the server, the workers and `createAdmin` run on these. */
  services: AccountsServices;
  /** Deletes expired sessions and login failures (a worker runs it every 10 minutes). */
  housekeeping(): Promise<{ sessions: number; loginFailures: number }>;
  /** What the create-admin command does: creates an ADMIN, or promotes the account with this email. */
  createAdmin(input: CreateAdminInput, correlationId: string): Promise<CreateAdminResult>;
}

/** The whole accounts subgraph, from its config and connections: what main, tests, benches and the CLI run. */
export async function createAccountsApp(config: AccountsConfig, deps: AccountsAppDeps): Promise<AccountsApp> {
  const { db, logger, amqp } = deps;
  const metrics = serviceMetrics(db);
  const keys = deps.keys ?? (await loadSigningKeys(config.keys, logger));
  const hasher = deps.hasher ?? (await createArgon2Hasher(config.auth.argon2));
  const gateway = gatewayOnly(config.gatewayKey, deps);
  const eventSecrets = deps.eventSecrets ?? loadSecretBox(config.eventSecrets);
  const services = createServices({
    db,
    logger,
    keys,
    settings: config.auth,
    hasher,
    eventSecrets,
    totpSecrets: deps.totpSecrets ?? loadSecretBox({ key: config.totp.secretsKey, devKeyFile: config.totp.devKeyFile }),
    // Before TOTP had its own key its secrets were sealed with the events key: read once, then sealed again.
    legacyTotpSecrets: eventSecrets,
    totpIssuer: config.totp.issuer,
    production: config.production,
    clock: deps.clock ?? (() => new Date()),
  });
  await ensureIndexes(db, services.indexes);
  const server = createServer({
    services,
    keys,
    jwksMaxAgeSeconds: config.auth.tokens.jwksMaxAgeSeconds,
    logger,
    production: config.production,
    limits: config.limits,
  });
  return {
    name: config.service,
    keys,
    jwksPath: JWKS_PATH,
    services,
    housekeeping: services.housekeeping,
    createAdmin: services.createAdmin,
    http: {
      apollo: server.apollo,
      context: server.context,
      routes: server.routes,
      metrics,
      ...gateway,
      readiness: [
        databaseReadiness(db),
        // Detail only: without the broker writes still succeed and their events wait in the outbox.
        ...(amqp ? [brokerReadiness(amqp)] : []),
      ],
    },
    start(): Worker[] {
      // Expiry is the application's job on FerretDB (no TTL indexes); every replica may run it, it is idempotent.
      const timer = setInterval(() => {
        services.housekeeping().then(
          (deleted) => logger.debug('housekeeping done', deleted),
          (error: unknown) => logger.warn('housekeeping failed', { err: error }),
        );
      }, HOUSEKEEPING_INTERVAL_MS);
      timer.unref();
      const workers: Worker[] = [
        { name: 'housekeeping', stop: async () => clearInterval(timer) },
        { name: 'revocations', stop: async () => services.revocations.stop() },
      ];
      if (amqp) {
        // Every consumer's queue exists before the first event is published, whoever started first.
        startEventTopology(amqp, { exchange: config.amqp.exchange, logger, metrics });
        // user.* events wait in user documents' outbox while the broker is away; the relay publishes them in order.
        const relay = startOutboxRelay({
          db,
          collections: [USERS],
          connection: amqp,
          logger,
          exchange: config.amqp.exchange,
          ...config.outbox,
          metrics,
        });
        workers.push({ name: 'outbox relay', stop: () => relay.stop() });
      }
      return workers;
    },
  };
}
