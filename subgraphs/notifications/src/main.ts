// First: starts tracing before anything it instruments is loaded.
import { telemetry } from './instrument.js';
import { createAmqpConnection } from '@little-ecom/amqp';
import { connectMongo } from '@little-ecom/mongo';
import { runService } from '@little-ecom/service';
import { createNotificationsApp } from './app.js';
import { loadNotificationsConfig } from './config.js';

const config = loadNotificationsConfig(process.env);

await runService(config, async (logger) => {
  const mongo = await connectMongo({ ...config.mongo, logger });
  const amqp = createAmqpConnection({ url: config.amqp.url, name: config.service, logger });
  return {
    app: await createNotificationsApp(config, { db: mongo.db, amqp, logger }),
    resources: [
      { name: 'amqp', close: () => amqp.close() },
      { name: 'mongodb', close: () => mongo.close() },
      // Last, so spans of the shutdown itself are flushed too.
      { name: 'telemetry', close: () => telemetry.shutdown() },
    ],
  };
});
