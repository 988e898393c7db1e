import { project } from '../vitest.shared.js';

export default project('e2e', { include: ['test/**/*.test.ts'] });
