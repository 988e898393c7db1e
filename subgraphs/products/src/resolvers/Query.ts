import { Kind, type GraphQLResolveInfo, type SelectionSetNode } from 'graphql';
import { BadUserInputError } from '@little-ecom/errors';
import type { QueryResolvers } from '../__generated__/resolvers-types.js';

/** Names of the fields selected directly on this field's result, through fragments too. */
function selectedFields(info: GraphQLResolveInfo): Set<string> {
  const names = new Set<string>();
  const visit = (set: SelectionSetNode | undefined) => {
    for (const selection of set?.selections ?? []) {
      if (selection.kind === Kind.FIELD) names.add(selection.name.value);
      else if (selection.kind === Kind.INLINE_FRAGMENT) visit(selection.selectionSet);
      else visit(info.fragments[selection.name.value]?.selectionSet);
    }
  };
  for (const node of info.fieldNodes) visit(node.selectionSet);
  return names;
}

export const Query: QueryResolvers = {
  product: async (_parent, { id, slug }, { products, loaders }) => {
    if ((id == null) === (slug == null)) throw new BadUserInputError('Give exactly one of id or slug');
    return id != null ? loaders.productById.load(id) : products.getBySlug(slug!);
  },
  products: (_parent, args, { products }, info) => {
    const fields = selectedFields(info);
    return products.list(args, {
      page: fields.has('edges') || fields.has('pageInfo'),
      count: fields.has('totalCount'),
    });
  },
};
