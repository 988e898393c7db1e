import { createHash, randomBytes } from 'node:crypto';
import { requireViewer } from '@little-ecom/auth';
import { BadUserInputError, RateLimitedError, UnauthenticatedError } from '@little-ecom/errors';
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

/** What `startGuestCart` hands out: 256 random bits, base64url. Only its hash is stored. */
const GUEST_TOKEN = /^[A-Za-z0-9_-]{43}$/;

/** Why a guest cart's line was not taken over as it was (see `mergeGuest`). */
export type MergeProblem = 'UNAVAILABLE' | 'OUT_OF_STOCK' | 'OTHER_CURRENCY' | 'QUANTITY_CAPPED' | 'TOO_MANY_LINES';

/** How long a guest cart nobody touches is kept. */
export const GUEST_CART_TTL_MS = 30 * 24 * 60 * 60_000;

/** Guest carts one client address may start per hour (each is a document kept up to 30 days). */
export const GUEST_CARTS_PER_HOUR = 20;

export interface CartMergeView {
  cart: CartView;
  /** False when this call merged nothing: the guest cart was merged before (another tab) or is gone. */
  merged: boolean;
  problems: MergeProblemView[];
}

export interface MergeProblemView {
  productId: string;
  /** Units the guest cart held. */
  quantity: number;
  problem: MergeProblem;
}

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

  /** The stored key of a guest cart token; BAD_USER_INPUT for anything that cannot be one. */
  const guestKey = (token: string): string => {
    if (!GUEST_TOKEN.test(token)) throw new BadUserInputError('guestCartToken is not a guest cart token', 'guestCartToken');
    return `guest:${createHash('sha256').update(token).digest('hex')}`;
  };

  /**
   * Whose cart a call is about: the caller's when logged in (a bad access token stays UNAUTHENTICATED),
   * else the guest cart the token names, which must exist.
   */
  async function ownerOf(scope: Scope, guestCartToken: string | null | undefined): Promise<string> {
    if (scope.auth.viewer || scope.auth.authError) return requireViewer(scope.auth).userId;
    if (!guestCartToken) throw new UnauthenticatedError('Log in, or pass the guestCartToken that startGuestCart gave');
    const key = guestKey(guestCartToken);
    if (!(await carts.find(key)))
      throw new BadUserInputError('No such guest cart: it expired or was merged into an account', 'guestCartToken');
    return key;
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

    async add(scope: Scope, productId: string, quantity: number, guestCartToken?: string | null): Promise<CartView> {
      const userId = await ownerOf(scope, guestCartToken);
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

    async update(scope: Scope, productId: string, quantity: number, guestCartToken?: string | null): Promise<CartView> {
      const userId = await ownerOf(scope, guestCartToken);
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

    async remove(scope: Scope, productId: string, guestCartToken?: string | null): Promise<CartView> {
      const userId = await ownerOf(scope, guestCartToken);
      const id = productId.toLowerCase();
      return view(userId, await carts.change(userId, (items) => items.filter((l) => l.productId !== id)));
    },

    async clear(scope: Scope, guestCartToken?: string | null): Promise<CartView> {
      const userId = await ownerOf(scope, guestCartToken);
      return view(userId, await carts.change(userId, () => []));
    },

    /** A new, empty guest cart; its token is the only way to it (the server keeps only a hash). */
    async startGuest(scope: Scope, now = new Date()): Promise<string> {
      // The address only as a hash: enough to count, nothing personal kept.
      const startedBy = createHash('sha256')
        .update(`guest-cart:${scope.clientIp ?? 'unknown'}`)
        .digest('hex')
        .slice(0, 32);
      if ((await carts.countStartedSince(startedBy, new Date(now.getTime() - 60 * 60_000))) >= GUEST_CARTS_PER_HOUR)
        throw new RateLimitedError('Too many guest carts from this address; try again later', 60 * 60);
      const token = randomBytes(32).toString('base64url');
      await carts.createGuest(guestKey(token), startedBy, now);
      return token;
    },

    /** The guest cart of `token`; null when there is none (never created, expired, or merged). */
    async getGuest(token: string): Promise<CartView | null> {
      const key = guestKey(token);
      const doc = await carts.find(key);
      return doc ? view(key, doc) : null;
    },

    /**
     * Moves the guest cart of `token` into the caller's cart, once (docs/orders.md, "Guest carts"):
     * quantities summed and capped at MAX_QUANTITY; lines of deleted products, of another currency
     * than the cart's, or beyond MAX_LINES left out; out-of-stock lines kept; each reported in
     * `problems`. A unique receipt makes exactly one of two tabs logging in at once merge it.
     */
    async mergeGuest(scope: Scope, token: string): Promise<CartMergeView> {
      const { userId } = requireViewer(scope.auth);
      const key = guestKey(token);
      const guest = await carts.find(key);
      if (!guest || !(await carts.claimMerge(key, userId)))
        return { cart: await view(userId, await carts.find(userId)), merged: false, problems: [] };
      const products = new Map((await catalog.findByIds(guest.items.map((l) => l.productId))).map((p) => [p._id, p]));
      let problems: CartMergeView['problems'] = [];
      const doc = await carts.change(userId, async (items) => {
        problems = [];
        const own = items.length > 0 ? await catalog.findByIds(items.map((l) => l.productId)) : [];
        let currency = own.find((p) => !p.deleted)?.price.currency ?? null;
        let next = [...items];
        for (const line of guest.items) {
          const report = (problem: MergeProblem) =>
            problems.push({ productId: line.productId, quantity: line.quantity, problem });
          const product = products.get(line.productId);
          if (!product || product.deleted) {
            report('UNAVAILABLE');
            continue;
          }
          if (currency && product.price.currency !== currency) {
            report('OTHER_CURRENCY');
            continue;
          }
          const existing = next.find((l) => l.productId === line.productId);
          if (!existing && next.length >= MAX_LINES) {
            report('TOO_MANY_LINES');
            continue;
          }
          currency ??= product.price.currency;
          const wanted = (existing?.quantity ?? 0) + line.quantity;
          const quantity = Math.min(wanted, MAX_QUANTITY);
          if (quantity < wanted) report('QUANTITY_CAPPED');
          if (product.stock <= 0) report('OUT_OF_STOCK');
          next = existing
            ? next.map((l) => (l.productId === line.productId ? { ...l, quantity } : l))
            : [...next, { productId: line.productId, quantity, addedAt: line.addedAt }];
        }
        return next;
      });
      await carts.remove(key);
      scope.logger.info('guest cart merged', { userId, lines: guest.items.length, problems: problems.length });
      return { cart: await view(userId, doc), merged: true, problems };
    },

    /** Deletes guest carts untouched for GUEST_CART_TTL_MS (a batch per call); returns how many. */
    expireGuests: (now = new Date()) => carts.removeStaleGuests(new Date(now.getTime() - GUEST_CART_TTL_MS), 500),

    /** The raw cart for checkout, joined with the catalog. */
    forCheckout: async (userId: string) => view(userId, await carts.find(userId)),

    clearIfUnchanged: (userId: string, version: number) => carts.clearIfUnchanged(userId, version),
  };
}

export type CartService = ReturnType<typeof createCartService>;
