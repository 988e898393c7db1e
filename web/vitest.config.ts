import { project } from '../vitest.shared.js';

// Browser journeys: each file starts the whole stack and a headless Chromium, so give them time.
export default project('web', {
  include: ['test/**/*.test.ts'],
  globalSetup: ['test/support/build.ts'],
  testTimeout: 120_000,
  hookTimeout: 180_000,
  // Pages answer over the real stack: give polled expectations as long as a person would wait.
  expect: { poll: { timeout: 15_000, interval: 100 } },
});
