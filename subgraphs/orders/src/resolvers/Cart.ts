import type { CartItemResolvers, CartResolvers } from '../__generated__/resolvers-types.js';
import { cartSubtotal } from '../cart/cart.service.js';

export const Cart: CartResolvers = {
  subtotal: (cart) => cartSubtotal(cart.items),
  updatedAt: (cart) => cart.updatedAt?.toISOString() ?? null,
};

export const CartItem: CartItemResolvers = {
  product: (item) => ({ __typename: 'Product', id: item.productId }),
  unitPrice: (item) => ({ ...item.product.price }),
};
