import { randomUUID } from 'node:crypto';
import { expect } from 'vitest';
import { eventually, graphqlRequest } from '@little-ecom/testing';
import type { Stack } from './harness.js';

/** Requests and waits shared by the order tests, all through the gateway. */
export function orderClient(stack: Stack) {
  const raw = <T>(query: string, variables: Record<string, unknown>, token?: string) =>
    graphqlRequest<T>(stack.gatewayUrl, query, variables, token ? { authorization: `Bearer ${token}` } : {});
  const gql = async <T>(query: string, variables: Record<string, unknown>, token?: string): Promise<T> => {
    const result = await raw<T>(query, variables, token);
    expect(result.errors).toBeUndefined();
    return result.data!;
  };

  const uniqueEmail = (label: string) => `${label}-${randomUUID().slice(0, 8)}@test.little-ecom.local`;

  async function signUp(label: string): Promise<{ token: string; userId: string; email: string }> {
    const email = uniqueEmail(label);
    const { signUp: s } = await gql<{ signUp: { accessToken: string; user: { id: string } } }>(
      `mutation($input: SignUpInput!) { signUp(input: $input) { accessToken user { id } } }`,
      { input: { email, password: `a password for ${label} 123`, name: `Customer ${label}` } },
    );
    return { token: s.accessToken, userId: s.user.id, email };
  }

  async function adminToken(): Promise<string> {
    const email = uniqueEmail('admin');
    const password = 'an admin password for orders';
    await stack.accounts!.createAdmin(email, password);
    const { logIn } = await gql<{ logIn: { accessToken: string } }>(
      `mutation($email: String!, $password: String!) { logIn(email: $email, password: $password) { accessToken } }`,
      { email, password },
    );
    return logIn.accessToken;
  }

  /** Creates a product and waits until orders' catalog projection knows it (product.created went over the bus). */
  async function createProduct(admin: string, stock: number, amount = 1_000, currency = 'EUR'): Promise<string> {
    const { createProduct: p } = await gql<{ createProduct: { id: string } }>(
      `mutation($input: CreateProductInput!) { createProduct(input: $input) { id } }`,
      { input: { name: `Order Lamp ${randomUUID().slice(0, 6)}`, price: { amount, currency }, stock, category: 'lamps' } },
      admin,
    );
    await eventually(
      async () => ((await stack.ordersDb!.db.collection('catalog_products').findOne({ _id: p.id as never })) ? true : undefined),
      20_000,
    );
    return p.id;
  }

  const stockOf = (admin: string, id: string) =>
    gql<{ product: { stock: number; reserved: number; inStock: boolean } }>(
      `query($id: ID!) { product(id: $id) { stock reserved inStock } }`,
      { id },
      admin,
    ).then((d) => d.product);

  const addToCart = (token: string, productId: string, quantity: number) =>
    gql(
      `mutation($p: ID!, $q: Int!) { addToCart(productId: $p, quantity: $q) { items { quantity } } }`,
      { p: productId, q: quantity },
      token,
    );

  const CHECKOUT = `mutation($key: String!) { checkout(input: { idempotencyKey: $key, shippingAddress: {
    name: "Ada", line1: "1 Main St", city: "Berlin", postalCode: "10115", country: "DE" } }) { id status total { amount currency } } }`;
  const checkout = (token: string, key = randomUUID()) =>
    gql<{ checkout: { id: string; status: string; total: { amount: number; currency: string } } }>(CHECKOUT, { key }, token).then(
      (d) => d.checkout,
    );

  const orderStatus = async (token: string, id: string) =>
    (await gql<{ order: { status: string } | null }>(`query($id: ID!) { order(id: $id) { status } }`, { id }, token)).order
      ?.status;

  /** Waits until the saga moved the order out of PENDING; returns its status. */
  const settled = (token: string, id: string, timeoutMs = 30_000) =>
    eventually(async () => {
      const status = await orderStatus(token, id);
      return status && status !== 'PENDING' ? status : undefined;
    }, timeoutMs);

  return { raw, gql, signUp, adminToken, createProduct, stockOf, addToCart, checkout, orderStatus, settled, uniqueEmail };
}
