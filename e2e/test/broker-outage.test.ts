import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TypedDocumentNode } from '@graphql-typed-document-node/core';
import { eventually, graphqlRequest, privateRabbitMq, type PrivateRabbitMq } from '@little-ecom/testing';
import {
  CatalogPageDocument,
  CreateProductDocument,
  LogInDocument,
  SignUpDocument,
  UpdateNotificationPreferencesDocument,
} from './__generated__/operations.js';
import { mailTo, startStack, type Stack } from './harness.js';

/**
 * RabbitMQ goes away (a private node of this file's own, stopped for real) under the whole stack:
 * the storefront keeps serving (readiness, catalog reads, writes), and the emails of what was
 * written meanwhile go out once the broker is back. About 45 s: two node boots.
 */
let node: PrivateRabbitMq;
let stack: Stack;
const uniqueEmail = (label: string) => `${label}-${randomUUID().slice(0, 8)}@test.little-ecom.local`;

beforeAll(async () => {
  node = await privateRabbitMq();
  await node.start();
  stack = await startStack({ mode: 'pipeline', amqpUrl: node.url });
}, 120_000);

afterAll(async () => {
  await stack?.close();
  await node?.dispose();
});

const gql = async <T, V = Record<string, unknown>>(query: string | TypedDocumentNode<T, V>, variables: V, token?: string) => {
  const result = await graphqlRequest<T, V>(
    stack.gatewayUrl,
    query,
    variables,
    token ? { authorization: `Bearer ${token}` } : {},
  );
  expect(result.errors).toBeUndefined();
  return result.data!;
};

describe('RabbitMQ down under the whole stack', () => {
  it('stays ready, answers and accepts writes; their emails go out once the broker is back', async () => {
    const admin = { email: uniqueEmail('admin'), password: 'an admin password for the outage' };
    await stack.accounts!.createAdmin(admin.email, admin.password);
    const { logIn } = await gql(LogInDocument, admin);
    const customerEmail = uniqueEmail('outage-customer');
    const { signUp } = await gql(SignUpDocument, {
      input: { email: customerEmail, password: 'a customer password 123', name: 'Outage Customer' },
    });
    await eventually(async () => ((await mailTo(customerEmail)).length === 1 ? true : undefined), 30_000);
    await gql(UpdateNotificationPreferencesDocument, { input: { newProducts: true } }, signUp.accessToken);

    await node.stop();
    const ready = await fetch(`${stack.gateway.url}/readyz`);
    expect(ready.status).toBe(200);
    expect(await ready.json()).toMatchObject({ status: 'ready', checks: { supergraph: 'ok', subgraphs: 'ok' } });
    const { products } = await gql(CatalogPageDocument, { first: 5 });
    expect(products.totalCount).toBeGreaterThanOrEqual(0);
    // Writes succeed; their events wait in the outboxes.
    const names = [1, 2, 3].map((n) => `Outage Lamp ${n} ${randomUUID().slice(0, 6)}`);
    for (const name of names) {
      await gql(
        CreateProductDocument,
        { input: { name, price: { amount: 1500, currency: 'EUR' }, stock: 1, category: 'lamps' } },
        logIn.accessToken,
      );
    }
    const lateEmail = uniqueEmail('outage-signup');
    await gql(SignUpDocument, { input: { email: lateEmail, password: 'another password 1234', name: 'Late Signup' } });
    expect((await gql(CatalogPageDocument, { first: 50 })).products.totalCount).toBe(products.totalCount + 3);
    expect(await mailTo(lateEmail)).toHaveLength(0);

    await node.start();
    await eventually(
      async () => {
        const subjects = (await mailTo(customerEmail)).map((m) => m.Subject);
        return names.every((n) => subjects.includes(`New: ${n}`)) && (await mailTo(lateEmail)).length === 1 ? true : undefined;
      },
      60_000,
      250,
    );
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    const newMail = (await mailTo(customerEmail)).filter((m) => m.Subject.startsWith('New: ')).map((m) => m.Subject);
    expect(newMail.sort()).toEqual(names.map((n) => `New: ${n}`).sort());
    expect((await mailTo(lateEmail)).map((m) => m.Subject)).toEqual(['Welcome to little-ecom']);
  }, 180_000);
});
