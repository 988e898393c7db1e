import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { SUBGRAPHS } from './support/service-list.js';
import { ROOT } from './support/tools.js';

/**
 * docs/adding-a-subgraph.md is how a new subgraph gets added, so it has to stay exact: the files it
 * says to edit are the files that list the subgraphs, it counts them right, it names no file that
 * does not exist, and it describes every file each subgraph's src/ has.
 */
const doc = readFileSync(join(ROOT, 'docs/adding-a-subgraph.md'), 'utf8');
const names = SUBGRAPHS.map((s) => s.name);

/** The first column of the table in section 2, "The N files outside the folder". */
function tableFiles(): string[] {
  const section = doc.slice(doc.indexOf('## 2.'), doc.indexOf('## 3.'));
  return section
    .split('\n')
    .map((line) => /^\|\s*`([^`]+)`\s*\|/.exec(line)?.[1])
    .filter((file): file is string => file !== undefined);
}

const WORDS = ['zero', 'one', 'two', 'three', 'four', 'five', 'six', 'seven', 'eight', 'nine', 'ten'];

describe('docs/adding-a-subgraph.md', () => {
  it('lists the files outside the folder that name every subgraph, and counts them right', () => {
    const files = tableFiles();
    expect(files.length).toBeGreaterThan(0);
    for (const file of files) {
      const text = readFileSync(join(ROOT, file), 'utf8');
      for (const name of names) expect(text, `${file} names ${name}`).toMatch(new RegExp(`\\b${name}\\b`));
    }
    const count = WORDS[files.length];
    expect(doc).toContain(`**${count} files** outside it`);
    expect(doc).toContain(`## 2. The ${count} files outside the folder`);
  });

  it('covers every other file that lists the subgraphs by hand', () => {
    // Files outside the subgraphs that name every subgraph's MongoDB URI key or block: each is in the
    // table, or derives its list from subgraphs.json.
    const candidates = [
      'helm/little-ecom/values.yaml',
      'infra/cluster/values.yaml',
      'infra/compose.yaml',
      'infra/platform/manifests/mongodb.yaml',
    ];
    const files = tableFiles();
    for (const file of candidates) expect(files).toContain(file);
    // The cluster test takes its Deployments from subgraphs.json instead of a list of its own.
    const clusterTest = readFileSync(join(ROOT, 'helm/cluster-test/chart.test.ts'), 'utf8');
    expect(clusterTest).toMatch(/const DEPLOYMENTS = \[\.\.\.COMPONENTS, 'web'\];/);
  });

  it('names only paths that exist', () => {
    const paths = [...doc.matchAll(/`((?:scripts|helm|infra|gateway|packages|e2e|docs)\/[^`\s*<>]+)`/g)].map((m) => m[1]!);
    expect(paths.length).toBeGreaterThan(5);
    const missing = paths.filter((p) => !p.includes('reviews') && !existsSync(join(ROOT, p.replace(/#.*$/, ''))));
    expect(missing).toEqual([]);
  });

  it('describes every file that each subgraph has at the top of src/', () => {
    const perSubgraph = names.map((name) => {
      const src = join(ROOT, 'subgraphs', name, 'src');
      return new Set(
        readdirSync(src).filter((f) => !f.startsWith('__') && !f.endsWith('.test.ts') && statSync(join(src, f)).isFile()),
      );
    });
    const common = [...perSubgraph[0]!].filter((f) => perSubgraph.every((files) => files.has(f)));
    expect(common).toContain('services.ts');
    const folderSection = doc.slice(doc.indexOf('## 1.'), doc.indexOf('## 2.'));
    const undescribed = common.filter((f) => !folderSection.includes(`src/${f}`));
    expect(undescribed).toEqual([]);
  });
});
