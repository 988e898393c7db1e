import { ObjectId } from 'mongodb';
import { requireRole } from '@little-ecom/auth';
import { BadUserInputError, ConflictError, NotFoundError } from '@little-ecom/errors';
import { buildEvent, type EventType, type ProductSnapshot } from '@little-ecom/events';
import { isDuplicateKeyError } from '@little-ecom/mongo';
import type { Scope } from '@little-ecom/scope';
import {
  afterCursor,
  buildFilter,
  buildSort,
  encodeCursor,
  type ProductFilterInput,
  type ProductSortName,
} from './product.query.js';
import type { ProductDocument, ProductRepository } from './product.repository.js';
import { validateNewProduct, validateProductChanges, type MoneyInput, type ProductInput } from './product.validation.js';

export const PAGE_SIZE_MAX = 100;

export interface ListProductsArgs {
  first?: number | null;
  after?: string | null;
  filter?: ProductFilterInput | null;
  sort?: ProductSortName | null;
}

export interface ProductPage {
  edges: { cursor: string; node: ProductDocument }[];
  pageInfo: { hasNextPage: boolean; endCursor: string | null };
  totalCount: number;
}

/** Parses a client-supplied id; malformed ids are simply ids that match nothing. */
export function parseProductId(id: string): ObjectId | null {
  return /^[0-9a-fA-F]{24}$/.test(id) ? new ObjectId(id) : null;
}

/** What consumers learn about a product in its events. */
export function snapshot(doc: ProductDocument): ProductSnapshot {
  return {
    productId: doc._id.toHexString(),
    slug: doc.slug,
    name: doc.name,
    description: doc.description,
    price: { amount: doc.price.amount, currency: doc.price.currency },
    stock: doc.stock,
    category: doc.category,
    imageUrls: [...doc.imageUrls],
  };
}

const event = <T extends Record<string, unknown>>(type: EventType, data: T, correlationId: string) =>
  buildEvent(type, data, { source: 'products', correlationId });

/** Catalog rules: who may change it, what a valid product is, and how lists are paged. */
export function createProductService({ repository }: { repository: ProductRepository }) {
  const requireProductId = (id: string): ObjectId => {
    const objectId = parseProductId(id);
    if (!objectId) throw new BadUserInputError('id is not a valid product id', 'id');
    return objectId;
  };

  const rethrowSlugConflict = (error: unknown): never => {
    if (isDuplicateKeyError(error)) throw new ConflictError('A product with this slug already exists', 'slug');
    throw error;
  };

  return {
    async getById(_scope: Scope, id: string): Promise<ProductDocument | null> {
      const objectId = parseProductId(id);
      return objectId ? repository.findById(objectId) : null;
    },

    getBySlug: (_scope: Scope, slug: string) => repository.findBySlug(slug),

    /** Loads many products with one query; the result is aligned with `ids` (null where missing). */
    async getManyById(_scope: Scope, ids: readonly string[]): Promise<(ProductDocument | null)[]> {
      const objectIds = ids.map(parseProductId).filter((id): id is ObjectId => id !== null);
      const found = objectIds.length > 0 ? await repository.findByIds(objectIds) : [];
      const byId = new Map(found.map((doc) => [doc._id.toHexString(), doc]));
      return ids.map((id) => byId.get(id.toLowerCase()) ?? null);
    },

    async list(_scope: Scope, args: ListProductsArgs): Promise<ProductPage> {
      const first = args.first ?? 20;
      if (!Number.isInteger(first) || first < 1 || first > PAGE_SIZE_MAX) {
        throw new BadUserInputError(`first must be between 1 and ${PAGE_SIZE_MAX}`, 'first');
      }
      const sort = args.sort ?? 'NEWEST';
      const filter = buildFilter(args.filter);
      const after = args.after ? afterCursor(sort, args.after) : undefined;
      const [docs, totalCount] = await Promise.all([
        repository.list({ filter, ...(after ? { after } : {}), sort: buildSort(sort), limit: first + 1 }),
        repository.count(filter),
      ]);
      const page = docs.slice(0, first);
      const edges = page.map((node) => ({ cursor: encodeCursor(sort, node), node }));
      return {
        edges,
        pageInfo: { hasNextPage: docs.length > first, endCursor: edges.at(-1)?.cursor ?? null },
        totalCount,
      };
    },

    /** The scope's correlation id travels in the events this change causes. */
    async create(scope: Scope, input: ProductInput & { name: string; price: MoneyInput; stock: number; category: string }) {
      const viewer = requireRole(scope.auth, 'ADMIN');
      const product = validateNewProduct(input);
      const created = await repository
        .insert(product, new Date(), (doc) => [event('product.created', { ...snapshot(doc) }, scope.correlationId)])
        .catch(rethrowSlugConflict);
      scope.logger.info('product created', { productId: created._id.toHexString(), userId: viewer.userId });
      return created;
    },

    async update(scope: Scope, id: string, input: ProductInput): Promise<ProductDocument> {
      const viewer = requireRole(scope.auth, 'ADMIN');
      const objectId = requireProductId(id);
      const changes = validateProductChanges(input);
      if (Object.keys(changes).length === 0) throw new BadUserInputError('input must change at least one field', 'input');
      const updated = await repository
        .update(objectId, changes, (before, after) =>
          event(
            'product.updated',
            {
              productId: id.toLowerCase(),
              slug: after.slug,
              name: after.name,
              price: { before: { ...before.price }, after: { ...after.price } },
              stock: { before: before.stock, after: after.stock },
              changed: Object.keys(changes),
            },
            scope.correlationId,
          ),
        )
        .catch(rethrowSlugConflict);
      if (!updated) throw new NotFoundError('Product not found');
      scope.logger.info('product updated', { productId: id, userId: viewer.userId, fields: Object.keys(changes) });
      return updated;
    },

    async delete(scope: Scope, id: string): Promise<boolean> {
      const viewer = requireRole(scope.auth, 'ADMIN');
      const objectId = requireProductId(id);
      const deleted = await repository.softDelete(objectId, (before) =>
        event(
          'product.deleted',
          { productId: before._id.toHexString(), slug: before.slug, name: before.name },
          scope.correlationId,
        ),
      );
      if (!deleted) throw new NotFoundError('Product not found');
      scope.logger.info('product deleted', { productId: id, userId: viewer.userId });
      return true;
    },
  };
}

export type ProductService = ReturnType<typeof createProductService>;
