import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually } from '@little-ecom/testing';
import { mailTo, startHarness, uniqueEmail, type Harness } from './support.js';

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(async () => h?.close());

// The gateway reaches User fields through _entities; so do these tests.
const USER_FIELDS = `query($id: ID!, $first: Int, $after: String) {
  _entities(representations: [{ __typename: "User", id: $id }]) {
    ... on User {
      notificationPreferences { newProducts priceDrops backInStock }
      notifications(first: $first, after: $after) {
        totalCount
        pageInfo { hasNextPage endCursor }
        edges { node { id kind subject status attempts lastError sentAt product { id } } }
      }
    }
  }
}`;

interface UserFields {
  _entities: {
    notificationPreferences: Record<string, boolean>;
    notifications: {
      totalCount: number;
      pageInfo: { hasNextPage: boolean; endCursor: string | null };
      edges: { node: { id: string; kind: string; status: string; product: { id: string } | null } }[];
    };
  }[];
}

describe('notifications API', () => {
  const userId = randomUUID();
  const email = uniqueEmail('api');

  beforeAll(async () => {
    await h.publisher.publish('user.registered', { userId, email, name: 'Api User', role: 'CUSTOMER' });
    await h.gql(
      `mutation { updateNotificationPreferences(input: { newProducts: true }) { newProducts } }`,
      {},
      { sub: userId, role: 'CUSTOMER' },
    );
    for (let i = 0; i < 3; i++) {
      await h.publisher.publish('product.created', {
        productId: `65f0000000000000000000${i}${i}`,
        slug: `thing-${i}`,
        name: `Thing ${i}`,
        description: '',
        price: { amount: 100 + i, currency: 'EUR' },
        stock: 1,
        category: 'x',
        imageUrls: [],
      });
    }
    await eventually(async () => ((await mailTo(email)).length === 4 ? true : undefined));
  });

  it('shows preferences off by default', async () => {
    const other = randomUUID();
    const result = await h.gql<UserFields>(USER_FIELDS, { id: other, first: 1 }, { sub: other, role: 'CUSTOMER' });
    expect(result.data?._entities[0]?.notificationPreferences).toEqual({
      newProducts: false,
      priceDrops: false,
      backInStock: false,
    });
  });

  it('pages a user’s notifications newest first, with product references', async () => {
    const seen: string[] = [];
    const products: string[] = [];
    let after: string | null = null;
    for (let i = 0; i < 5; i++) {
      const result: Awaited<ReturnType<typeof h.gql<UserFields>>> = await h.gql<UserFields>(
        USER_FIELDS,
        { id: userId, first: 3, after },
        { sub: userId, role: 'CUSTOMER' },
      );
      const page = result.data!._entities[0]!.notifications;
      expect(page.totalCount).toBe(4);
      seen.push(...page.edges.map((e) => e.node.kind));
      products.push(...page.edges.flatMap((e) => (e.node.product ? [e.node.product.id] : [])));
      if (!page.pageInfo.hasNextPage) break;
      after = page.pageInfo.endCursor;
    }
    expect(seen).toEqual(['NEW_PRODUCT', 'NEW_PRODUCT', 'NEW_PRODUCT', 'WELCOME']);
    const first = await h.gql<UserFields>(USER_FIELDS, { id: userId, first: 1 }, { sub: userId, role: 'CUSTOMER' });
    // The three product events are consumed concurrently, so their relative order is not fixed.
    const productIds = ['65f000000000000000000000', '65f000000000000000000011', '65f000000000000000000022'];
    expect([...products].sort()).toEqual(productIds);
    expect(first.data?._entities[0]?.notifications.edges[0]?.node).toMatchObject({ status: 'SENT' });
    expect(productIds).toContain(first.data?._entities[0]?.notifications.edges[0]?.node.product?.id);
  });

  it('hides a user’s notifications from other customers and anonymous callers, not from admins', async () => {
    const stranger = await h.gql(USER_FIELDS, { id: userId, first: 1 }, { sub: randomUUID(), role: 'CUSTOMER' });
    expect(stranger.errors?.[0]?.extensions?.['code']).toBe('FORBIDDEN');
    const admin = await h.gql<UserFields>(USER_FIELDS, { id: userId, first: 1 }, { sub: 'admin', role: 'ADMIN' });
    expect(admin.data?._entities[0]?.notifications.totalCount).toBe(4);
    const response = await fetch(h.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ query: `mutation { updateNotificationPreferences(input: { priceDrops: true }) { priceDrops } }` }),
    });
    const body = (await response.json()) as { errors: { extensions: { code: string } }[] };
    expect(body.errors[0]?.extensions.code).toBe('UNAUTHENTICATED');
  });

  it('rejects bad paging input', async () => {
    // One past the largest page is the resolver's to refuse; a thousand never gets that far, its cost does.
    const result = await h.gql(USER_FIELDS, { id: userId, first: 101 }, { sub: userId, role: 'CUSTOMER' });
    expect(result.errors?.[0]?.extensions?.['code']).toBe('BAD_USER_INPUT');
    const costly = await h.gql(USER_FIELDS, { id: userId, first: 1000 }, { sub: userId, role: 'CUSTOMER' });
    expect(costly.errors?.[0]?.extensions?.['code']).toBe('GRAPHQL_VALIDATION_FAILED');
    const cursor = await h.gql(USER_FIELDS, { id: userId, first: 1, after: 'nope' }, { sub: userId, role: 'CUSTOMER' });
    expect(cursor.errors?.[0]?.extensions?.['code']).toBe('BAD_USER_INPUT');
  });
});
