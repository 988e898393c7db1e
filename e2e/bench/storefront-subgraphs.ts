// The real products, accounts and notifications subgraphs (test harness, `pipeline` mode: fresh
// databases on the local FerretDB, loopback only) with a seeded catalog and one customer who has
// notifications about products. Started as a child process by bench/gateways.ts; prints one JSON line
// `{ supergraphPath, urls, token }` when ready and stops (dropping its databases) on SIGTERM.
import { randomUUID } from 'node:crypto';
import { graphqlRequest } from '@little-ecom/testing';
import { seedCatalogWithNotifications, startStack } from '../test/harness.js';

// Unsigned calls accepted: stock Apollo and Hive do not sign their subgraph requests as ours does.
const stack = await startStack({ mode: 'pipeline', trustAnyCaller: true });
const email = `bench-${randomUUID().slice(0, 8)}@example.com`;
const signUp = await graphqlRequest<{ signUp: { accessToken: string; user: { id: string } } }>(
  stack.gatewayUrl,
  'mutation($input: SignUpInput!) { signUp(input: $input) { accessToken user { id } } }',
  { input: { email, password: 'a benchmark password 123', name: 'Bench Customer' } },
);
if (!signUp.data) throw new Error(`sign-up failed: ${JSON.stringify(signUp.errors)}`);
const { accessToken, user } = signUp.data.signUp;

await seedCatalogWithNotifications(stack, { label: 'bench', count: 60, notified: 10, customer: { id: user.id, email } });

const urls = Object.fromEntries(Object.entries(stack.subgraphs).map(([name, server]) => [name, `${server.url}/graphql`]));
console.log(JSON.stringify({ supergraphPath: stack.supergraphPath, urls, token: accessToken }));
process.once('SIGTERM', () => {
  stack.close().then(
    () => process.exit(0),
    () => process.exit(1),
  );
});
