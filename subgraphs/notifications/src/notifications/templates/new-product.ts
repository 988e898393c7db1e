import { formatMoney, productEmail, type EmailTemplate, type ProductMention } from './layout.js';

export const newProduct: EmailTemplate<{ name: string; product: ProductMention }> = {
  render: (input, storefrontUrl) =>
    productEmail(
      input,
      storefrontUrl,
      `New: ${input.product.name}`,
      `${input.product.name} is new in the catalog, at ${formatMoney(input.product.price)}.`,
    ),
};
