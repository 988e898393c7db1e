// Prints the one summary line CI reads ("tests: N passed, N failed") from vitest's JSON reports:
// one report (`npm test`, `npm run test:cluster`), or several added up (`.ci/run`, after both).
import { readFileSync } from 'node:fs';

const totals = { files: 0, filesFailed: 0, passed: 0, failed: 0, skipped: 0 };
let missing = false;
for (const file of process.argv.slice(2)) {
  let report;
  try {
    report = JSON.parse(readFileSync(file, 'utf8'));
  } catch {
    console.error(`no test report at ${file}: the test runner did not finish`);
    missing = true;
    continue;
  }
  const files = report.testResults ?? [];
  totals.files += files.length;
  totals.filesFailed += files.filter((f) => f.status === 'failed').length;
  totals.passed += report.numPassedTests ?? 0;
  // A file that fails to load has no failed tests of its own; count it so the line never reads green.
  totals.failed += (report.numFailedTests ?? 0) || (report.numFailedTestSuites ?? 0);
  totals.skipped += (report.numPendingTests ?? 0) + (report.numTodoTests ?? 0);
}
if (missing) totals.failed += 1;
const { files, filesFailed, passed, failed, skipped } = totals;
console.log(`test files: ${files} run, ${filesFailed} failed`);
console.log(`tests: ${passed} passed, ${failed} failed${skipped ? `, ${skipped} skipped` : ''}`);
if (passed === 0 || failed > 0 || filesFailed > 0) process.exit(1);
