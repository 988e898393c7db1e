import { randomUUID } from 'node:crypto';
import amqp, { type Channel } from 'amqplib';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { SignJWT, exportJWK, generateKeyPair, type JWK, type CryptoKey } from 'jose';
import { print } from 'graphql';
import type { TypedDocumentNode } from '@graphql-typed-document-node/core';
import { MongoClient, type Db, type MongoClientOptions } from 'mongodb';

/** Where tests find the local services; the same variables as the services, same defaults. */
export const testEnv = Object.freeze({
  mongodbUri: process.env['MONGODB_URI'] || 'mongodb://127.0.0.1:27017',
  amqpUrl: process.env['AMQP_URL'] || 'amqp://guest:guest@127.0.0.1:5672',
  smtpUrl: process.env['SMTP_URL'] || 'smtp://127.0.0.1:1025',
  mailpitApiUrl: process.env['MAILPIT_API_URL'] || 'http://127.0.0.1:8025',
});

export interface TestDatabase {
  client: MongoClient;
  db: Db;
  name: string;
  /** Drops the database and closes the client. */
  drop(): Promise<void>;
}

/** A new, uniquely named database on the local MongoDB API, for one test file. */
export async function freshDatabase(prefix: string, clientOptions?: MongoClientOptions): Promise<TestDatabase> {
  const name = `test_${prefix}_${randomUUID().slice(0, 8)}`;
  const client = new MongoClient(testEnv.mongodbUri, { serverSelectionTimeoutMS: 5_000, ...clientOptions });
  try {
    await client.connect();
  } catch (error) {
    throw new Error(
      `Cannot reach MongoDB at ${testEnv.mongodbUri}: run tests with \`npm test\`, which starts FerretDB (${String(error)})`,
    );
  }
  const db = client.db(name);
  return {
    client,
    db,
    name,
    drop: async () => {
      await db.dropDatabase().catch(() => undefined);
      await client.close();
    },
  };
}

export interface TestIssuer {
  jwksUrl: string;
  issuer: string;
  audience: string;
  /** What a subgraph's `createTokenVerifier` needs to trust exactly this issuer. */
  verifierOptions: { jwksUrl: string; issuer: string; audience: string; algorithms: string[] };
  /** Signs an access token as the accounts subgraph would; `options` bend it into an invalid one. */
  sign(claims: { sub: string; role: string }, options?: SignOptions): Promise<string>;
  close(): Promise<void>;
}

export interface SignOptions {
  issuer?: string;
  audience?: string;
  expiresIn?: string | number;
  typ?: string;
  /** Sign with a key that is not in the served JWKS. */
  foreignKey?: boolean;
  alg?: 'ES256' | 'HS256' | 'RS256';
  jti?: string | null;
  /** The session claim; null leaves it out (tokens without one are refused). */
  sid?: string | null;
}

/** A throwaway ES256 key pair whose public half is served as a JWKS over loopback HTTP. */
export async function createTestIssuer(options: { issuer?: string; audience?: string } = {}): Promise<TestIssuer> {
  const issuer = options.issuer ?? 'http://localhost:4002';
  const audience = options.audience ?? 'little-ecom';
  const kid = randomUUID();
  const { privateKey, publicKey } = await generateKeyPair('ES256', { extractable: true });
  const foreign = await generateKeyPair('ES256');
  const jwk: JWK = { ...(await exportJWK(publicKey)), kid, alg: 'ES256', use: 'sig' };
  const server = http.createServer((_req, res) => {
    res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ keys: [jwk] }));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;

  const jwksUrl = `http://127.0.0.1:${port}/.well-known/jwks.json`;
  return {
    jwksUrl,
    issuer,
    audience,
    verifierOptions: { jwksUrl, issuer, audience, algorithms: ['ES256'] },
    async sign(claims, o = {}) {
      const alg = o.alg ?? 'ES256';
      let key: CryptoKey | Uint8Array = o.foreignKey ? foreign.privateKey : privateKey;
      if (alg === 'HS256') key = new TextEncoder().encode('a-shared-secret-that-must-not-work-here-0123456789');
      if (alg === 'RS256') key = (await generateKeyPair('RS256')).privateKey;
      const jwt = new SignJWT({ role: claims.role, ...(o.sid === null ? {} : { sid: o.sid ?? randomUUID() }) })
        .setProtectedHeader({ alg, kid, typ: o.typ ?? 'at+jwt' })
        .setSubject(claims.sub)
        .setIssuer(o.issuer ?? issuer)
        .setAudience(o.audience ?? audience)
        .setIssuedAt()
        .setExpirationTime(o.expiresIn ?? '15m');
      if (o.jti !== null) jwt.setJti(o.jti ?? randomUUID());
      return jwt.sign(key);
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/** An unsigned token (`alg: none`), which every verifier must refuse. */
export function unsignedToken(claims: Record<string, unknown>): string {
  const encode = (v: unknown) => Buffer.from(JSON.stringify(v)).toString('base64url');
  return `${encode({ alg: 'none', typ: 'at+jwt' })}.${encode(claims)}.`;
}

export interface GraphQLResponse<TData = Record<string, unknown>> {
  status: number;
  headers: Headers;
  data?: TData | null;
  errors?: { message: string; path?: (string | number)[]; extensions?: Record<string, unknown> }[];
}

/**
 * Sends one GraphQL request over real HTTP. With a typed document (generated by codegen from
 * e2e/test/operations.graphql) the variables and the result are typed by the operation. `headers` may
 * be a function of the body (`signedAsGateway`), for headers that sign it.
 */
export async function graphqlRequest<TData = Record<string, unknown>, TVariables = Record<string, unknown>>(
  url: string,
  query: string | TypedDocumentNode<TData, TVariables>,
  variables?: TVariables,
  headers: Record<string, string> | ((body: string) => Record<string, string>) = {},
  // A server that accepts and never answers fails the request, not the test run with a hang.
  { timeoutMs = 60_000 }: { timeoutMs?: number } = {},
): Promise<GraphQLResponse<TData>> {
  const sent = JSON.stringify({ query: typeof query === 'string' ? query : print(query), variables });
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(typeof headers === 'function' ? headers(sent) : headers) },
    body: sent,
    signal: AbortSignal.timeout(timeoutMs),
  });
  const text = await response.text();
  let body: { data?: TData | null; errors?: GraphQLResponse['errors'] };
  try {
    body = JSON.parse(text) as typeof body;
  } catch {
    throw new Error(`Non-JSON response (${response.status}): ${text.slice(0, 500)}`);
  }
  return { status: response.status, headers: response.headers, ...body };
}

/** Polls `probe` until it returns a value other than undefined, or fails after `timeoutMs`. */
export async function eventually<T>(probe: () => Promise<T | undefined>, timeoutMs = 10_000, intervalMs = 100): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  while (Date.now() < deadline) {
    try {
      const value = await probe();
      if (value !== undefined) return value;
    } catch (error) {
      lastError = error;
    }
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
  throw new Error(`condition not met within ${timeoutMs} ms${lastError instanceof Error ? `: ${lastError.message}` : ''}`);
}
export * from './gateway-headers.js';
export * from './processes.js';
export * from './rabbitmq.js';

/**
 * A fresh private signing key in the form the accounts subgraph reads from JWT_SIGNING_KEYS (a JSON
 * array of private JWKs), so tests configure it the way operators do.
 */
export async function testSigningKeys(): Promise<string> {
  const { privateKey } = await generateKeyPair('ES256', { extractable: true });
  return JSON.stringify([{ ...(await exportJWK(privateKey)), kid: randomUUID(), alg: 'ES256', use: 'sig' }]);
}

/** A benchmark's numeric command-line option, kept within [min, max] (min when it is not a number), so every run stays bounded. */
export function boundedArg(value: string | undefined, min: number, max: number): number {
  const n = Number(value);
  return Number.isFinite(n) ? Math.min(Math.max(n, min), max) : min;
}

/** Nearest-rank percentile of ascending `sorted` values (benchmarks print p50/p95/p99 with it). */
export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))]!;
}

/**
 * Deletes test queues and exchanges by name (a prefixed, private copy of a topology). Each name is
 * tried as a queue and as an exchange, each on a channel of its own, since a failed delete closes it.
 */
export async function deleteAmqpTopology(url: string, names: readonly string[]): Promise<void> {
  const connection = await amqp.connect(url);
  try {
    for (const name of new Set(names)) {
      for (const remove of [(c: Channel) => c.deleteQueue(name), (c: Channel) => c.deleteExchange(name)]) {
        const channel = await connection.createChannel();
        channel.on('error', () => undefined);
        await remove(channel).catch(() => undefined);
        await channel.close().catch(() => undefined);
      }
    }
  } finally {
    await connection.close().catch(() => undefined);
  }
}
