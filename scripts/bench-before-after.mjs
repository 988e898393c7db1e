// Runs one bench on an earlier commit and on the working tree, in one run, and prints both:
//   node scripts/bench-before-after.mjs <git-ref> <bench file, from the repo root> [bench args ...]
// e.g. `npm run bench:pipeline:before-after` (see package.json). The earlier commit is checked out once
// into .data/bench-before/<commit> (a git worktree), with this tree's third-party node_modules linked
// in and its own workspace packages, and runs the working tree's copy of the bench file, so both sides
// measure and print the same way. The runs are sequential, on the same machine and services.
import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, symlinkSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';

const root = resolve(import.meta.dirname, '..');
const [ref, benchFile, ...benchArgs] = process.argv.slice(2);
if (!ref || !benchFile) {
  process.stderr.write('usage: node scripts/bench-before-after.mjs <git-ref> <bench file> [bench args ...]\n');
  process.exit(2);
}

const git = (...args) => {
  const result = spawnSync('git', args, { cwd: root, encoding: 'utf8' });
  if (result.status !== 0) throw new Error(`git ${args.join(' ')}: ${result.stderr.trim()}`);
  return result.stdout.trim();
};
const commit = git('rev-parse', '--verify', `${ref}^{commit}`);
const before = join(root, '.data', 'bench-before', commit.slice(0, 12));

/** The workspace folders of a tree (package.json `workspaces`, one level of `*`). */
function workspaces(tree) {
  const globs = JSON.parse(readFileSync(join(tree, 'package.json'), 'utf8')).workspaces;
  return globs.flatMap((glob) =>
    glob.endsWith('/*')
      ? readdirSync(join(tree, glob.slice(0, -2)), { withFileTypes: true })
          .filter((d) => d.isDirectory() && existsSync(join(tree, glob.slice(0, -2), d.name, 'package.json')))
          .map((d) => `${glob.slice(0, -2)}/${d.name}`)
      : [glob],
  );
}

if (!existsSync(before)) {
  mkdirSync(join(root, '.data', 'bench-before'), { recursive: true });
  git('worktree', 'add', '--detach', before, commit);
  // Third-party packages from this tree; the workspace packages (@little-ecom/*) of the earlier commit.
  const modules = join(before, 'node_modules');
  mkdirSync(join(modules, '@little-ecom'), { recursive: true });
  for (const entry of readdirSync(join(root, 'node_modules')))
    if (entry !== '@little-ecom') symlinkSync(join(root, 'node_modules', entry), join(modules, entry));
  for (const ws of workspaces(before)) {
    const name = JSON.parse(readFileSync(join(before, ws, 'package.json'), 'utf8')).name;
    if (name.startsWith('@little-ecom/')) symlinkSync(join(before, ws), join(modules, name));
    const own = join(root, ws, 'node_modules');
    if (existsSync(own) && !existsSync(join(before, ws, 'node_modules'))) symlinkSync(own, join(before, ws, 'node_modules'));
  }
}
// The same local tools (Mailpit, FerretDB, ...) as this tree.
if (existsSync(join(root, '.tools')) && !existsSync(join(before, '.tools')))
  symlinkSync(join(root, '.tools'), join(before, '.tools'));
// Both sides run this tree's bench file: the same measurements, printed the same way.
copyFileSync(join(root, benchFile), join(before, benchFile));

const workspaceOf = (file) => workspaces(root).find((ws) => file.startsWith(`${ws}/`)) ?? '.';
const ws = workspaceOf(benchFile);
function run(tree, label) {
  process.stderr.write(`== ${label}: running ${benchFile} ${benchArgs.join(' ')}\n`);
  const result = spawnSync(
    process.execPath,
    ['--import', 'tsx', '--conditions=source', relative(join(tree, ws), join(tree, benchFile)), ...benchArgs],
    { cwd: join(tree, ws), encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'], timeout: 20 * 60_000 },
  );
  if (result.status !== 0) throw new Error(`${label} failed (exit ${result.status ?? result.signal})`);
  return result.stdout.trimEnd().split('\n');
}
const beforeLines = run(before, `before (${ref} = ${commit.slice(0, 12)})`);
const afterLines = run(root, 'after (working tree)');
process.stdout.write(
  [
    `before: ${ref} (${commit.slice(0, 12)})`,
    ...beforeLines.map((l) => `  ${l}`),
    `after: working tree (${git('rev-parse', '--short=12', 'HEAD')}${git('status', '--porcelain') ? ', with changes' : ''})`,
    ...afterLines.map((l) => `  ${l}`),
  ].join('\n') + '\n',
);
