import { request } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { gatewayHeaders } from '@little-ecom/testing';
import { startStack, type Stack } from './harness.js';

/**
 * A bounded fuzz suite of malformed requests, as careless clients and scanners send them, against
 * the gateway and every subgraph (signed as the gateway, so the GraphQL handling itself is reached):
 * none may get a 5xx or see internal text. Deterministic: the same few hundred requests every run.
 */
interface RawRequest {
  name: string;
  method: string;
  path: string;
  headers?: Record<string, string>;
  body?: string;
}

interface RawResponse {
  status: number;
  body: string;
}

/** node:http directly: fetch would normalise paths such as `//` and refuse some methods. */
function send(base: URL, req: RawRequest, extraHeaders: Record<string, string>): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    const outgoing = request(
      {
        host: base.hostname,
        port: base.port,
        method: req.method,
        path: req.path,
        headers: {
          ...(req.body !== undefined ? { 'content-length': String(Buffer.byteLength(req.body)) } : {}),
          ...extraHeaders,
          ...req.headers,
        },
        timeout: 15_000,
        // A fresh connection each time: one case leaves its connection mid-body on purpose.
        agent: false,
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }));
        res.on('error', reject);
      },
    );
    outgoing.on('timeout', () => outgoing.destroy(new Error(`timeout: ${req.name}`)));
    outgoing.on('error', reject);
    outgoing.end(req.body);
  });
}

const JSON_TYPE = { 'content-type': 'application/json' };
const post = (name: string, body: string, headers: Record<string, string> = JSON_TYPE): RawRequest => ({
  name,
  method: 'POST',
  path: '/graphql',
  headers,
  body,
});
const postJson = (name: string, body: unknown) => post(name, JSON.stringify(body));
const get = (name: string, path: string, headers: Record<string, string> = {}): RawRequest => ({
  name,
  method: 'GET',
  path,
  headers: { 'apollo-require-preflight': 'true', ...headers },
});

const nested = (depth: number) => `{ ${'a { '.repeat(depth)}b${' }'.repeat(depth)} }`;

/** The malformed requests; each goes to the gateway and to each subgraph. */
function cases(): RawRequest[] {
  const list: RawRequest[] = [];
  for (const path of [
    '//',
    '///',
    '////graphql',
    '/graphql/',
    '/graphql//',
    '/%',
    '/%zz',
    '/graphql%00',
    '/..',
    '/./graphql',
    '/?',
    '/#',
  ]) {
    list.push({ name: `GET ${path}`, method: 'GET', path });
    list.push({ name: `POST ${path}`, method: 'POST', path, headers: JSON_TYPE, body: '{"query":"{ __typename }"}' });
  }
  list.push({ name: 'absolute-form target', method: 'GET', path: 'http://evil.example/graphql' });
  for (const method of ['PUT', 'DELETE', 'PATCH', 'TRACE', 'PROPFIND', 'OPTIONS', 'HEAD'])
    list.push({ name: `${method} /graphql`, method, path: '/graphql', headers: JSON_TYPE, body: '{}' });

  // Bodies that are not a GraphQL request.
  const bodies = [
    '',
    '{',
    '{"query":',
    'null',
    '[]',
    '123',
    '"text"',
    'true',
    '{"query":1}',
    '{"query":null}',
    '{"query":""}',
    '{"query":{}}',
    '{"query":[]}',
    '{}',
    '{"variables":{}}',
    '\u0000\u0001',
    '\ufeff{"query":"{ __typename }"}',
    '{"query":"{ __typename }","variables":"x"}',
    '{"query":"{ __typename }","variables":[1]}',
    '{"query":"{ __typename }","extensions":"x"}',
    '{"query":"{ __typename }","operationName":123}',
    '{"query":"{ __typename }","operationName":{}}',
    `${'['.repeat(20_000)}${']'.repeat(20_000)}`,
    `{"query":"{ __typename }","variables":${'{"a":'.repeat(5_000)}1${'}'.repeat(5_000)}}`,
  ];
  bodies.forEach((body, i) => list.push(post(`body #${i}`, body)));

  // Media types: RFC 9110 says case-insensitive and exact; json-ish lookalikes are not JSON.
  const query = JSON.stringify({ query: '{ __typename }' });
  for (const type of [
    'APPLICATION/JSON',
    'Application/Json; Charset=UTF-8',
    'application/json ; charset=utf-8',
    'application/jsonp',
    'application/json-patch+json',
    'application/jsonx',
    'text/plain',
    'text/json',
    'application/x-www-form-urlencoded',
    'multipart/form-data; boundary=x',
    'application/graphql',
    'application/graphql-response+json',
    '*/*',
    ';',
    'application/',
    '',
    'json',
  ])
    list.push(post(`content-type ${JSON.stringify(type)}`, query, { 'content-type': type }));
  list.push({ name: 'no content-type', method: 'POST', path: '/graphql', body: query });
  for (const accept of ['text/html', 'application/xml', 'multipart/mixed', 'application/graphql-response+json;q=0', '*/*;q=x'])
    list.push(post(`accept ${accept}`, query, { ...JSON_TYPE, accept }));

  // Operations a client gets wrong.
  const twoOps = 'query A { __typename } query B { __typename }';
  list.push(postJson('two operations, no operationName', { query: twoOps }));
  list.push(postJson('unknown operationName', { query: twoOps, operationName: 'C' }));
  list.push(postJson('operationName for an anonymous operation', { query: '{ __typename }', operationName: 'A' }));
  list.push(postJson('subscription', { query: 'subscription { __typename }' }));
  list.push(postJson('subscription with a name', { query: 'subscription S { x }', operationName: 'S' }));
  list.push(postJson('huge operation name', { query: `query ${'A'.repeat(200_000)} { __typename }` }));
  list.push(postJson('huge unknown operationName', { query: '{ __typename }', operationName: 'B'.repeat(200_000) }));
  list.push(postJson('deep nesting (parser)', { query: nested(5_000) }));
  list.push(postJson('deep nesting (validation)', { query: nested(40) }));
  list.push(postJson('deep nesting (stack)', { query: nested(100_000) }));
  list.push(postJson('deep list literal', { query: `{ __typename(a: ${'['.repeat(5_000)}1${']'.repeat(5_000)}) }` }));
  list.push(postJson('huge aliases', { query: `{ ${Array.from({ length: 3_000 }, (_, i) => `a${i}: __typename`).join(' ')} }` }));
  list.push(postJson('many directives', { query: `{ __typename ${'@include(if: true) '.repeat(2_000)}}` }));
  list.push(postJson('fragment cycle', { query: '{ ...A } fragment A on Query { ...B } fragment B on Query { ...A }' }));
  list.push(postJson('syntax error', { query: '{ __typename ' }));
  list.push(postJson('unknown field', { query: '{ doesNotExist }' }));
  list.push(postJson('huge string literal', { query: `{ __typename(x: "${'x'.repeat(300_000)}") }` }));
  list.push(post('batched array', JSON.stringify([{ query: '{ __typename }' }, { query: '{ __typename }' }])));
  list.push(post('batched empty array', '[]'));
  list.push(
    postJson('variable of the wrong type', { query: 'query Q($n: Int!) { __typename @include(if: $n) }', variables: { n: 'x' } }),
  );
  list.push(postJson('missing variable', { query: 'query Q($b: Boolean!) { __typename @include(if: $b) }' }));
  list.push(postJson('undefined variable', { query: '{ __typename @include(if: $nope) }' }));
  list.push(postJson('variables not an object', { query: 'query Q($b: Boolean) { __typename }', variables: 'b' }));
  list.push(postJson('_service', { query: '{ _service { sdl } }' }));

  // Persisted queries: each error keeps its own code.
  const pq = (extensions: unknown, extra: Record<string, unknown> = {}) => ({ extensions, ...extra });
  list.push(postJson('APQ unknown hash', pq({ persistedQuery: { version: 1, sha256Hash: 'a'.repeat(64) } })));
  list.push(postJson('APQ bad version', pq({ persistedQuery: { version: 2, sha256Hash: 'a'.repeat(64) } })));
  list.push(
    postJson(
      'APQ hash mismatch',
      pq({ persistedQuery: { version: 1, sha256Hash: 'b'.repeat(64) } }, { query: '{ __typename }' }),
    ),
  );
  list.push(postJson('APQ not an object', pq({ persistedQuery: 'x' })));
  list.push(postJson('APQ hash not a string', pq({ persistedQuery: { version: 1, sha256Hash: 5 } })));
  list.push(postJson('APQ huge hash', pq({ persistedQuery: { version: 1, sha256Hash: 'c'.repeat(100_000) } })));
  list.push(
    get(
      'APQ over GET, unknown',
      `/graphql?extensions=${encodeURIComponent(JSON.stringify({ persistedQuery: { version: 1, sha256Hash: 'd'.repeat(64) } }))}`,
    ),
  );

  // GET requests.
  list.push(get('GET without a query', '/graphql'));
  list.push(get('GET empty query', '/graphql?query='));
  list.push(get('GET bad variables', '/graphql?query=%7B__typename%7D&variables=nope'));
  list.push(get('GET bad extensions', '/graphql?query=%7B__typename%7D&extensions=%7B'));
  list.push(get('GET bad percent-encoding', '/graphql?query=%7B__typename%7D%'));
  list.push(get('GET mutation', '/graphql?query=mutation%7B__typename%7D'));
  list.push(get('GET repeated query', '/graphql?query=%7B__typename%7D&query=%7B__typename%7D'));
  list.push({ name: 'GET without CSRF header', method: 'GET', path: '/graphql?query=%7B__typename%7D' });

  // Headers.
  list.push(post('garbage authorization', query, { ...JSON_TYPE, authorization: 'Bearer ' + 'x'.repeat(8_000) }));
  list.push(post('basic authorization', query, { ...JSON_TYPE, authorization: 'Basic Zm9vOmJhcg==' }));
  list.push(post('huge request id', query, { ...JSON_TYPE, 'x-request-id': 'r'.repeat(5_000) }));
  list.push(post('body larger than declared limit', 'x', { ...JSON_TYPE, 'content-length': String(50 * 1024 * 1024) }));
  return list;
}

// Internal detail that must never reach a client for a client's mistake.
const INTERNAL = [
  /Internal server error/i,
  /INTERNAL_SERVER_ERROR/,
  /\n\s+at /,
  /stacktrace/i,
  /node_modules/,
  /TypeError|RangeError|SyntaxError: Unexpected/,
];

describe('the HTTP edge under malformed requests', () => {
  let stack: Stack;
  const signed = (audience: string, req: RawRequest) =>
    gatewayHeaders(stack.subgraphKey, {
      audience,
      method: req.method,
      target: req.path,
      body: req.method === 'POST' ? (req.body ?? '') : '',
      clientIp: '127.0.0.1',
    });
  beforeAll(async () => {
    stack = await startStack({ mode: 'orders', production: true });
  }, 90_000);
  afterAll(async () => stack?.close());

  it('answers every malformed request with a 4xx (or a 200 with a coded error), never a 5xx or internal text', async () => {
    // Subgraph requests are signed for exactly what is sent, as the gateway signs them.
    const targets: [string, URL, (req: RawRequest) => Record<string, string>][] = [
      ['gateway', new URL(stack.gatewayUrl), () => ({})],
      ...Object.entries(stack.subgraphs).map(
        ([name, s]) =>
          [name, new URL(s.url), (req: RawRequest) => signed(name, req)] as [
            string,
            URL,
            (req: RawRequest) => Record<string, string>,
          ],
      ),
    ];
    const list = cases();
    const failures: string[] = [];
    let sent = 0;
    for (const [target, base, headers] of targets) {
      for (const req of list) {
        const res = await send(base, req, headers(req)).catch((error: unknown) => ({ status: -1, body: String(error) }));
        sent++;
        const internal = INTERNAL.find((pattern) => pattern.test(res.body));
        if (res.status >= 500 || res.status < 0 || internal)
          failures.push(`${target} ${req.name}: ${res.status} ${res.body.slice(0, 200)}`);
      }
    }
    expect(sent).toBeGreaterThanOrEqual(300);
    expect(failures).toEqual([]);
  }, 240_000);

  it('parses media types per RFC 9110: any case, exact type; lookalikes are 415', async () => {
    const query = JSON.stringify({ query: '{ __typename }' });
    for (const target of [new URL(stack.gatewayUrl), ...Object.values(stack.subgraphs).map((s) => new URL(s.url))]) {
      const subgraph = Object.entries(stack.subgraphs).find(([, s]) => new URL(s.url).port === target.port)?.[0];
      const headers = (req: RawRequest) => (subgraph ? signed(subgraph, req) : {});
      for (const type of ['APPLICATION/JSON', 'Application/Json; Charset=UTF-8', 'application/json ; charset=utf-8']) {
        const req = post(type, query, { 'content-type': type });
        const res = await send(target, req, headers(req));
        expect(res.status, `${target.port} ${type}`).toBe(200);
        expect(JSON.parse(res.body)).toEqual({ data: { __typename: 'Query' } });
      }
      for (const type of [
        'application/jsonp',
        'application/json-patch+json',
        'text/plain',
        'application/x-www-form-urlencoded',
      ]) {
        const req = post(type, query, { 'content-type': type });
        const res = await send(target, req, headers(req));
        expect(res.status, `${target.port} ${type}`).toBe(415);
        expect(JSON.parse(res.body)).toMatchObject({ errors: [{ extensions: { code: 'BAD_REQUEST' } }] });
      }
    }
  });

  it('answers operation-name, subscription and persisted-query mistakes with 400 and their own codes', async () => {
    const gateway = new URL(stack.gatewayUrl);
    const codeFor = async (body: unknown) => {
      const res = await send(gateway, postJson('probe', body), {});
      return [res.status, (JSON.parse(res.body) as { errors: { extensions: { code: string } }[] }).errors[0]!.extensions.code];
    };
    const twoOps = 'query A { __typename } query B { __typename }';
    expect(await codeFor({ query: twoOps })).toEqual([400, 'OPERATION_RESOLUTION_FAILURE']);
    expect(await codeFor({ query: twoOps, operationName: 'C' })).toEqual([400, 'OPERATION_RESOLUTION_FAILURE']);
    expect(await codeFor({ query: 'subscription { __typename }' })).toEqual([400, 'BAD_REQUEST']);
    const hash = 'a'.repeat(64);
    expect(await codeFor({ extensions: { persistedQuery: { version: 1, sha256Hash: hash } } })).toEqual([
      200,
      'PERSISTED_QUERY_NOT_FOUND',
    ]);
    expect(await codeFor({ query: '{ __typename }', extensions: { persistedQuery: { version: 1, sha256Hash: hash } } })).toEqual([
      400,
      'BAD_REQUEST',
    ]);
    // A 200 KB operation name is not logged whole.
    await send(gateway, postJson('long name', { query: `query ${'N'.repeat(200_000)} { __typename }` }), {});
    const longest = Math.max(...stack.logs['gateway']!.map((r) => JSON.stringify(r).length));
    expect(longest).toBeLessThan(5_000);
  });
});
