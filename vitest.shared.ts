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
      // Ceilings, not targets: a fresh clone on a busy 2-core machine (cold tsx caches, CI beside other
      // work) runs its first process spawns and service starts several times slower than a warm one.
      testTimeout: 60_000,
      hookTimeout: 120_000,
      ...overrides,
    },
  });
}
