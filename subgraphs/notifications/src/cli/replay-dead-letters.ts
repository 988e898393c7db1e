// Moves dead-lettered events back to the notifications queue, or lists them:
//   npm run replay:dead-letters -w @little-ecom/notifications -- [--list] [--limit 100] [--type user.registered]
// Uses AMQP_URL and AMQP_PREFIX like the service.
import { parseArgs } from 'node:util';
import amqp from 'amqplib';
import { loadNotificationsConfig } from '../config.js';
import { replayDeadLetters } from '../events/dead-letters.js';
import { notificationsTopology } from '../events/topology.js';

const { values } = parseArgs({
  options: {
    list: { type: 'boolean', default: false },
    limit: { type: 'string', default: '100' },
    type: { type: 'string', multiple: true },
  },
});
const config = loadNotificationsConfig(process.env);
const topology = notificationsTopology(config.events.prefix, config.events.retry);
const model = await amqp.connect(config.amqp.url, { clientProperties: { connection_name: 'notifications-replay-dead-letters' } });
try {
  const probe = await model.createChannel();
  probe.on('error', () => undefined);
  const exists = await probe.checkQueue(topology.deadLetterQueue).then(
    () => true,
    () => false,
  );
  if (!exists) {
    console.error(
      `No queue ${topology.deadLetterQueue} on ${config.amqp.url.replace(/\/\/[^@]*@/, '//')}: has notifications ever started with this AMQP_PREFIX?`,
    );
    process.exitCode = 1;
  }
  const channel = await model.createConfirmChannel();
  const result = !exists
    ? { kept: [], replayed: [] }
    : await replayDeadLetters(channel, topology, {
        limit: Math.min(Math.max(Number(values.limit) || 100, 1), 100_000),
        dryRun: values.list,
        ...(values.type ? { types: values.type } : {}),
      });
  for (const letter of result.kept) console.log(JSON.stringify({ action: values.list ? 'listed' : 'kept', ...letter }));
  for (const letter of result.replayed) console.log(JSON.stringify({ action: 'replayed', ...letter }));
  console.log(
    `${result.replayed.length} replayed to ${topology.queue}, ${result.kept.length} left in ${topology.deadLetterQueue}`,
  );
} finally {
  await model.close();
}
