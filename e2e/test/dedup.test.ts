import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { graphqlRequest } from '@little-ecom/testing';
import { startStack, type Stack } from './harness.js';

const PASSWORD = 'deduplicated but never shared';
const ME = '{ me { id email } }';

describe('in-flight deduplication of subgraph queries, through the gateway', () => {
  let stack: Stack;
  const users: { token: string; id: string; email: string }[] = [];

  beforeAll(async () => {
    stack = await startStack({ mode: 'accounts' });
    for (const email of ['dedup-a@example.com', 'dedup-b@example.com']) {
      const res = await graphqlRequest<{ signUp: { accessToken: string; user: { id: string } } }>(
        stack.gatewayUrl,
        'mutation($input: SignUpInput!) { signUp(input: $input) { accessToken user { id } } }',
        { input: { email, password: PASSWORD, name: 'Dedup' } },
      );
      expect(res.errors).toBeUndefined();
      users.push({ token: res.data!.signUp.accessToken, id: res.data!.signUp.user.id, email });
    }
  });
  afterAll(async () => stack?.close());

  it("shares identical queries in flight, yet two users' `me` and an anonymous caller never see each other's answer", async () => {
    // Bursts of identical requests from three callers at once; repeated (bounded) until the gateway
    // reports that some subgraph fetch was shared, so the assertions below cover shared answers.
    for (let burst = 0; burst < 30 && stack.gatewayStats.subgraphDedup().followers === 0; burst++) {
      const callers = [users[0], users[1], undefined];
      const requests = Array.from({ length: 30 }, (_, i) => {
        const user = callers[i % 3];
        return graphqlRequest<{ me: { id: string; email: string } | null }>(
          stack.gatewayUrl,
          ME,
          undefined,
          user ? { authorization: `Bearer ${user.token}` } : {},
        ).then((res) => ({ user, res }));
      });
      for (const { user, res } of await Promise.all(requests)) {
        expect(res.errors).toBeUndefined();
        expect(res.data!.me).toEqual(user ? { id: user.id, email: user.email } : null);
      }
    }
    expect(stack.gatewayStats.subgraphDedup().followers).toBeGreaterThan(0);
    expect(stack.logs['gateway']!.some((r) => r['msg'] === 'subgraph fetch shared with an identical one in flight')).toBe(true);
  });

  it('never shares mutations: two identical sign-ups at once are two sign-ups', async () => {
    const before = stack.gatewayStats.subgraphDedup().followers;
    const signUp = () =>
      graphqlRequest(stack.gatewayUrl, 'mutation($input: SignUpInput!) { signUp(input: $input) { user { id } } }', {
        input: { email: 'dedup-twice@example.com', password: PASSWORD, name: 'Twice' },
      });
    const results = await Promise.all([signUp(), signUp()]);
    // One wins, the other is refused by the subgraph itself: proof both reached it.
    const codes = results.map((r) => r.errors?.[0]?.extensions?.['code'] ?? 'ok').sort();
    expect(codes).toEqual(['CONFLICT', 'ok']);
    expect(stack.gatewayStats.subgraphDedup().followers).toBe(before);
  });
});
