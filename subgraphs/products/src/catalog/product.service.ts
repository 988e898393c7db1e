import type { ObjectId } from 'mongodb';
import { requireRole } from '@little-ecom/auth';
import { BadUserInputError, ConflictError, NotFoundError } from '@little-ecom/errors';
import { buildEvent, type EventData, type EventType, type ProductSnapshot } from '@little-ecom/events';
import { findManyById, isDuplicateKeyError, pageSize, parseObjectId, toCursorPage, type CursorPage } from '@little-ecom/mongo';
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

export interface ListProductsArgs {
  first?: number | null;
  after?: string | null;
  filter?: ProductFilterInput | null;
  sort?: ProductSortName | null;
}

type ProductPage = CursorPage<ProductDocument>;

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
    aggregateVersion: doc.version ?? 1,
  };
}

const event = <T extends EventType>(type: T, data: EventData<T>, correlationId: string) =>
  buildEvent(type, data, { source: 'products', correlationId });

/** Catalog rules: who may change it, what a valid product is, and how lists are paged. */
export function createProductService({ repository }: { repository: ProductRepository }) {
  const requireProductId = (id: string): ObjectId => {
    const objectId = parseObjectId(id);
    if (!objectId) throw new BadUserInputError('id is not a valid product id', 'id');
    return objectId;
  };

  const rethrowSlugConflict = (error: unknown): never => {
    if (isDuplicateKeyError(error)) throw new ConflictError('A product with this slug already exists', 'slug');
    throw error;
  };

  return {
    async getById(_scope: Scope, id: string): Promise<ProductDocument | null> {
      const objectId = parseObjectId(id);
      return objectId ? repository.findById(objectId) : null;
    },

    getBySlug: (_scope: Scope, slug: string) => repository.findBySlug(slug),

    /** Loads many products with one query; the result is aligned with `ids` (null where missing). */
    getManyById: (_scope: Scope, ids: readonly string[]) => findManyById(ids, (objectIds) => repository.findByIds(objectIds)),

    /**
     * One page of the catalog. `want` says which parts the client selected: each costs one database
     * command (a find for the page, a count for `totalCount`), so a part nobody asked for is not
     * fetched; when both are wanted they run in parallel. Unrequested parts are left empty (zero for
     * the count) and are never sent, since GraphQL only serializes selected fields.
     */
    async list(
      _scope: Scope,
      args: ListProductsArgs,
      want: { page: boolean; count: boolean } = { page: true, count: true },
    ): Promise<ProductPage> {
      const first = pageSize(args.first);
      const sort = args.sort ?? 'NEWEST';
      const filter = buildFilter(args.filter);
      const after = args.after ? afterCursor(sort, args.after) : undefined;
      const [docs, totalCount] = await Promise.all([
        want.page ? repository.list({ filter, ...(after ? { after } : {}), sort: buildSort(sort), limit: first + 1 }) : [],
        want.count ? repository.count(filter) : 0,
      ]);
      return toCursorPage(docs, first, totalCount, (node) => encodeCursor(sort, node));
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
              aggregateVersion: after.version ?? 1,
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
      const deleted = await repository.softDelete(objectId, (before, version) =>
        event(
          'product.deleted',
          { productId: before._id.toHexString(), slug: before.slug, name: before.name, aggregateVersion: version },
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
