import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startProducts, type ProductsHarness } from './support.js';

const PAGE = `query Page($first: Int, $after: String, $sort: ProductSort, $filter: ProductFilter) {
  products(first: $first, after: $after, sort: $sort, filter: $filter) {
    totalCount
    pageInfo { hasNextPage endCursor }
    edges { cursor node { id name slug stock category price { amount } } }
  }
}`;

interface Page {
  products: {
    totalCount: number;
    pageInfo: { hasNextPage: boolean; endCursor: string | null };
    edges: {
      cursor: string;
      node: { id: string; name: string; slug: string; stock: number; category: string; price: { amount: number } };
    }[];
  };
}

const SPECIAL = [
  { name: 'C++ (Deluxe) [v2] $99.*', description: 'A book with a name full of regex metacharacters', category: 'books' },
  { name: '$where matters', description: 'Starts with a dollar sign', category: 'books' },
  { name: 'Backslash \\ edition', description: 'Contains a backslash', category: 'books' },
];

describe('catalog queries', () => {
  let api: ProductsHarness;
  const total = 57;

  beforeAll(async () => {
    api = await startProducts();
    const repository = api.app.services.repositories.products;
    const sameTime = new Date('2026-01-01T00:00:00Z');
    // Many ties on purpose: equal prices, equal names (case-insensitively) and equal creation times.
    const products = Array.from({ length: total - SPECIAL.length }, (_, i) => ({
      slug: `item-${i}`,
      name: i % 5 === 0 ? 'Same Name' : i % 5 === 1 ? 'same name' : `Item ${String(i).padStart(2, '0')}`,
      description: i % 7 === 0 ? 'Made of Walnut wood' : 'Plain',
      price: { amount: [500, 1000, 1000, 2500][i % 4]!, currency: 'EUR' },
      stock: i % 3 === 0 ? 0 : i,
      category: ['kitchen', 'garden', 'office'][i % 3]!,
      imageUrls: [],
    }));
    for (const [i, p] of products.entries())
      await repository.insert(p, i % 2 === 0 ? sameTime : new Date(sameTime.getTime() + i * 1000));
    for (const [i, p] of SPECIAL.entries()) {
      await repository.insert({ ...p, slug: `special-${i}`, price: { amount: 999, currency: 'EUR' }, stock: 1, imageUrls: [] });
    }
  });
  afterAll(async () => api?.close());

  async function pageThrough(sort: string, first: number, filter?: Record<string, unknown>) {
    const seen: Page['products']['edges'] = [];
    let after: string | null = null;
    for (let i = 0; i < 100; i++) {
      const res: { data?: Page | null; errors?: unknown } = await api.request<Page>(PAGE, { first, after, sort, filter });
      expect(res.errors).toBeUndefined();
      const page: Page['products'] = res.data!.products;
      expect(page.totalCount).toBeGreaterThanOrEqual(seen.length);
      seen.push(...page.edges);
      if (!page.pageInfo.hasNextPage) return { seen, totalCount: page.totalCount };
      after = page.pageInfo.endCursor;
    }
    throw new Error('paging did not end');
  }

  for (const sort of ['NEWEST', 'PRICE_ASC', 'PRICE_DESC', 'NAME_ASC']) {
    it(`pages through the whole catalog sorted by ${sort}, every product exactly once`, async () => {
      const { seen, totalCount } = await pageThrough(sort, 7);
      expect(totalCount).toBe(total);
      expect(seen).toHaveLength(total);
      expect(new Set(seen.map((e) => e.node.id)).size).toBe(total);
      // And in the promised order.
      const prices = seen.map((e) => e.node.price.amount);
      if (sort === 'PRICE_ASC') expect(prices).toEqual([...prices].sort((a, b) => a - b));
      if (sort === 'PRICE_DESC') expect(prices).toEqual([...prices].sort((a, b) => b - a));
      if (sort === 'NAME_ASC') {
        const names = seen.map((e) => e.node.name.toLowerCase());
        expect(names).toEqual([...names].sort());
      }
    });
  }

  it('pages correctly with a filter as well', async () => {
    const { seen, totalCount } = await pageThrough('PRICE_ASC', 4, { category: 'kitchen', inStock: true });
    expect(seen.length).toBe(totalCount);
    expect(seen.every((e) => e.node.category === 'kitchen' && e.node.stock > 0)).toBe(true);
    expect(new Set(seen.map((e) => e.node.id)).size).toBe(seen.length);
  });

  it('filters by category, price range and stock', async () => {
    const res = await api.request<Page>(PAGE, {
      first: 100,
      filter: { category: 'garden', minPrice: 1000, maxPrice: 1000, inStock: true },
    });
    const nodes = res.data!.products.edges.map((e) => e.node);
    expect(nodes.length).toBeGreaterThan(0);
    expect(res.data!.products.totalCount).toBe(nodes.length);
    for (const node of nodes) {
      expect(node.category).toBe('garden');
      expect(node.price.amount).toBe(1000);
      expect(node.stock).toBeGreaterThan(0);
    }
    const soldOut = await api.request<Page>(PAGE, { first: 100, filter: { inStock: false } });
    expect(soldOut.data!.products.edges.every((e) => e.node.stock === 0)).toBe(true);
    expect(soldOut.data!.products.totalCount).toBe(18);
  });

  it('searches name and description case-insensitively', async () => {
    const res = await api.request<Page>(PAGE, { first: 100, filter: { search: 'WALNUT' } });
    expect(res.data!.products.totalCount).toBe(8);
    const byName = await api.request<Page>(PAGE, { first: 100, filter: { search: 'same NAME' } });
    expect(byName.data!.products.totalCount).toBe(22);
  });

  it('takes regex metacharacters in search literally', async () => {
    for (const search of ['C++ (Deluxe)', '[v2]', '$99.*', 'Backslash \\']) {
      const res = await api.request<Page>(PAGE, { first: 100, filter: { search } });
      expect(res.errors).toBeUndefined();
      expect(res.data!.products.edges).toHaveLength(1);
    }
    for (const search of ['.*', '(', '[', '\\', '^', 'a|b']) {
      const res = await api.request<Page>(PAGE, { first: 100, filter: { search } });
      expect(res.errors, search).toBeUndefined();
      const names = res.data!.products.edges.map((e) => e.node.name);
      if (search === '.*') expect(names).toEqual(['C++ (Deluxe) [v2] $99.*']);
      else if (search === '\\') expect(names).toEqual(['Backslash \\ edition']);
      else if (search === '(' || search === '[') expect(names).toEqual(['C++ (Deluxe) [v2] $99.*']);
      else expect(names).toEqual([]);
    }
  });

  it('treats $-prefixed strings as plain values, never operators', async () => {
    const search = await api.request<Page>(PAGE, { first: 100, filter: { search: '$where' } });
    expect(search.data!.products.edges.map((e) => e.node.name)).toEqual(['$where matters']);
    for (const category of ['$gt', '$ne', '{"$ne": null}']) {
      const res = await api.request<Page>(PAGE, { first: 100, filter: { category } });
      expect(res.errors).toBeUndefined();
      expect(res.data!.products.totalCount).toBe(0);
    }
    const bySlug = await api.request<{ product: null }>(`query { product(slug: "$ne") { id } }`);
    expect(bySlug.data!.product).toBeNull();
  });

  it('rejects bad paging input with BAD_USER_INPUT', async () => {
    for (const variables of [
      { first: 0 },
      { first: 101 },
      { first: 5, after: 'not-a-cursor' },
      { first: 5, after: Buffer.from('["PRICE_ASC",1,"0123456789abcdef01234567"]').toString('base64url'), sort: 'NEWEST' },
      { first: 5, filter: { minPrice: 10, maxPrice: 5 } },
      { first: 5, filter: { search: 'x'.repeat(101) } },
    ]) {
      const res = await api.request(PAGE, variables);
      expect(res.errors?.[0]?.extensions?.['code'], JSON.stringify(variables)).toBe('BAD_USER_INPUT');
    }
  });

  it('finds a product by id or slug, and null for unknown or malformed ids', async () => {
    const first = (await api.request<Page>(PAGE, { first: 1 })).data!.products.edges[0]!.node;
    const byId = await api.request<{ product: { slug: string } }>(`query ($id: ID) { product(id: $id) { slug } }`, {
      id: first.id,
    });
    expect(byId.data!.product.slug).toBe(first.slug);
    const bySlug = await api.request<{ product: { id: string } }>(`query ($slug: String) { product(slug: $slug) { id } }`, {
      slug: first.slug,
    });
    expect(bySlug.data!.product.id).toBe(first.id);
    for (const id of ['ffffffffffffffffffffffff', 'nope', '{"$gt":""}']) {
      const res = await api.request<{ product: null }>(`query ($id: ID) { product(id: $id) { id } }`, { id });
      expect(res.errors).toBeUndefined();
      expect(res.data!.product).toBeNull();
    }
    const both = await api.request(`query { product(id: "x", slug: "y") { id } }`);
    expect(both.errors?.[0]?.extensions?.['code']).toBe('BAD_USER_INPUT');
  });

  it('counts products per category and per price band for the filter, each without its own condition', async () => {
    const FACETS = `query ($filter: ProductFilter) { products(first: 1, filter: $filter) { totalCount
      facets { categories { value count } priceBands { min max count } } } }`;
    type Facets = {
      products: {
        totalCount: number;
        facets: {
          categories: { value: string; count: number }[];
          priceBands: { min: number; max: number | null; count: number }[];
        };
      };
    };
    const facets = async (filter?: Record<string, unknown>) => {
      const res = await api.request<Facets>(FACETS, { filter });
      expect(res.errors).toBeUndefined();
      return res.data!.products;
    };
    // What was inserted above: 54 items cycling prices and categories, and 3 books at 9.99.
    const items = [
      ...Array.from({ length: total - SPECIAL.length }, (_, i) => ({
        amount: [500, 1000, 1000, 2500][i % 4]!,
        category: ['kitchen', 'garden', 'office'][i % 3]!,
      })),
      ...SPECIAL.map(() => ({ amount: 999, category: 'books' })),
    ];
    const bands = [
      [0, 999],
      [1_000, 2_499],
      [2_500, 4_999],
      [5_000, 9_999],
      [10_000, null],
    ] as const;
    const expected = (of: typeof items) => ({
      categories: [...new Set(of.map((p) => p.category))]
        .sort()
        .map((value) => ({ value, count: of.filter((p) => p.category === value).length })),
      priceBands: bands.map(([min, max]) => ({
        min,
        max,
        count: of.filter((p) => p.amount >= min && (max === null || p.amount <= max)).length,
      })),
    });

    const all = await facets();
    expect(all.facets).toEqual(expected(items));
    expect(all.facets.priceBands.reduce((sum, b) => sum + b.count, 0)).toBe(all.totalCount);

    // Kitchen, 10.00–24.99: categories counted at that price, bands counted in the kitchen.
    const narrowed = await facets({ category: 'kitchen', minPrice: 1_000, maxPrice: 2_499 });
    expect(narrowed.facets).toEqual({
      categories: expected(items.filter((p) => p.amount >= 1_000 && p.amount <= 2_499)).categories,
      priceBands: expected(items.filter((p) => p.category === 'kitchen')).priceBands,
    });
    expect(narrowed.totalCount).toBe(
      items.filter((p) => p.category === 'kitchen' && p.amount >= 1_000 && p.amount <= 2_499).length,
    );

    // A search taken literally, and a chosen category with nothing in it still listed.
    expect((await facets({ search: '$where' })).facets.categories).toEqual([{ value: 'books', count: 1 }]);
    expect((await facets({ category: 'nothing-here' })).facets.categories).toContainEqual({ value: 'nothing-here', count: 0 });
  });
});
