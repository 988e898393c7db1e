import { describe, expect, it } from 'vitest';
import { slugify, validateNewProduct, validateProductChanges } from './product.validation.js';

describe('product validation', () => {
  it('derives slugs from names', () => {
    expect(slugify('Walnut Desk Lamp!')).toBe('walnut-desk-lamp');
    expect(slugify('  Crème Brûlée  Set ')).toBe('creme-brulee-set');
    expect(slugify('x'.repeat(200))).toHaveLength(96);
  });

  it('accepts a valid product and trims its name', () => {
    const product = validateNewProduct({ name: ' Lamp ', price: { amount: 0, currency: 'JPY' }, stock: 0, category: 'lighting' });
    expect(product).toMatchObject({ name: 'Lamp', slug: 'lamp', description: '', imageUrls: [] });
  });

  it('returns only the fields being changed', () => {
    expect(validateProductChanges({ stock: 4, name: null })).toEqual({ stock: 4 });
    expect(() => validateProductChanges({ imageUrls: ['ftp://x/y'] })).toThrow(/imageUrls\[0\]/);
  });
});
