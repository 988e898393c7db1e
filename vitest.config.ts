import { defineConfig } from 'vitest/config';

// One run over every workspace, so `npm test` reports one total.
export default defineConfig({
  test: {
    projects: ['packages/*', 'subgraphs/*', 'gateway', 'e2e', 'helm', 'web'],
    // Integration tests share one FerretDB and one broker on two cores: keep parallelism modest.
    maxWorkers: 2,
  },
});
