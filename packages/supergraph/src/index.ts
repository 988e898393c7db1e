import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { composeServices } from '@apollo/composition';
import { lexicographicSortSchema, parse, printSchema } from 'graphql';

/** The repository root (this package lives at packages/supergraph/src or /dist). */
export const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');

/** One subgraph as `subgraphs.json` declares it. */
export interface SubgraphEntry {
  /** Its folder under subgraphs/ and its name in the supergraph. */
  name: string;
  /** Local port (`npm run dev`, the default URL in the supergraph). */
  port: number;
  /** The gateway's environment variable that overrides its URL. */
  urlEnv: string;
  /** Its own MongoDB database. */
  database: string;
}

export interface ServiceList {
  gateway: { port: number };
  subgraphs: SubgraphEntry[];
}

/** Reads the one list of services, `subgraphs.json` at the repository root. */
export function readServiceList(root = repoRoot): ServiceList {
  return JSON.parse(readFileSync(join(root, 'subgraphs.json'), 'utf8')) as ServiceList;
}

export interface SubgraphSdl {
  name: string;
  url: string;
  sdl: string;
}

/** Every listed subgraph's `src/schema.graphql`, with `urls[name]` or its local URL. */
export function readSubgraphSchemas(root = repoRoot, urls: Record<string, string> = {}): SubgraphSdl[] {
  return readServiceList(root)
    .subgraphs.map(({ name, port }) => {
      const file = join(root, 'subgraphs', name, 'src', 'schema.graphql');
      if (!existsSync(file)) throw new Error(`subgraphs.json lists ${name}, but ${file} does not exist`);
      return { name, url: urls[name] ?? `http://127.0.0.1:${port}/graphql`, sdl: readFileSync(file, 'utf8') };
    })
    .sort((a, b) => a.name.localeCompare(b.name));
}

export class CompositionFailedError extends Error {}

function compose(subgraphs: SubgraphSdl[]) {
  const result = composeServices(subgraphs.map((s) => ({ name: s.name, url: s.url, typeDefs: parse(s.sdl) })));
  if (result.errors) {
    const details = result.errors.map((e) => `  - ${e.message}`).join('\n');
    throw new CompositionFailedError(`Supergraph composition failed:\n${details}`);
  }
  return result;
}

/** Composes a Federation 2 supergraph; every composition error is reported in the message. */
export function composeSupergraph(subgraphs: SubgraphSdl[]): string {
  return compose(subgraphs).supergraphSdl;
}

/**
 * The supergraph and, from the same composition, the schema clients see through the gateway (no
 * federation internals), which codegen uses to type test documents.
 */
export function composeSchemas(subgraphs: SubgraphSdl[]): { supergraph: string; apiSchema: string } {
  const result = compose(subgraphs);
  return {
    supergraph: result.supergraphSdl,
    apiSchema: printSchema(lexicographicSortSchema(result.schema.toAPISchema().toGraphQLJSSchema())),
  };
}
