import type { CartItemResolvers, CartResolvers } from '../__generated__/resolvers-types.js';

export const Cart: CartResolvers = {
  subtotal: (cart) =>
    cart.items.length === 0
      ? null
      : {
          amount: cart.items.reduce((sum, i) => sum + i.product.price.amount * i.quantity, 0),
          currency: cart.items[0]!.product.price.currency,
        },
  updatedAt: (cart) => cart.updatedAt?.toISOString() ?? null,
};

export const CartItem: CartItemResolvers = {
  product: (item) => ({ __typename: 'Product', id: item.productId }),
  unitPrice: (item) => ({ ...item.product.price }),
};
