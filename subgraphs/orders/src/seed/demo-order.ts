// A demo customer with a past order, made the way a customer makes one: sign-up, cart, checkout,
// all through the running gateway (npm run dev does this once the gateway answers). The customer's
// password is random, kept in .data/demo-customer.json (git-ignored) and printed; a second run logs in
// and leaves an existing order alone. Development only: it refuses NODE_ENV=production.
//   tsx src/seed/demo-order.ts [gateway URL, default http://127.0.0.1:4000/graphql]
import { randomBytes, randomUUID } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

if (process.env['NODE_ENV'] === 'production') throw new Error('demo data is for development only');
const gateway = process.argv[2] ?? 'http://127.0.0.1:4000/graphql';
const file = fileURLToPath(new URL('../../../../.data/demo-customer.json', import.meta.url));

interface Result<T> {
  data?: T;
  errors?: { message: string; extensions?: { code?: string } }[];
}

async function gql<T>(query: string, variables: Record<string, unknown>, token?: string): Promise<Result<T>> {
  const response = await fetch(gateway, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: JSON.stringify({ query, variables }),
  });
  return (await response.json()) as Result<T>;
}

function data<T>(result: Result<T>, what: string): T {
  if (!result.data) throw new Error(`${what} failed: ${JSON.stringify(result.errors)}`);
  return result.data;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

// The same customer on every run: created once, its password kept next to the other dev keys.
const customer = existsSync(file)
  ? (JSON.parse(readFileSync(file, 'utf8')) as { email: string; password: string })
  : { email: 'demo.customer@example.com', password: randomBytes(12).toString('base64url') };
const AUTH = 'accessToken user { id }';
const signUp = await gql<{ signUp: { accessToken: string } }>(
  `mutation($input: SignUpInput!) { signUp(input: $input) { ${AUTH} } }`,
  { input: { ...customer, name: 'Demo Customer' } },
);
const token = signUp.data
  ? signUp.data.signUp.accessToken
  : data(
      await gql<{ logIn: { accessToken: string } }>(
        `mutation($email: String!, $password: String!) { logIn(email: $email, password: $password) { ${AUTH} } }`,
        customer,
      ),
      'logIn of the demo customer (delete .data/demo-customer.json if its account is gone)',
    ).logIn.accessToken;
mkdirSync(dirname(file), { recursive: true });
writeFileSync(file, `${JSON.stringify(customer, null, 2)}\n`, { mode: 0o600 });

const { me } = data(
  await gql<{ me: { orders: { edges: unknown[] } } }>('{ me { orders(first: 1) { edges { cursor } } } }', {}, token),
  'me',
);
if (me.orders.edges.length > 0) {
  process.stdout.write(`demo customer ${customer.email} (password in .data/demo-customer.json) already has an order\n`);
  process.exit(0);
}

// Two products in stock; orders learns the catalog from product events, so it may take a moment.
const { products } = data(
  await gql<{ products: { edges: { node: { id: string; name: string; inStock: boolean } }[] } }>(
    '{ products(first: 20) { edges { node { id name inStock } } } }',
    {},
  ),
  'products',
);
const picks = products.edges
  .map((e) => e.node)
  .filter((p) => p.inStock)
  .slice(0, 2);
if (picks.length === 0) throw new Error('no product in stock: seed the catalog first (npm run seed -w @little-ecom/products)');
for (const [i, product] of picks.entries()) {
  for (let attempt = 0; ; attempt++) {
    const added = await gql(
      'mutation($id: ID!, $q: Int!) { addToCart(productId: $id, quantity: $q) { subtotal { amount } } }',
      { id: product.id, q: i + 1 },
      token,
    );
    if (added.data) break;
    if (attempt >= 30) data(added, `addToCart(${product.name})`);
    await sleep(1_000);
  }
}
const { checkout } = data(
  await gql<{ checkout: { id: string; status: string } }>(
    'mutation($input: CheckoutInput!) { checkout(input: $input) { id status } }',
    {
      input: {
        idempotencyKey: randomUUID(),
        shippingAddress: { name: 'Demo Customer', line1: '1 Example Street', city: 'Berlin', postalCode: '10115', country: 'DE' },
      },
    },
    token,
  ),
  'checkout',
);
// The saga confirms it once products reserved the stock.
let status = checkout.status;
for (let attempt = 0; status === 'PENDING' && attempt < 30; attempt++) {
  await sleep(1_000);
  const order = await gql<{ order: { status: string } }>(
    'query($id: ID!) { order(id: $id) { status } }',
    { id: checkout.id },
    token,
  );
  status = order.data?.order.status ?? status;
}
process.stdout.write(
  `demo customer ${customer.email} (password in .data/demo-customer.json): order ${checkout.id} of ${picks.map((p) => p.name).join(' and ')} is ${status}\n`,
);
