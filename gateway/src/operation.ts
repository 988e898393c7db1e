import { getOperationAST, Kind, OperationTypeNode, type DocumentNode } from 'graphql';

/**
 * Whether a document runs a query (not a mutation or subscription): the one place the gateway decides
 * what may be cached, shared with an identical request in flight, or sent to a subgraph again. Without
 * `operationName` the document must hold exactly one operation; anything unclear counts as not a query.
 */
export function isQuery(document: DocumentNode | undefined, operationName?: string | null): boolean {
  return document !== undefined && getOperationAST(document, operationName)?.operation === OperationTypeNode.QUERY;
}

/** Whether a document holds a mutation: only mutations may read or set the session cookie (plugins/session-cookie.ts). */
export function isMutation(document: DocumentNode | undefined): boolean {
  return (document?.definitions ?? []).some(
    (d) => d.kind === Kind.OPERATION_DEFINITION && d.operation === OperationTypeNode.MUTATION,
  );
}
