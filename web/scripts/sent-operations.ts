// The storefront's operations exactly as its GraphQL clients put them on the wire, for the gateway's
// trusted-documents manifest (gateway/scripts/trusted-documents.ts). The gateway keys a trusted document
// by the SHA-256 of the text it receives, and urql rewrites documents before sending (its cache exchange
// adds `__typename` to every selection set; the session client has no cache and sends them as written),
// so each generated document is sent through real urql clients with both exchange pipelines and the
// request bodies are captured: no second printer that could drift from the client's.
import { Client, cacheExchange, fetchExchange, type DocumentInput, type Exchange } from '@urql/core';
import type { DocumentNode, OperationDefinitionNode } from 'graphql';
import * as generated from '../src/gql/graphql.js';

export interface SentOperation {
  name: string;
  type: 'query' | 'mutation';
  body: string;
}

/** The page client (web/src/client.ts) caches; the session client (web/src/session.ts) does not. */
const pipelines: Exchange[][] = [[cacheExchange, fetchExchange], [fetchExchange]];

function operationsOf(): { name: string; type: 'query' | 'mutation'; document: DocumentNode }[] {
  return Object.entries(generated).flatMap(([exportName, value]) => {
    if (!exportName.endsWith('Document') || typeof value !== 'object' || value === null) return [];
    const document = value as DocumentNode;
    const op = document.definitions.find((d): d is OperationDefinitionNode => String(d.kind) === 'OperationDefinition');
    const type = String(op?.operation);
    if (!op?.name || (type !== 'query' && type !== 'mutation')) return [];
    return [{ name: op.name.value, type, document }];
  });
}

/** Every storefront operation as each client sends it, distinct bodies only, in a stable order. */
export async function sentOperations(): Promise<SentOperation[]> {
  const sent = new Map<string, SentOperation>();
  for (const exchanges of pipelines) {
    let captured = '';
    const client = new Client({
      url: 'http://storefront.invalid/graphql',
      exchanges,
      preferGetMethod: false,
      fetch: async (_url, init) => {
        captured = (JSON.parse(typeof init?.body === 'string' ? init.body : '{}') as { query: string }).query;
        return new Response(JSON.stringify({ data: null }), { headers: { 'content-type': 'application/json' } });
      },
    });
    for (const { name, type, document } of operationsOf()) {
      const input = document as DocumentInput;
      await (type === 'query' ? client.query(input, {}) : client.mutation(input, {})).toPromise();
      if (!captured) throw new Error(`urql sent nothing for ${name}`);
      sent.set(captured, { name, type, body: captured });
      captured = '';
    }
  }
  return [...sent.values()].sort((a, b) => a.name.localeCompare(b.name) || a.body.localeCompare(b.body));
}
