import { readFileSync, readdirSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { composeServices } from '@apollo/composition';
import { lexicographicSortSchema, parse, printSchema } from 'graphql';

/** Local default URL of each subgraph; deployments override them with PRODUCTS_URL etc. */
export const SUBGRAPH_PORTS: Record<string, number> = { products: 4001, accounts: 4002, notifications: 4003 };

export interface SubgraphSdl {
  name: string;
  url: string;
  sdl: string;
}

/** Reads `subgraphs/<name>/src/schema.graphql` for every subgraph folder that has one. */
export function readSubgraphSchemas(repoRoot: string, urls: Record<string, string> = {}): SubgraphSdl[] {
  const dir = join(repoRoot, 'subgraphs');
  return readdirSync(dir, { withFileTypes: true })
    .filter((entry) => entry.isDirectory() && existsSync(join(dir, entry.name, 'src', 'schema.graphql')))
    .map((entry) => entry.name)
    .sort()
    .map((name) => ({
      name,
      url: urls[name] ?? `http://127.0.0.1:${SUBGRAPH_PORTS[name] ?? 4100}/graphql`,
      sdl: readFileSync(join(dir, name, 'src', 'schema.graphql'), 'utf8'),
    }));
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
