import { existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readServiceList, readSubgraphSchemas, repoRoot } from './index.js';

// Every listed subgraph has the same shape (docs/adding-a-subgraph.md), so the tools that derive
// from subgraphs.json (codegen, npm run dev, the image build) find what they expect.
const { subgraphs } = readServiceList();
const ENTRY_FILES = ['app', 'index', 'main', 'server', 'config', 'context'].map((f) => `src/${f}.ts`);

describe.each(subgraphs)('subgraph $name', ({ name, database, port, codegen }) => {
  const dir = join(repoRoot, 'subgraphs', name);

  it('has the common layout: entry files, schema, resolvers and tests', () => {
    for (const file of [...ENTRY_FILES, 'src/schema.graphql', 'package.json', 'tsconfig.json', 'vitest.config.ts'])
      expect(existsSync(join(dir, file)), `${name}/${file}`).toBe(true);
    for (const folder of ['src/resolvers', 'test'])
      expect(statSync(join(dir, folder)).isDirectory(), `${name}/${folder}`).toBe(true);
  });

  it('defaults to its listed port and database', () => {
    const config = readFileSync(join(dir, 'src/config.ts'), 'utf8');
    // subgraphEnv (packages/config), directly or through the event-driven helpers built on it:
    // PORT defaults to the port, MONGODB_DB to the database.
    expect(config).toMatch(
      new RegExp(`\\b(subgraphEnv|eventDrivenSubgraphEnv|eventProducerSubgraphSchema)\\('${database}', ${port}\\)`),
    );
  });

  it('is the workspace @little-ecom/<name> with the scripts turbo and the image build run', () => {
    const pkg = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as { name: string; scripts: Record<string, string> };
    expect(pkg.name).toBe(`@little-ecom/${name}`);
    for (const script of ['build', 'typecheck', 'lint', 'test', 'dev', 'start'])
      expect(pkg.scripts[script], script).toBeDefined();
    expect(pkg.scripts['start']).toBe('node dist/main.js');
  });

  it('exports the context type and every codegen mapper type that codegen.ts points at', () => {
    const pascal = name.replace(/(^|-)([a-z])/g, (_, _dash: string, c: string) => c.toUpperCase());
    expect(readFileSync(join(dir, 'src/context.ts'), 'utf8')).toMatch(new RegExp(`export (interface|type) ${pascal}Context\\b`));
    for (const [type, target] of Object.entries(codegen?.mappers ?? {})) {
      const [path, symbol] = target.split('#') as [string, string];
      const file = join(dir, 'src', path.replace(/\.js$/, '.ts'));
      expect(existsSync(file), `${type} -> ${file}`).toBe(true);
      expect(readFileSync(file, 'utf8'), `${type} -> ${target}`).toMatch(new RegExp(`export (interface|type) ${symbol}\\b`));
    }
  });
});

describe('readSubgraphSchemas', () => {
  it('reads one schema per listed subgraph, at its local port unless a URL is given', () => {
    const schemas = readSubgraphSchemas(repoRoot, { products: 'http://products.test/graphql' });
    expect(schemas.map((s) => s.name).sort()).toEqual(subgraphs.map((s) => s.name).sort());
    for (const s of subgraphs) {
      const url = schemas.find((schema) => schema.name === s.name)!.url;
      expect(url).toBe(s.name === 'products' ? 'http://products.test/graphql' : `http://127.0.0.1:${s.port}/graphql`);
    }
  });
});
