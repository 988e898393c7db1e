// Builds the trusted-documents manifest from the operations clients send: the end-to-end operations in
// e2e/test/operations.graphql and the storefront's (web/src/graphql/*.graphql), the latter exactly as
// its urql clients print them (web/scripts/sent-operations.ts), since the id is the hash of that text.
// The storefront build (web's `build` script) runs it, so a changed storefront document is registered.
//   npm run trusted-documents            write gateway/trusted-documents.json
//   npm run trusted-documents -- --check fail if the committed manifest is out of date
// Each operation's body is printed with the fragments it uses; its id is the SHA-256 of that body,
// which is what clients send as `extensions.persistedQuery.sha256Hash`.
import { readFileSync, writeFileSync, existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { Kind, parse, print, visit, type DefinitionNode, type FragmentDefinitionNode } from 'graphql';
import { sha256, type PersistedQueryManifest } from '../src/persisted-query-manifest.js';

const gatewayDir = resolve(dirname(fileURLToPath(import.meta.url)), '..');
export const SOURCES = [join(gatewayDir, '..', 'e2e', 'test', 'operations.graphql')];
export const MANIFEST_PATH = join(gatewayDir, 'trusted-documents.json');

export function buildManifest(sources: string[]): PersistedQueryManifest {
  const definitions: DefinitionNode[] = sources.flatMap((source) => parse(source).definitions);
  const fragments = new Map(
    definitions.filter((d): d is FragmentDefinitionNode => d.kind === Kind.FRAGMENT_DEFINITION).map((f) => [f.name.value, f]),
  );
  const operations: PersistedQueryManifest['operations'] = [];
  for (const op of definitions) {
    if (op.kind !== Kind.OPERATION_DEFINITION) continue;
    if (!op.name) throw new Error('every registered operation needs a name');
    const used = new Map<string, FragmentDefinitionNode>();
    const collect = (node: DefinitionNode) =>
      visit(node, {
        FragmentSpread(spread) {
          const fragment = fragments.get(spread.name.value);
          if (!fragment) throw new Error(`unknown fragment ${spread.name.value} in ${op.name!.value}`);
          if (!used.has(fragment.name.value)) {
            used.set(fragment.name.value, fragment);
            collect(fragment);
          }
        },
      });
    collect(op);
    const body = print({ kind: Kind.DOCUMENT, definitions: [op, ...used.values()] });
    operations.push({ id: sha256(body), name: op.name.value, type: op.operation, body });
  }
  return { format: 'apollo-persisted-query-manifest', version: 1, operations };
}

/** What web/scripts/sent-operations.ts exports (loaded by path: it belongs to the web workspace). */
interface SentOperation {
  name: string;
  type: 'query' | 'mutation';
  body: string;
}
const WEB_OPERATIONS = join(gatewayDir, '..', 'web', 'scripts', 'sent-operations.ts');

/** The storefront's operations as its clients send them: the body is registered verbatim. */
export async function storefrontOperations(): Promise<PersistedQueryManifest['operations']> {
  const web = (await import(pathToFileURL(WEB_OPERATIONS).href)) as { sentOperations(): Promise<SentOperation[]> };
  return (await web.sentOperations()).map(({ name, type, body }) => ({ id: sha256(body), name, type, body }));
}

export async function manifestText(): Promise<string> {
  const manifest = buildManifest(SOURCES.map((path) => readFileSync(path, 'utf8')));
  const known = new Set(manifest.operations.map((op) => op.id));
  for (const op of await storefrontOperations()) {
    if (!known.has(op.id)) manifest.operations.push(op);
    known.add(op.id);
  }
  return JSON.stringify(manifest, null, 2) + '\n';
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const next = await manifestText();
  const current = existsSync(MANIFEST_PATH) ? readFileSync(MANIFEST_PATH, 'utf8') : '';
  if (process.argv.includes('--check')) {
    if (next !== current) {
      console.error(`${MANIFEST_PATH} is out of date: run \`npm run trusted-documents\``);
      process.exit(1);
    }
  } else if (next !== current) {
    writeFileSync(MANIFEST_PATH, next);
    console.log(`wrote ${MANIFEST_PATH}`);
  }
}
