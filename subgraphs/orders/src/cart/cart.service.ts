import { requireViewer } from '@little-ecom/auth';
import { BadUserInputError } from '@little-ecom/errors';
import type { Scope } from '@little-ecom/scope';
import type { CatalogProductDocument, CatalogRepository } from '../catalog/catalog.repository.js';
import { requireOwnerOrAdmin } from '../personal-data.js';
import type { CartDocument, CartLine, CartRepository } from './cart.repository.js';

const MAX_QUANTITY = 99;
const MAX_LINES = 50;

/** A cart as the API shows it: lines joined with the catalog's current names and prices. */
export interface CartView {
  userId: string;
  items: { productId: string; quantity: number; product: CatalogProductDocument }[];
  version: number;
  updatedAt: Date | null;
}

export type CartItemView = CartView['items'][number];

/**
 * The lines' sum at current catalog prices; null for an empty cart, and for one whose products'
 * currencies came to differ after they were added (a price edit): no sum across currencies is shown,
 * and checkout refuses such a cart.
 */
export function cartSubtotal(items: CartItemView[]): { amount: number; currency: string } | null {
  const currencies = new Set(items.map((i) => i.product.price.currency));
  if (currencies.size !== 1) return null;
  return {
    amount: items.reduce((sum, i) => sum + i.product.price.amount * i.quantity, 0),
    currency: [...currencies][0]!,
  };
}

const PRODUCT_ID = /^[0-9a-f]{24}$/;

/** Carts: one per user, only its owner changes it, only products the catalog offers, bounded quantities. */
export function createCartService({ carts, catalog }: { carts: CartRepository; catalog: CatalogRepository }) {
  const checkQuantity = (quantity: number, min: number) => {
    if (!Number.isInteger(quantity) || quantity < min || quantity > MAX_QUANTITY)
      throw new BadUserInputError(`quantity must be between ${min} and ${MAX_QUANTITY}`, 'quantity');
  };

  /** The product, or BAD_USER_INPUT when the catalog does not offer it (unknown, deleted, malformed id). */
  const requireProduct = async (productId: string): Promise<CatalogProductDocument> => {
    const id = productId.toLowerCase();
    const product = PRODUCT_ID.test(id) ? await catalog.findById(id) : null;
    if (!product || product.deleted) throw new BadUserInputError('No such product', 'productId');
    return product;
  };

  /**
   * A cart has one currency: the first line's sets it, and a product priced in another is refused
   * (read under the cart's write queue, so two adds at once cannot both set it).
   */
  const requireCartCurrency = async (items: CartLine[], product: CatalogProductDocument): Promise<void> => {
    const others = items.filter((l) => l.productId !== product._id);
    if (others.length === 0) return;
    const currencies = new Set(
      (await catalog.findByIds(others.map((l) => l.productId))).filter((p) => !p.deleted).map((p) => p.price.currency),
    );
    if (currencies.size > 0 && !currencies.has(product.price.currency))
      throw new BadUserInputError(
        `This cart is in ${[...currencies].join(', ')}; ${product.name} is priced in ${product.price.currency}. Check out or empty the cart first.`,
        'productId',
      );
  };

  async function view(userId: string, doc: CartDocument | null): Promise<CartView> {
    const lines = doc?.items ?? [];
    const products = lines.length > 0 ? await catalog.findByIds(lines.map((l) => l.productId)) : [];
    const byId = new Map(products.map((p) => [p._id, p]));
    return {
      userId,
      // A product deleted since it was added drops out of the cart (checkout refuses it anyway).
      items: lines.flatMap((l) => {
        const product = byId.get(l.productId);
        return product && !product.deleted ? [{ productId: l.productId, quantity: l.quantity, product }] : [];
      }),
      version: doc?.version ?? 0,
      updatedAt: doc?.updatedAt ?? null,
    };
  }

  const setQuantity = (items: CartLine[], productId: string, quantity: number): CartLine[] => {
    const existing = items.find((l) => l.productId === productId);
    if (quantity === 0) return items.filter((l) => l.productId !== productId);
    if (existing) return items.map((l) => (l.productId === productId ? { ...l, quantity } : l));
    if (items.length >= MAX_LINES) throw new BadUserInputError(`a cart holds at most ${MAX_LINES} products`, 'productId');
    return [...items, { productId, quantity, addedAt: new Date() }];
  };

  return {
    /** A user's cart: for that user and admins. */
    async get(scope: Scope, userId: string): Promise<CartView> {
      requireOwnerOrAdmin(scope, userId);
      return view(userId, await carts.find(userId));
    },

    async add(scope: Scope, productId: string, quantity: number): Promise<CartView> {
      const { userId } = requireViewer(scope.auth);
      checkQuantity(quantity, 1);
      const product = await requireProduct(productId);
      const doc = await carts.change(userId, async (items) => {
        await requireCartCurrency(items, product);
        const total = (items.find((l) => l.productId === product._id)?.quantity ?? 0) + quantity;
        if (total > MAX_QUANTITY)
          throw new BadUserInputError(`at most ${MAX_QUANTITY} units of one product per cart`, 'quantity');
        return setQuantity(items, product._id, total);
      });
      return view(userId, doc);
    },

    async update(scope: Scope, productId: string, quantity: number): Promise<CartView> {
      const { userId } = requireViewer(scope.auth);
      checkQuantity(quantity, 0);
      const id = productId.toLowerCase();
      // Setting 0 (removing) needs no live product; anything else does.
      if (quantity > 0) await requireProduct(id);
      const doc = await carts.change(userId, (items) => {
        if (quantity > 0 && !items.some((l) => l.productId === id))
          throw new BadUserInputError('That product is not in the cart', 'productId');
        return setQuantity(items, id, quantity);
      });
      return view(userId, doc);
    },

    async remove(scope: Scope, productId: string): Promise<CartView> {
      const { userId } = requireViewer(scope.auth);
      const id = productId.toLowerCase();
      return view(userId, await carts.change(userId, (items) => items.filter((l) => l.productId !== id)));
    },

    async clear(scope: Scope): Promise<CartView> {
      const { userId } = requireViewer(scope.auth);
      return view(userId, await carts.change(userId, () => []));
    },

    /** The raw cart for checkout, joined with the catalog. */
    forCheckout: async (userId: string) => view(userId, await carts.find(userId)),

    clearIfUnchanged: (userId: string, version: number) => carts.clearIfUnchanged(userId, version),
  };
}

export type CartService = ReturnType<typeof createCartService>;
