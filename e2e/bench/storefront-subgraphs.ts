// The real products, accounts and notifications subgraphs (test harness, `pipeline` mode: fresh
// databases on the local FerretDB, loopback only) with a seeded catalog and one customer who has
// notifications about products. Started as a child process by bench/gateways.ts; prints one JSON line
// `{ supergraphPath, urls, token }` when ready and stops (dropping its databases) on SIGTERM.
import { randomUUID } from 'node:crypto';
import { ObjectId } from 'mongodb';
import { graphqlRequest } from '@little-ecom/testing';
import { startStack } from '../test/harness.js';

const stack = await startStack({ mode: 'pipeline' });
const email = `bench-${randomUUID().slice(0, 8)}@example.com`;
const signUp = await graphqlRequest<{ signUp: { accessToken: string; user: { id: string } } }>(
  stack.gatewayUrl,
  'mutation($input: SignUpInput!) { signUp(input: $input) { accessToken user { id } } }',
  { input: { email, password: 'a benchmark password 123', name: 'Bench Customer' } },
);
if (!signUp.data) throw new Error(`sign-up failed: ${JSON.stringify(signUp.errors)}`);
const { accessToken, user } = signUp.data.signUp;

// Written straight to the stores: no events or mail are involved in what is measured.
const now = new Date();
const productDocs = Array.from({ length: 60 }, (_, i) => ({
  _id: new ObjectId(),
  slug: `bench-${i}`,
  name: `Bench product ${i}`,
  nameKey: `bench product ${i}`,
  description: `A product to benchmark with, number ${i}.`,
  price: { amount: 500 + i * 25, currency: 'EUR' },
  stock: i % 5,
  category: ['lamps', 'desks', 'chairs'][i % 3]!,
  imageUrls: [],
  createdAt: now,
  updatedAt: now,
  outbox: [],
}));
await stack.productsDb.db.collection('products').insertMany(productDocs);
const ids = productDocs.map((doc) => doc._id.toHexString());
await stack.notificationsDb!.db.collection('notifications').insertMany(
  ids.slice(0, 10).map((productId, i) => ({
    _id: new ObjectId(),
    eventId: randomUUID(),
    recipientId: user.id,
    kind: 'NEW_PRODUCT',
    correlationId: 'bench',
    to: email,
    subject: `New: Bench product ${i}`,
    productId,
    status: 'SENT',
    attempts: 1,
    nextAttemptAt: now,
    createdAt: now,
    updatedAt: now,
    sentAt: now,
  })),
);

const urls = Object.fromEntries(Object.entries(stack.subgraphs).map(([name, server]) => [name, `${server.url}/graphql`]));
console.log(JSON.stringify({ supergraphPath: stack.supergraphPath, urls, token: accessToken }));
process.once('SIGTERM', () => {
  stack.close().then(
    () => process.exit(0),
    () => process.exit(1),
  );
});
