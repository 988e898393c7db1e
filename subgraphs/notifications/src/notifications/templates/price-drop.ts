import { formatMoney, productEmail, type EmailTemplate, type ProductMention } from './layout.js';

export const priceDrop: EmailTemplate<{ name: string; product: ProductMention }> = {
  render(input, storefrontUrl) {
    const { product } = input;
    const price = formatMoney(product.price);
    const before = product.previousPrice ? formatMoney(product.previousPrice) : 'its old price';
    return productEmail(
      input,
      storefrontUrl,
      `Price drop: ${product.name} now ${price}`,
      `${product.name} went down from ${before} to ${price}.`,
    );
  },
};
