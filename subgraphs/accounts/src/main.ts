// First: starts tracing before anything it instruments is loaded.
import { telemetry } from './instrument.js';
import { createAmqpConnection } from '@little-ecom/amqp';
import { connectMongo } from '@little-ecom/mongo';
import { runService } from '@little-ecom/service';
import { createAccountsApp } from './app.js';
import { loadAccountsConfig } from './config.js';

const config = loadAccountsConfig(process.env);

await runService(config, async (logger) => {
  const mongo = await connectMongo({ ...config.mongo, logger });
  const amqp = createAmqpConnection({ url: config.amqp.url, name: config.service, logger });
  const app = await createAccountsApp(config, { db: mongo.db, amqp, logger });
  return {
    app,
    resources: [
      { name: 'amqp', close: () => amqp.close() },
      { name: 'mongodb', close: () => mongo.close() },
      // Last, so spans of the shutdown itself are flushed too.
      { name: 'telemetry', close: () => telemetry.shutdown() },
    ],
    readyFields: { jwks: app.jwksPath, kid: app.keys.active.kid },
  };
});
