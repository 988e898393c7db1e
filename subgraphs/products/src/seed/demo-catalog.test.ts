import { describe, expect, it } from 'vitest';
import { validateNewProduct } from '../catalog/product.validation.js';
import { demoCatalog } from './demo-catalog.js';

describe('demo catalog', () => {
  it('has a few dozen valid products with unique slugs over several categories', () => {
    const products = demoCatalog();
    expect(products.length).toBeGreaterThanOrEqual(30);
    expect(new Set(products.map((p) => p.slug)).size).toBe(products.length);
    expect(new Set(products.map((p) => p.category)).size).toBeGreaterThanOrEqual(5);
    for (const product of products) expect(() => validateNewProduct(product)).not.toThrow();
  });
});
