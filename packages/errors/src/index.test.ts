import { GraphQLError } from 'graphql';
import { describe, expect, it } from 'vitest';
import { createErrorFormatter } from './index.js';

describe('createErrorFormatter', () => {
  it("logs a subgraph's error whole when it masks it (the gateway's errors wrap the subgraph's plain JSON error)", () => {
    const logged: Record<string, unknown>[] = [];
    const format = createErrorFormatter({ error: (_message, fields) => logged.push(fields ?? {}) });
    // What @apollo/gateway builds from a subgraph's `errors` entry: the JSON object becomes `originalError`.
    const subgraphError = {
      message: 'stock ledger unreachable',
      path: ['broken'],
      extensions: { code: 'INTERNAL_SERVER_ERROR' },
    };
    const error = new GraphQLError(subgraphError.message, {
      originalError: subgraphError as unknown as Error,
      extensions: { ...subgraphError.extensions, serviceName: 'products' },
    });

    const formatted = format({ message: error.message, path: ['broken'], extensions: error.extensions }, error);

    expect(formatted).toEqual({
      message: 'Internal server error',
      path: ['broken'],
      extensions: { code: 'INTERNAL_SERVER_ERROR' },
    });
    expect(logged).toHaveLength(1);
    expect(logged[0]!['err']).toEqual(subgraphError);
  });
});
