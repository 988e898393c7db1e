import type { ObjectId } from 'mongodb';
import { requireRole } from '@little-ecom/auth';
import { BadUserInputError, ConflictError, NotFoundError } from '@little-ecom/errors';
import { findManyById, isDuplicateKeyError, pageSize, parseObjectId, toCursorPage, type CursorPage } from '@little-ecom/mongo';
import type { Scope } from '@little-ecom/scope';
import { productCreated, productDeleted, productUpdated } from './product.events.js';
import {
  afterCursor,
  buildFilter,
  PRICE_BANDS,
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

/** A page of the catalog, and the filter it was listed with (for `facets`, resolved only when selected). */
export type ProductPage = CursorPage<ProductDocument> & { filter: ProductFilterInput | null };

/** Counts per category and per price band for a catalog filter (see `facets`). */
export interface ProductFacets {
  categories: { value: string; count: number }[];
  priceBands: { min: number; max: number | null; count: number }[];
}

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
    getBySlug: (slug: string) => repository.findBySlug(slug),

    /** Loads many products with one query; the result is aligned with `ids` (null where missing). */
    getManyById: (ids: readonly string[]) => findManyById(ids, (objectIds) => repository.findByIds(objectIds)),

    /**
     * One page of the catalog. `want` says which parts the client selected: each costs one database
     * command (a find for the page, a count for `totalCount`), so a part nobody asked for is not
     * fetched; when both are wanted they run in parallel. Unrequested parts are left empty (zero for
     * the count) and are never sent, since GraphQL only serializes selected fields.
     */
    async list(
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
      return { ...toCursorPage(docs, first, totalCount, (node) => encodeCursor(sort, node)), filter: args.filter ?? null };
    },

    /**
     * How many products each category and each price band holds under `filterInput`, each counted
     * without its own condition (the other categories stay visible while one is chosen). Categories
     * with none are left out, except the chosen one; every band is listed. One aggregation and one
     * count per band, in parallel.
     */
    async facets(filterInput: ProductFilterInput | null): Promise<ProductFacets> {
      const byPrice = buildFilter(filterInput, 'price');
      const [categories, ...bands] = await Promise.all([
        repository.countByCategory(buildFilter(filterInput, 'category')),
        ...PRICE_BANDS.map(({ min, max }) =>
          repository.count({ $and: [byPrice, { 'price.amount': { $gte: min, ...(max === null ? {} : { $lte: max }) } }] }),
        ),
      ]);
      const chosen = filterInput?.category;
      if (chosen != null && !categories.some((c) => c.value === chosen)) categories.push({ value: chosen, count: 0 });
      return {
        categories: categories.sort((a, b) => a.value.localeCompare(b.value)),
        priceBands: PRICE_BANDS.map((band, i) => ({ ...band, count: bands[i] ?? 0 })),
      };
    },

    /** The scope's correlation id travels in the events this change causes. */
    async create(scope: Scope, input: ProductInput & { name: string; price: MoneyInput; stock: number; category: string }) {
      const viewer = requireRole(scope.auth, 'ADMIN');
      const product = validateNewProduct(input);
      const created = await repository
        .insert(product, new Date(), (doc) => [productCreated(scope, doc)])
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
        .update(objectId, changes, (before, after) => productUpdated(scope, before, after, Object.keys(changes)))
        .catch(rethrowSlugConflict);
      if (!updated) throw new NotFoundError('Product not found');
      scope.logger.info('product updated', { productId: id, userId: viewer.userId, fields: Object.keys(changes) });
      return updated;
    },

    async delete(scope: Scope, id: string): Promise<boolean> {
      const viewer = requireRole(scope.auth, 'ADMIN');
      const objectId = requireProductId(id);
      const deleted = await repository.softDelete(objectId, (before, version) => productDeleted(scope, before, version));
      if (!deleted) throw new NotFoundError('Product not found');
      scope.logger.info('product deleted', { productId: id, userId: viewer.userId });
      return true;
    },
  };
}

export type ProductService = ReturnType<typeof createProductService>;
