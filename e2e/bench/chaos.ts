// Chaos run of the event pipeline: `npm run bench:chaos [-- --products 40 --signups 20 --subscribers 3 --seconds 60]`.
// accounts, products and notifications run as processes of their own (their real main.ts), on a
// private RabbitMQ node, a private Mailpit and fresh databases on the local FerretDB, all on loopback.
// While products and sign-ups are created at a steady pace, a scheduler injects, in turn: a broker
// restart, an SMTP outage of a few seconds, and SIGKILLs of the notifications process (consumer,
// fan-out, delivery) and of the products and accounts processes (API and outbox relay), each
// restarted a second later. Everything is bounded: the load stops after `seconds`, the drain after
// 5 minutes. Prints events written / consumed and emails expected / sent / duplicated / missing,
// with duplicates at the SMTP boundary (the same Message-ID accepted twice) reported apart.
// It always ends by itself and stops what it started: every request has a timeout, a service that does
// not come back within a minute is reported as a failed fault (exit code 1), a watchdog ends a run that
// overstays its bound, and Ctrl-C (or SIGTERM) stops the processes, the broker and Mailpit first.
import { spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { MongoClient } from 'mongodb';
import { decodeGatewaySigningKey, gatewayPublicKeyText, generateGatewaySigningKey } from '@little-ecom/auth';
import {
  boundedArg,
  freePort,
  signedAsGateway,
  graphqlRequest,
  privateMailpit,
  privateRabbitMq,
  testEnv,
} from '@little-ecom/testing';
import { repoRoot } from '../test/harness.js';

const { values } = parseArgs({
  options: {
    products: { type: 'string', default: '40' },
    signups: { type: 'string', default: '20' },
    subscribers: { type: 'string', default: '3' },
    seconds: { type: 'string', default: '60' },
  },
});
const productCount = boundedArg(values.products, 1, 1_000);
const signUpCount = boundedArg(values.signups, 1, 1_000);
const subscriberCount = boundedArg(values.subscribers, 1, 50);
const seconds = boundedArg(values.seconds, 10, 600);
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
/** Longest wait for one request to a service or Mailpit: a process killed mid-answer must not hang the run. */
const REQUEST_TIMEOUT_MS = 10_000;
const log = (line: string) => process.stderr.write(`[chaos ${new Date().toISOString().slice(11, 19)}] ${line}\n`);

const run = randomUUID().slice(0, 8);
const rabbit = await privateRabbitMq();
const mailpit = await privateMailpit();
const mongo = new MongoClient(testEnv.mongodbUri);
const keyDir = mkdtempSync(join(tmpdir(), 'little-ecom-chaos-'));
const gatewayKey = decodeGatewaySigningKey(generateGatewaySigningKey());
const ports = { accounts: await freePort(), products: await freePort(), notifications: await freePort() };
const dbs = { accounts: `chaos_accounts_${run}`, products: `chaos_products_${run}`, notifications: `chaos_notifications_${run}` };
const accountsUrl = `http://127.0.0.1:${ports.accounts}`;

type Service = keyof typeof ports;
const env: Record<Service, Record<string, string>> = {
  accounts: {
    JWT_DEV_KEY_FILE: join(keyDir, 'jwt-signing-key.json'),
    OUTBOX_POLL_INTERVAL_MS: '200',
    // Every sign-up comes from this one machine: the per-address limit would stop the load after 10.
    RATE_LIMIT_SIGN_UPS_PER_ADDRESS: String(signUpCount + 10),
  },
  products: { OUTBOX_POLL_INTERVAL_MS: '200' },
  notifications: {
    SMTP_URL: mailpit.smtpUrl,
    DELIVERY_POLL_INTERVAL_MS: '200',
    DELIVERY_CIRCUIT_PROBE_MS: '500',
    DELIVERY_CIRCUIT_PROBE_MAX_MS: '2000',
    DELIVERY_RETRY_BASE_MS: '500',
  },
};
const processes = new Map<Service, ChildProcess>();

async function startService(name: Service): Promise<void> {
  const child = spawn(process.execPath, ['--import', 'tsx', '--conditions=source', `subgraphs/${name}/src/main.ts`], {
    cwd: repoRoot,
    stdio: ['ignore', 'ignore', 'inherit'],
    env: {
      ...process.env,
      NODE_ENV: 'test',
      LOG_LEVEL: 'error',
      PORT: String(ports[name]),
      MONGODB_URI: testEnv.mongodbUri,
      MONGODB_DB: dbs[name],
      AMQP_URL: rabbit.url,
      GATEWAY_PUBLIC_KEY: gatewayPublicKeyText(gatewayKey),
      JWKS_URL: `${accountsUrl}/.well-known/jwks.json`,
      REVOCATIONS_URL: `${accountsUrl}/internal/revocations`,
      ...env[name],
    },
  });
  processes.set(name, child);
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`${name} exited with ${child.exitCode}`);
    const ready = await fetch(`http://127.0.0.1:${ports[name]}/readyz`, { signal: AbortSignal.timeout(2_000) }).then(
      (r) => r.ok,
      () => false,
    );
    if (ready) return;
    await sleep(200);
  }
  throw new Error(`${name} did not become ready within 60 s`);
}

async function killService(name: Service): Promise<void> {
  const child = processes.get(name);
  if (!child || child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGKILL');
  await exited;
}

/** A GraphQL request signed as the gateway signs it; undefined when the service was down (killed). */
async function gql<T>(service: Service, query: string, variables: Record<string, unknown>, token?: string) {
  try {
    return await graphqlRequest<T>(
      `http://127.0.0.1:${ports[service]}/graphql`,
      query,
      variables,
      signedAsGateway(gatewayKey, service, '127.0.0.1', token ? `Bearer ${token}` : undefined),
      { timeoutMs: REQUEST_TIMEOUT_MS },
    );
  } catch {
    return undefined;
  }
}

const SIGN_UP = 'mutation($input: SignUpInput!) { signUp(input: $input) { accessToken } }';
const LOG_IN = 'mutation($email: String!, $password: String!) { logIn(email: $email, password: $password) { accessToken } }';
const CREATE = 'mutation($input: CreateProductInput!) { createProduct(input: $input) { id } }';
const PASSWORD = 'a chaos run password 123';

type Result = { data?: unknown; errors?: { extensions?: Record<string, unknown> }[] } | undefined;

/**
 * Retries a mutation the chaos made fail (the service killed or restarting, its token check waiting
 * for accounts), bounded: 20 s in all, whatever each try takes. CONFLICT means an earlier try was
 * stored before its answer was lost.
 */
async function persist(what: () => Promise<Result>): Promise<boolean> {
  const deadline = Date.now() + 20_000;
  for (let attempt = 0; attempt < 40 && Date.now() < deadline; attempt++) {
    const result = await what();
    if (result?.data || result?.errors?.[0]?.extensions?.['code'] === 'CONFLICT') return true;
    await sleep(500);
  }
  return false;
}

/** Stops everything the run started, once (the end of the run, the watchdog, Ctrl-C). */
let stopping: Promise<void> | undefined;
const stopEverything = () =>
  (stopping ??= (async () => {
    for (const name of processes.keys()) await killService(name);
    for (const db of Object.values(dbs))
      await mongo
        .db(db)
        .dropDatabase()
        .catch(() => undefined);
    await mongo.close().catch(() => undefined);
    await mailpit.dispose();
    await rabbit.dispose();
    rmSync(keyDir, { recursive: true, force: true });
  })());
for (const signal of ['SIGINT', 'SIGTERM'] as const)
  process.once(signal, () => {
    log(`${signal}: stopping what the run started`);
    void stopEverything().finally(() => process.exit(130));
  });
// The run's own bound: load, drain (5 min) and the restarts fit well inside it.
const watchdog = setTimeout(
  () => {
    log('FAILED: the run overstayed its bound (a hang); stopping what it started');
    void stopEverything().finally(() => process.exit(1));
  },
  (seconds + 10 * 60) * 1000,
);
watchdog.unref();

const chaos = [
  { name: 'broker restart', act: () => rabbit.restart() },
  {
    name: 'SMTP outage (5 s)',
    act: async () => {
      await mailpit.stop();
      await sleep(5_000);
      await mailpit.start();
    },
  },
  ...(['notifications', 'products', 'accounts'] as const).map((name) => ({
    name: `SIGKILL ${name}`,
    act: async () => {
      await killService(name);
      await sleep(1_000);
      await startService(name);
    },
  })),
];

try {
  await rabbit.start();
  await mailpit.start();
  await mongo.connect();
  // Notifications first, so its queue exists before the producers publish.
  for (const name of ['notifications', 'accounts', 'products'] as const) await startService(name);

  // An admin to create products with: signed up, promoted in the accounts database, logged in again.
  const adminEmail = `chaos-admin-${run}@chaos.little-ecom.local`;
  await gql('accounts', SIGN_UP, { input: { email: adminEmail, password: PASSWORD, name: 'Chaos Admin' } });
  await mongo
    .db(dbs.accounts)
    .collection('users')
    .updateOne({ email: adminEmail }, { $set: { role: 'ADMIN' } });
  const login = await gql<{ logIn: { accessToken: string } }>('accounts', LOG_IN, { email: adminEmail, password: PASSWORD });
  const adminToken = login?.data?.logIn.accessToken;
  if (!adminToken) throw new Error(`admin login failed: ${JSON.stringify(login?.errors)}`);
  // Subscribers to new products, projected straight into notifications' users.
  const subscribers = Array.from({ length: subscriberCount }, (_, i) => ({
    _id: randomUUID(),
    email: `chaos-fan-${i}-${run}@chaos.little-ecom.local`,
    name: `Fan ${i}`,
    role: 'CUSTOMER',
    projectedAt: new Date().toISOString(),
    preferences: { newProducts: true, priceDrops: false, backInStock: false },
    updatedAt: new Date(),
  }));
  await mongo.db(dbs.notifications).collection<{ _id: string }>('users').insertMany(subscribers);

  // Load and chaos side by side, both bounded by `seconds`.
  const t0 = Date.now();
  const stopAt = t0 + seconds * 1000;
  const injected: string[] = [];
  const faultFailures: string[] = [];
  const chaosLoop = (async () => {
    for (let i = 0; Date.now() < stopAt - 8_000 && i < 100; i++) {
      await sleep(Math.min(6_000, Math.max(0, stopAt - Date.now())));
      const fault = chaos[i % chaos.length]!;
      log(fault.name);
      injected.push(fault.name);
      // A service that does not come back is a finding, reported at the end; the run goes on.
      await fault.act().catch((error: unknown) => {
        const failure = `${fault.name}: ${error instanceof Error ? error.message : String(error)}`;
        log(`FAILED: ${failure}`);
        faultFailures.push(failure);
      });
    }
  })();
  let productsCreated = 0;
  let signUpsCreated = 0;
  let failedWrites = 0;
  const total = productCount + signUpCount;
  for (let i = 0; i < total; i++) {
    const due = t0 + (i * (seconds - 10) * 1000) / total;
    if (due > Date.now()) await sleep(due - Date.now());
    // Products spread evenly among the sign-ups.
    const isProduct = Math.floor(((i + 1) * productCount) / total) > Math.floor((i * productCount) / total);
    const ok = isProduct
      ? await persist(() =>
          gql(
            'products',
            CREATE,
            {
              input: { name: `Chaos ${run} ${i}`, price: { amount: 100 + i, currency: 'EUR' }, stock: 1, category: 'chaos' },
            },
            adminToken,
          ),
        )
      : await persist(() =>
          gql('accounts', SIGN_UP, {
            input: { email: `chaos-${i}-${run}@chaos.little-ecom.local`, password: PASSWORD, name: `Chaos ${i}` },
          }),
        );
    if (!ok) failedWrites++;
    else if (isProduct) productsCreated++;
    else signUpsCreated++;
  }
  await chaosLoop;
  log(`load done: ${productsCreated} products, ${signUpsCreated} sign-ups; draining`);

  // What was written: every product and user document is one event in its outbox at write time.
  const products = await mongo.db(dbs.products).collection('products').countDocuments({ category: 'chaos' });
  const users = await mongo
    .db(dbs.accounts)
    .collection('users')
    .find({}, { projection: { email: 1 } })
    .toArray();
  const expected = new Set<string>([
    ...users.map((u) => `WELCOME ${String(u['email'])}`),
    ...(
      await mongo
        .db(dbs.products)
        .collection('products')
        .find({ category: 'chaos' }, { projection: { name: 1 } })
        .toArray()
    ).flatMap((p) => subscribers.map((s) => `NEW_PRODUCT ${s.email} ${String(p['name'])}`)),
  ]);

  // Drain, bounded: until every expected email arrived and nothing changes, or 5 minutes.
  type Message = { MessageID: string; Subject: string; To: { Address: string }[] };
  const messages = async (): Promise<Message[]> => {
    const all: Message[] = [];
    for (let start = 0; start < 100_000; start += 1_000) {
      const response = await fetch(`${mailpit.apiUrl}/api/v1/messages?limit=1000&start=${start}`, {
        signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
      });
      const page = (await response.json()) as {
        messages: Message[];
      };
      all.push(...page.messages);
      if (page.messages.length < 1_000) break;
    }
    return all;
  };
  const keyOf = (m: Message) => {
    const to = m.To[0]?.Address ?? '';
    if (m.Subject === 'Welcome to little-ecom') return `WELCOME ${to}`;
    const product = /^New: (Chaos \S+ \d+)$/.exec(m.Subject)?.[1];
    return product ? `NEW_PRODUCT ${to} ${product}` : `OTHER ${to} ${m.Subject}`;
  };
  const drainUntil = Date.now() + 5 * 60_000;
  let received: Message[] = [];
  while (Date.now() < drainUntil) {
    received = await messages().catch(() => received);
    const keys = new Set(received.map(keyOf));
    if ([...expected].every((k) => keys.has(k))) break;
    await sleep(1_000);
  }
  // A little longer, to catch late duplicates.
  await sleep(3_000);
  received = await messages();

  const notifications = mongo.db(dbs.notifications).collection('notifications');
  const consumedEvents = (await notifications.distinct('eventId')).length;
  const recorded = await notifications.countDocuments({});
  const recordedSent = await notifications.countDocuments({ status: 'SENT' });
  const byKey = new Map<string, Set<string>>();
  for (const m of received) byKey.set(keyOf(m), (byKey.get(keyOf(m)) ?? new Set()).add(m.MessageID));
  const missing = [...expected].filter((k) => !byKey.has(k));
  // Two different notifications for the same email: a duplicate the pipeline made.
  const duplicated = [...byKey.values()].filter((ids) => ids.size > 1).length;
  // The same notification (Message-ID) accepted twice: SMTP accepted, the process died before storing SENT.
  const distinctIds = new Set(received.map((m) => m.MessageID)).size;
  const smtpBoundary = received.length - distinctIds;

  process.stdout.write(
    [
      `chaos: ${seconds} s of load with ${injected.length} faults injected: ${[...new Set(injected)].join(', ')}`,
      `events written:   ${products + users.length} (${products} product.created, ${users.length} user.registered; ${failedWrites} writes gave up)`,
      `events consumed:  ${consumedEvents} with notifications recorded (${recorded} notifications, ${recordedSent} SENT)`,
      `emails expected:  ${expected.size}`,
      `emails sent:      ${received.length} (${distinctIds} distinct Message-IDs)`,
      `emails duplicated: ${duplicated}; duplicates at the SMTP boundary (same Message-ID twice): ${smtpBoundary}`,
      `emails missing:   ${missing.length}${missing.length ? ` (e.g. ${missing.slice(0, 3).join('; ')})` : ''}`,
      `faults failed:    ${faultFailures.length}${faultFailures.length ? ` (${faultFailures.join('; ')})` : ''}`,
    ].join('\n') + '\n',
  );
  if (faultFailures.length > 0 || missing.length > 0 || duplicated > 0) process.exitCode = 1;
} finally {
  clearTimeout(watchdog);
  await stopEverything();
}
