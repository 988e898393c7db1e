import { serverAudits, type AuditResult } from 'graphql-http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startStack, type Stack } from './harness.js';

/**
 * The GraphQL over HTTP audit (graphql-http's `serverAudits`, the spec's reference suite) against the
 * gateway in production mode. Every audit's request must get an answer below 500, and every MUST
 * requirement passes except the ones listed here with the reason we differ on purpose.
 */
const ACCEPTED_MUST_FAILURES: Record<string, string> = {
  // Both audits query `__type`: production turns introspection off (docs/auth.md), so they get a coded
  // 400. The same request shapes on the real schema pass below.
  'MUST accept utf-8 encoded request': 'its query uses __type (introspection is off in production)',
  'MUST allow map {variables} parameter when accepting application/json':
    'its query uses __type (introspection is off in production)',
};

describe('the GraphQL over HTTP audit at the gateway (production)', () => {
  let stack: Stack;
  let results: { id: string; name: string; result: AuditResult }[];

  beforeAll(async () => {
    stack = await startStack({ production: true });
    results = [];
    // Sequential and bounded: one request (or a few) per audit, ~80 audits.
    for (const audit of serverAudits({ url: stack.gatewayUrl, fetchFn: fetch })) {
      results.push({ id: audit.id, name: audit.name, result: await audit.fn() });
    }
  }, 120_000);
  afterAll(async () => stack?.close());

  it('answers every audit request below 500', () => {
    const fiveHundreds = results
      .filter(({ result }) => 'response' in result && result.response.status >= 500)
      .map(({ name, result }) => `${name}: ${'response' in result ? result.response.status : ''}`);
    expect(results.length).toBeGreaterThan(50);
    expect(fiveHundreds).toEqual([]);
  });

  it('passes every MUST requirement', () => {
    const failed = results
      .filter(({ name, result }) => name.startsWith('MUST') && result.status !== 'ok' && !(name in ACCEPTED_MUST_FAILURES))
      .map(({ name, result }) => `${name}: ${'reason' in result ? result.reason : result.status}`);
    const counts: Record<AuditResult['status'], number> = { ok: 0, notice: 0, warn: 0, error: 0 };
    for (const { result } of results) counts[result.status] += 1;
    process.stdout.write(`GraphQL over HTTP audit: ${JSON.stringify(counts)} of ${results.length}\n`);
    expect(failed).toEqual([]);
  });

  it('accepts a utf-8 request with a map of variables on the real schema', async () => {
    const res = await fetch(stack.gatewayUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json; charset=utf-8' },
      body: JSON.stringify({
        query: 'query Search($search: String!) { products(first: 1, filter: { search: $search }) { totalCount } }',
        variables: { search: 'Run🏃Swim🏊' },
      }),
    });
    expect(res.status).toBe(200);
    const body = (await res.json()) as { data?: { products: { totalCount: number } }; errors?: unknown[] };
    expect(body.errors).toBeUndefined();
    expect(body.data?.products.totalCount).toBe(0);
  });
});
