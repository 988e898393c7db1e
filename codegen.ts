import type { CodegenConfig } from '@graphql-codegen/cli';

/**
 * Resolver types for each subgraph, generated from its SDL. `mappers` point GraphQL types at the
 * MongoDB document types the resolvers actually receive, so a resolver that forgets a field mapping
 * fails to compile.
 */
const resolverPlugins = ['typescript', 'typescript-resolvers'];

const shared = {
  federation: true,
  useIndexSignature: true,
  enumsAsTypes: true,
  useTypeImports: true,
  emitLegacyCommonJSImports: false,
  avoidOptionals: { field: true, inputValue: false, object: false, defaultValue: false },
  scalars: { ID: 'string' },
};

const config: CodegenConfig = {
  overwrite: true,
  hooks: {},
  generates: {
    'subgraphs/products/src/__generated__/resolvers-types.ts': {
      schema: 'subgraphs/products/src/schema.graphql',
      plugins: resolverPlugins,
      config: {
        ...shared,
        contextType: '../context.js#ProductsContext',
        mappers: { Product: '../catalog/product.repository.js#ProductDocument' },
      },
    },
    'subgraphs/notifications/src/__generated__/resolvers-types.ts': {
      schema: 'subgraphs/notifications/src/schema.graphql',
      plugins: resolverPlugins,
      config: {
        ...shared,
        contextType: '../context.js#NotificationsContext',
        mappers: {
          Notification: '../notifications/notification.repository.js#NotificationDocument',
          User: '../users/user.repository.js#UserReference',
        },
      },
    },
    'subgraphs/accounts/src/__generated__/resolvers-types.ts': {
      schema: 'subgraphs/accounts/src/schema.graphql',
      plugins: resolverPlugins,
      config: {
        ...shared,
        contextType: '../context.js#AccountsContext',
        mappers: { User: '../users/user.repository.js#UserDocument' },
      },
    },
    'subgraphs/orders/src/__generated__/resolvers-types.ts': {
      schema: 'subgraphs/orders/src/schema.graphql',
      plugins: resolverPlugins,
      config: {
        ...shared,
        contextType: '../context.js#OrdersContext',
        mappers: {
          Order: '../orders/order.repository.js#OrderDocument',
          OrderItem: '../orders/order.repository.js#OrderItemDocument',
          Cart: '../cart/cart.service.js#CartView',
          CartItem: '../cart/cart.service.js#CartItemView',
          User: '../context.js#UserReference',
        },
      },
    },
    // Typed documents for the end-to-end tests, checked against what clients see through the gateway.
    'e2e/test/__generated__/operations.ts': {
      schema: 'gateway/api-schema.graphql',
      documents: 'e2e/test/operations.graphql',
      plugins: ['typescript-operations', 'typed-document-node'],
      config: {
        enumsAsTypes: true,
        useTypeImports: true,
        avoidOptionals: { field: true, inputValue: false },
        scalars: { ID: 'string' },
      },
    },
  },
};

export default config;
