// Hive Gateway configuration for bench/gateways.ts: its defaults, plus forwarding Authorization to
// the subgraphs, which the storefront's `me` query needs (Hive propagates no headers by default).
import { defineConfig } from '@graphql-hive/gateway';

export const gatewayConfig = defineConfig({
  propagateHeaders: {
    fromClientToSubgraphs: ({ request }) => {
      const authorization = request.headers.get('authorization');
      return authorization ? { authorization } : {};
    },
  },
});
