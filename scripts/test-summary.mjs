// Prints the one summary line CI reads ("tests: N passed, N failed") from vitest's JSON report.
import { readFileSync } from 'node:fs';

const file = process.argv[2];
let report;
try {
  report = JSON.parse(readFileSync(file, 'utf8'));
} catch {
  console.log('tests: 0 passed, 1 failed');
  console.error(`no test report at ${file}: the test runner did not finish`);
  process.exit(1);
}
const passed = report.numPassedTests ?? 0;
const suitesFailed = report.numFailedTestSuites ?? 0;
// A file that fails to load has no failed tests of its own; count it so the line never reads green.
const failed = (report.numFailedTests ?? 0) || suitesFailed;
const skipped = (report.numPendingTests ?? 0) + (report.numTodoTests ?? 0);
const files = report.testResults ?? [];
console.log(`test files: ${files.length} run, ${files.filter((f) => f.status === 'failed').length} failed`);
console.log(`tests: ${passed} passed, ${failed} failed${skipped ? `, ${skipped} skipped` : ''}`);
if (passed === 0 || failed > 0 || suitesFailed > 0) process.exit(1);
