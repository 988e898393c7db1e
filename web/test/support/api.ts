import { randomUUID } from 'node:crypto';
import type { Stack } from '@little-ecom/e2e/harness';
import { eventually } from '@little-ecom/testing';

/** A GraphQL request straight to the gateway, for setting up what a journey starts from. */
export async function graphql<T>(
  gatewayUrl: string,
  query: string,
  variables: Record<string, unknown> = {},
  token?: string,
): Promise<T> {
  const response = await fetch(gatewayUrl, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: JSON.stringify({ query, variables }),
  });
  const body = (await response.json()) as { data?: T; errors?: { message: string }[] };
  if (body.errors?.length || !body.data) throw new Error(`GraphQL failed: ${JSON.stringify(body.errors)}`);
  return body.data;
}

/** An address no other run or file uses, so Mailpit searches find only this journey's mail. */
export const uniqueEmail = (label: string) => `${label}-${randomUUID().slice(0, 8)}@example.com`;

export const password = 'correct horse battery staple';

/** An admin account (created the way the documented command does) and its access token. */
export async function adminToken(
  stack: { gatewayUrl: string; accounts: { createAdmin(email: string, password: string): Promise<unknown> } | undefined },
  email = uniqueEmail('admin'),
): Promise<{ email: string; token: string }> {
  await stack.accounts!.createAdmin(email, password);
  const data = await graphql<{ logIn: { accessToken: string } }>(
    stack.gatewayUrl,
    'mutation ($email: String!, $password: String!) { logIn(email: $email, password: $password) { accessToken } }',
    { email, password },
  );
  return { email, token: data.logIn.accessToken };
}

export interface NewProduct {
  name: string;
  category: string;
  amount: number;
  stock: number;
  description?: string;
  /** ISO 4217; EUR unless given. */
  currency?: string;
}

/**
 * Products created through the API as an admin; returns once orders has learnt of them over the
 * broker (its catalog view), so a cart can take them at once: on a busy machine the event can take
 * longer than a journey's first steps (seen in CI: "No such product" from addToCart).
 */
export async function createProducts(stack: Stack, token: string, products: NewProduct[]): Promise<string[]> {
  const ids: string[] = [];
  for (const p of products) {
    const data = await graphql<{ createProduct: { id: string } }>(
      stack.gatewayUrl,
      'mutation ($input: CreateProductInput!) { createProduct(input: $input) { id } }',
      {
        input: {
          name: p.name,
          category: p.category,
          description: p.description ?? `${p.name}, made to last.`,
          price: { amount: p.amount, currency: p.currency ?? 'EUR' },
          stock: p.stock,
        },
      },
      token,
    );
    ids.push(data.createProduct.id);
  }
  const catalog = stack.ordersDb?.db.collection<{ _id: string }>('catalog_products');
  if (catalog)
    await eventually(
      async () => ((await catalog.countDocuments({ _id: { $in: ids } })) === ids.length ? true : undefined),
      30_000,
    );
  return ids;
}
