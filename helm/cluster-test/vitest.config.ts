import { defineConfig } from 'vitest/config';

// The cluster tests (npm run test:cluster): one file, in order, against the cluster
// scripts/test-cluster.sh starts. Not part of `npm test`'s projects: it needs root and a cluster.
export default defineConfig({
  test: {
    name: 'cluster',
    environment: 'node',
    include: ['helm/cluster-test/**/*.test.ts'],
    root: new URL('../../', import.meta.url).pathname,
    fileParallelism: false,
    sequence: { concurrent: false },
    testTimeout: 20 * 60_000,
    hookTimeout: 2 * 60_000,
  },
});
