import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TypedDocumentNode } from '@graphql-typed-document-node/core';
import { eventually, graphqlRequest, testEnv } from '@little-ecom/testing';
import {
  CreateProductDocument,
  LogInDocument,
  MyNotificationsDocument,
  SignUpDocument,
  UpdateNotificationPreferencesDocument,
} from './__generated__/operations.js';
import { mailTo, seedCatalogWithNotifications, startStack, type Stack } from './harness.js';

/**
 * The whole event pipeline behind the gateway: accounts and products write outbox events, their
 * relays publish to a private copy of the topology on the real broker, notifications consumes and
 * mails through the shared Mailpit. Only loopback; nothing is mocked.
 */
let stack: Stack;
let gatewayUrl: string;
let adminCredentials: { email: string; password: string };

const uniqueEmail = (label: string) => `${label}-${randomUUID().slice(0, 8)}@test.little-ecom.local`;

beforeAll(async () => {
  stack = await startStack({ mode: 'pipeline' });
  gatewayUrl = stack.gatewayUrl;
  adminCredentials = { email: uniqueEmail('admin'), password: 'an admin password for the pipeline' };
  await stack.accounts!.createAdmin(adminCredentials.email, adminCredentials.password);
}, 60_000);

afterAll(async () => stack?.close());

const gql = async <T, V = Record<string, unknown>>(query: string | TypedDocumentNode<T, V>, variables: V, token?: string) => {
  const result = await graphqlRequest<T, V>(gatewayUrl, query, variables, token ? { authorization: `Bearer ${token}` } : {});
  expect(result.errors).toBeUndefined();
  return result.data!;
};

describe('event pipeline through the gateway', () => {
  it('welcomes a new customer, and mails them exactly once about a new product they opted in to', async () => {
    const email = uniqueEmail('customer');
    const { signUp } = await gql(SignUpDocument, {
      input: { email, password: 'a customer password 123', name: 'Pipeline Customer' },
    });
    await eventually(
      async () => ((await mailTo(email)).some((m) => m.Subject === 'Welcome to little-ecom') ? true : undefined),
      20_000,
    );

    const { updateNotificationPreferences } = await gql(
      UpdateNotificationPreferencesDocument,
      { input: { newProducts: true } },
      signUp.accessToken,
    );
    expect(updateNotificationPreferences).toEqual({ newProducts: true, priceDrops: false, backInStock: false });

    const { logIn } = await gql(LogInDocument, adminCredentials);
    const name = `Pipeline Lamp ${randomUUID().slice(0, 6)}`;
    await gql(
      CreateProductDocument,
      { input: { name, price: { amount: 2599, currency: 'EUR' }, stock: 4, category: 'lamps' } },
      logIn.accessToken,
    );

    await eventually(async () => ((await mailTo(email)).some((m) => m.Subject === `New: ${name}`) ? true : undefined), 20_000);
    await new Promise((resolve) => setTimeout(resolve, 800));
    expect((await mailTo(email)).filter((m) => m.Subject.startsWith('New: ')).map((m) => m.Subject)).toEqual([`New: ${name}`]);

    const { me } = await gql(MyNotificationsDocument, { first: 10 }, signUp.accessToken);
    if (!me) throw new Error('me is null with a valid token');
    expect(me.notifications.totalCount).toBe(2);
    const [newest, welcome] = me.notifications.edges.map((e) => e.node);
    expect(newest).toMatchObject({
      kind: 'NEW_PRODUCT',
      status: 'SENT',
      product: { name, price: { amount: 2599, currency: 'EUR' } },
    });
    expect(newest?.sentAt).toBeTruthy();
    expect(welcome).toMatchObject({ kind: 'WELCOME', status: 'SENT', product: null });
  });

  it('mails the reset link when a password reset is requested', async () => {
    const email = uniqueEmail('forgetful');
    await gql(`mutation($input: SignUpInput!) { signUp(input: $input) { accessToken } }`, {
      input: { email, password: 'a forgettable password 1', name: 'Forgetful' },
    });
    await gql(`mutation($email: String!) { requestPasswordReset(email: $email) }`, { email });
    const mail = await eventually(
      async () => (await mailTo(email)).find((m) => m.Subject === 'Reset your little-ecom password'),
      20_000,
    );
    const response = await fetch(`${testEnv.mailpitApiUrl}/api/v1/message/${mail.ID}`);
    const { Text } = (await response.json()) as { Text: string };
    expect(Text).toMatch(/http:\/\/shop\.test\/reset-password\?token=[A-Za-z0-9%_-]{16,}/);
  });

  it('resolves the products of 50 notifications with one products query', async () => {
    const email = uniqueEmail('batch');
    const { signUp } = await gql<{ signUp: { accessToken: string; user: { id: string } } }>(
      `mutation($input: SignUpInput!) { signUp(input: $input) { accessToken user { id } } }`,
      { input: { email, password: 'a customer password 456', name: 'Batch Customer' } },
    );
    // Fifty products and fifty sent notifications about them, written straight to the stores so no
    // events or emails are involved; what is measured is the gateway's query plan.
    await seedCatalogWithNotifications(stack, {
      label: 'batch',
      count: 50,
      notified: 50,
      customer: { id: signUp.user.id, email },
    });

    const before = stack.productsCommands.length;
    const result = await gql<{ me: { notifications: { edges: { node: { product: { name: string } | null } }[] } } }>(
      `{ me { notifications(first: 60) { edges { node { product { name price { amount } } } } } } }`,
      {},
      signUp.accessToken,
    );
    const names = result.me.notifications.edges.flatMap((e) => (e.node.product ? [e.node.product.name] : []));
    expect(names).toHaveLength(50);
    // Lookups by id, one per batch; the outbox relay's own polling of the collection runs meanwhile
    // on the same client and is not part of the count.
    const lookups = stack.productsCommands
      .slice(before)
      .filter((c) => c.commandName === 'find' && c.command['find'] === 'products')
      .filter((c) => !JSON.stringify(c.command['filter'] ?? {}).includes('outbox'));
    expect(lookups).toHaveLength(1);
  });
});
