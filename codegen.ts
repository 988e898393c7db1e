import { readFileSync } from 'node:fs';
import type { CodegenConfig } from '@graphql-codegen/cli';

/**
 * Resolver types for each subgraph, generated from its SDL. `mappers` point GraphQL types at the
 * MongoDB document types the resolvers actually receive, so a resolver that forgets a field mapping
 * fails to compile.
 */
const resolverPlugins = ['typescript', 'typescript-resolvers'];

const shared = {
  federation: true,
  useIndexSignature: true,
  enumsAsTypes: true,
  useTypeImports: true,
  emitLegacyCommonJSImports: false,
  avoidOptionals: { field: true, inputValue: false, object: false, defaultValue: false },
  scalars: { ID: 'string', MinorUnits: 'number' },
};

interface ListedSubgraph {
  name: string;
  codegen?: { mappers?: Record<string, string> };
}

/** `order-history` -> `OrderHistory`: each subgraph exports `<Name>Context` from src/context.ts. */
const pascal = (name: string) => name.replace(/(^|-)([a-z])/g, (_, _dash: string, c: string) => c.toUpperCase());

// One entry per subgraph in subgraphs.json (read directly: codegen runs before any workspace is built).
const listed = (JSON.parse(readFileSync('subgraphs.json', 'utf8')) as { subgraphs: ListedSubgraph[] }).subgraphs;
const subgraphEntries: CodegenConfig['generates'] = Object.fromEntries(
  listed.map(({ name, codegen }) => [
    `subgraphs/${name}/src/__generated__/resolvers-types.ts`,
    {
      schema: `subgraphs/${name}/src/schema.graphql`,
      plugins: resolverPlugins,
      config: {
        ...shared,
        contextType: `../context.js#${pascal(name)}Context`,
        mappers: Object.fromEntries(Object.entries(codegen?.mappers ?? {}).map(([type, path]) => [type, `../${path}`])),
      },
    },
  ]),
);

const config: CodegenConfig = {
  overwrite: true,
  hooks: {},
  generates: {
    ...subgraphEntries,
    // Typed documents for the end-to-end tests, checked against what clients see through the gateway.
    'e2e/test/__generated__/operations.ts': {
      schema: 'gateway/api-schema.graphql',
      documents: 'e2e/test/operations.graphql',
      plugins: ['typescript-operations', 'typed-document-node'],
      config: {
        enumsAsTypes: true,
        useTypeImports: true,
        avoidOptionals: { field: true, inputValue: false },
        scalars: { ID: 'string', MinorUnits: 'number' },
      },
    },
    // The storefront's typed documents (client preset) from its own operations, against the client schema.
    'web/src/gql/': {
      schema: 'gateway/api-schema.graphql',
      documents: 'web/src/graphql/*.graphql',
      preset: 'client',
      presetConfig: { fragmentMasking: false },
      config: {
        enumsAsTypes: true,
        useTypeImports: true,
        emitLegacyCommonJSImports: false,
        avoidOptionals: { field: true, inputValue: false },
        scalars: { ID: 'string', MinorUnits: 'number' },
      },
    },
  },
};

export default config;
