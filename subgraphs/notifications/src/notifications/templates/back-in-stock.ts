import { formatMoney, productEmail, type EmailTemplate, type ProductMention } from './layout.js';

export const backInStock: EmailTemplate<{ name: string; product: ProductMention }> = {
  render: (input, storefrontUrl) =>
    productEmail(
      input,
      storefrontUrl,
      `Back in stock: ${input.product.name}`,
      `${input.product.name} is available again, at ${formatMoney(input.product.price)}.`,
    ),
};
