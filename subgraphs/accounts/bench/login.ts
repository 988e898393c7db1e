/**
 * Benchmark, not a test: logIn latency over loopback HTTP and the argon2id cost per hash on this
 * machine, with the parameters the service would run with (env overrides apply, e.g. ARGON2_MEMORY_KIB).
 *
 *   npm run bench:login                 # 50 logins
 *   npm run bench:login -- --iterations 200
 */
import { parseArgs } from 'node:util';
import { createLogger } from '@little-ecom/logger';
import { serveApp } from '@little-ecom/service';
import { freshDatabase, graphqlRequest, percentile } from '@little-ecom/testing';
import { createAccountsApp } from '../src/app.js';
import { loadAccountsConfig } from '../src/config.js';
import { createArgon2Hasher } from '../src/passwords/password.hasher.js';
import { generateSigningJwk, importSigningKeys } from '../src/tokens/signing-keys.js';

const MAX_ITERATIONS = 1_000;
const { values } = parseArgs({ options: { iterations: { type: 'string', default: '50' } } });
const iterations = Math.min(MAX_ITERATIONS, Math.max(1, Number.parseInt(values.iterations, 10) || 50));

const out = (line: string) => process.stdout.write(`${line}\n`);
const ms = (n: number) => `${n.toFixed(1)} ms`;

// The bench logs one account in over and over from one address: its success limits are raised to fit.
const config = loadAccountsConfig({
  ...process.env,
  NODE_ENV: 'test',
  RATE_LIMIT_LOG_INS_PER_ACCOUNT: String(iterations + 10),
  RATE_LIMIT_LOG_INS_PER_ADDRESS: String(iterations + 10),
  MAX_SESSIONS_PER_USER: String(iterations + 10),
});
const { argon2 } = config.auth;
const logger = createLogger({ service: 'accounts-bench', level: 'error' });
const hasher = await createArgon2Hasher(argon2);

// 1. argon2id alone.
const password = 'benchmark passphrase 2024';
const hashTimes: number[] = [];
let hash = '';
for (let i = 0; i < 10; i++) {
  const started = performance.now();
  hash = await hasher.hash(password);
  hashTimes.push(performance.now() - started);
}
const verifyTimes: number[] = [];
for (let i = 0; i < 10; i++) {
  const started = performance.now();
  await hasher.verify(hash, password);
  verifyTimes.push(performance.now() - started);
}
const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;

// 2. logIn over loopback HTTP against a throwaway database.
const database = await freshDatabase('bench_accounts');
try {
  const keys = await importSigningKeys([await generateSigningJwk()]);
  const app = await createAccountsApp(config, { db: database.db, logger, keys, hasher, gatewayKey: null });
  const http = await serveApp(app, { listen: { host: '127.0.0.1', port: 0 }, logger });
  const url = `${http.url}/graphql`;
  try {
    const signUp = await graphqlRequest(url, 'mutation($i: SignUpInput!) { signUp(input: $i) { expiresAt } }', {
      i: { email: 'bench@example.com', password, name: 'Bench' },
    });
    if (signUp.errors) throw new Error(`sign-up failed: ${JSON.stringify(signUp.errors)}`);
    const LOGIN = 'mutation($e: String!, $p: String!) { logIn(email: $e, password: $p) { expiresAt } }';
    const times: number[] = [];
    for (let i = 0; i < iterations + 3; i++) {
      const started = performance.now();
      const res = await graphqlRequest(url, LOGIN, { e: 'bench@example.com', p: password });
      const elapsed = performance.now() - started;
      if (res.errors) throw new Error(`login failed: ${JSON.stringify(res.errors)}`);
      if (i >= 3) times.push(elapsed); // the first few warm up JIT and connection pools
    }
    times.sort((a, b) => a - b);

    out(`argon2id m=${argon2.memoryKiB} KiB t=${argon2.timeCost} p=${argon2.parallelism}`);
    out(`  hash:   mean ${ms(mean(hashTimes))} (10 runs)`);
    out(`  verify: mean ${ms(mean(verifyTimes))} (10 runs)`);
    out(`logIn over loopback HTTP, ${iterations} sequential requests`);
    out(`  p50 ${ms(percentile(times, 50))}  p95 ${ms(percentile(times, 95))}  max ${ms(times.at(-1)!)}`);
  } finally {
    await http.stop(2_000);
  }
} finally {
  await database.drop();
  await logger.close();
}
