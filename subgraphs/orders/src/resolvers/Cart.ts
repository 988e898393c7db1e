import type {
  CartItemResolvers,
  CartResolvers,
  MergeProblemLineResolvers,
  ShippingMethodResolvers,
} from '../__generated__/resolvers-types.js';
import { cartSubtotal } from '../cart/cart.service.js';

export const Cart: CartResolvers = {
  subtotal: (cart) => cartSubtotal(cart.items),
  quote: (cart, { country, shippingMethod }, { pricing }) => {
    const subtotal = cartSubtotal(cart.items);
    return subtotal ? pricing.quote(subtotal, country, shippingMethod) : null;
  },
  updatedAt: (cart) => cart.updatedAt?.toISOString() ?? null,
};

export const CartItem: CartItemResolvers = {
  product: (item) => ({ __typename: 'Product', id: item.productId }),
  unitPrice: (item) => ({ ...item.product.price }),
};

export const ShippingMethod: ShippingMethodResolvers = {
  deliveryEstimate: ({ minDays, maxDays }) =>
    minDays === maxDays ? `${minDays} business day${minDays === 1 ? '' : 's'}` : `${minDays}–${maxDays} business days`,
};

export const MergeProblemLine: MergeProblemLineResolvers = {
  product: (line) => ({ __typename: 'Product', id: line.productId }),
};
