import { defineProject, type UserWorkspaceConfig } from 'vitest/config';

/**
 * What every workspace's vitest project shares: workspace packages resolve to their TypeScript
 * sources (the `source` export condition), and integration tests get time for real services.
 */
export function project(name: string, overrides: UserWorkspaceConfig['test'] = {}) {
  return defineProject({
    resolve: { conditions: ['source', 'node'] },
    ssr: { resolve: { conditions: ['source', 'node'] } },
    test: {
      name,
      environment: 'node',
      include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
      testTimeout: 30_000,
      hookTimeout: 60_000,
      ...overrides,
    },
  });
}
