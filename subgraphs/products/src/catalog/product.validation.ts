import { InputProblems, SINGLE_LINE_MESSAGE, isSingleLine } from '@little-ecom/errors';
import type { NewProduct, ProductChanges } from './product.repository.js';

const LIMITS = {
  nameMax: 200,
  descriptionMax: 5_000,
  slugMax: 96,
  categoryMax: 64,
  imageUrlsMax: 10,
  imageUrlMax: 2_048,
  amountMax: 1_000_000_000,
  stockMax: 10_000_000,
} as const;

const SLUG = /^[a-z0-9]+(?:-[a-z0-9]+)*$/;
const CURRENCIES = new Set(Intl.supportedValuesOf('currency'));

export interface MoneyInput {
  amount: number;
  currency: string;
}

export interface ProductInput {
  slug?: string | null;
  name?: string | null;
  description?: string | null;
  price?: MoneyInput | null;
  stock?: number | null;
  category?: string | null;
  imageUrls?: string[] | null;
}

/** Turns a product name into a slug candidate: `Walnut Desk Lamp!` -> `walnut-desk-lamp`. */
export function slugify(name: string): string {
  return name
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, LIMITS.slugMax)
    .replace(/-+$/g, '');
}

function checkName(p: InputProblems, name: string) {
  if (name.trim().length === 0) p.add('name', 'must not be empty');
  if (name.length > LIMITS.nameMax) p.add('name', `must be at most ${LIMITS.nameMax} characters`);
  // Names go into email subjects and text bodies: a CR/LF there would start a new header or line.
  else if (!isSingleLine(name)) p.add('name', SINGLE_LINE_MESSAGE);
}

function checkSlug(p: InputProblems, field: string, slug: string, max: number) {
  if (slug.length === 0 || slug.length > max) p.add(field, `must be 1 to ${max} characters`);
  else if (!SLUG.test(slug)) p.add(field, 'must be lowercase letters, digits and single hyphens, e.g. "desk-lamps"');
}

function checkPrice(p: InputProblems, price: MoneyInput) {
  if (!Number.isInteger(price.amount) || price.amount < 0) p.add('price.amount', 'must be a non-negative integer in minor units');
  else if (price.amount > LIMITS.amountMax) p.add('price.amount', `must be at most ${LIMITS.amountMax}`);
  if (!/^[A-Z]{3}$/.test(price.currency) || !CURRENCIES.has(price.currency))
    p.add('price.currency', 'must be an ISO 4217 code such as EUR');
}

function checkStock(p: InputProblems, stock: number) {
  if (!Number.isInteger(stock) || stock < 0) p.add('stock', 'must be a non-negative integer');
  else if (stock > LIMITS.stockMax) p.add('stock', `must be at most ${LIMITS.stockMax}`);
}

function checkImageUrls(p: InputProblems, urls: string[]) {
  if (urls.length > LIMITS.imageUrlsMax) p.add('imageUrls', `at most ${LIMITS.imageUrlsMax} images`);
  urls.forEach((url, i) => {
    let ok = url.length <= LIMITS.imageUrlMax;
    if (ok) {
      try {
        const parsed = new URL(url);
        ok = (parsed.protocol === 'http:' || parsed.protocol === 'https:') && parsed.hostname !== '';
      } catch {
        ok = false;
      }
    }
    if (!ok) p.add(`imageUrls[${i}]`, 'must be an http(s) URL');
  });
}

/** Validates a new product; every problem is reported at once as BAD_USER_INPUT. */
export function validateNewProduct(
  input: ProductInput & { name: string; price: MoneyInput; stock: number; category: string },
): NewProduct {
  const p = new InputProblems();
  const name = input.name.trim();
  checkName(p, name);
  const slug = input.slug ?? slugify(name);
  checkSlug(p, 'slug', slug, LIMITS.slugMax);
  const description = input.description ?? '';
  if (description.length > LIMITS.descriptionMax) p.add('description', `must be at most ${LIMITS.descriptionMax} characters`);
  checkPrice(p, input.price);
  checkStock(p, input.stock);
  checkSlug(p, 'category', input.category, LIMITS.categoryMax);
  const imageUrls = input.imageUrls ?? [];
  checkImageUrls(p, imageUrls);
  p.throwIfAny();
  return {
    slug,
    name,
    description,
    price: { amount: input.price.amount, currency: input.price.currency },
    stock: input.stock,
    category: input.category,
    imageUrls,
  };
}

/** Validates a partial update; only the given fields are checked and returned. */
export function validateProductChanges(input: ProductInput): ProductChanges {
  const p = new InputProblems();
  const changes: ProductChanges = {};
  if (input.name != null) {
    checkName(p, input.name.trim());
    changes.name = input.name.trim();
  }
  if (input.slug != null) {
    checkSlug(p, 'slug', input.slug, LIMITS.slugMax);
    changes.slug = input.slug;
  }
  if (input.description != null) {
    if (input.description.length > LIMITS.descriptionMax)
      p.add('description', `must be at most ${LIMITS.descriptionMax} characters`);
    changes.description = input.description;
  }
  if (input.price != null) {
    checkPrice(p, input.price);
    changes.price = { amount: input.price.amount, currency: input.price.currency };
  }
  if (input.stock != null) {
    checkStock(p, input.stock);
    changes.stock = input.stock;
  }
  if (input.category != null) {
    checkSlug(p, 'category', input.category, LIMITS.categoryMax);
    changes.category = input.category;
  }
  if (input.imageUrls != null) {
    checkImageUrls(p, input.imageUrls);
    changes.imageUrls = input.imageUrls;
  }
  p.throwIfAny();
  return changes;
}
