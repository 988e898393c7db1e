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

  it("keeps a subgraph's name and URL out of a public error in production, and logs them", () => {
    const logged: Record<string, unknown>[] = [];
    const reporter = {
      error: () => undefined,
      warn: (_message: string, fields?: Record<string, unknown>) => logged.push(fields ?? {}),
    };
    // What @apollo/gateway builds when a subgraph answers 403 (e.g. a rotated gateway key).
    const response = { url: 'http://products.internal:4001/graphql', status: 403, statusText: 'Forbidden', body: {} };
    const extensions = { code: 'FORBIDDEN', serviceName: 'products', response };
    const error = new GraphQLError('403: Forbidden', { extensions });
    const formatted = { message: error.message, path: ['products'], extensions };

    expect(createErrorFormatter(reporter, { production: true })(formatted, error)).toEqual({
      message: '403: Forbidden',
      path: ['products'],
      extensions: { code: 'FORBIDDEN' },
    });
    expect(logged).toEqual([{ errorCode: 'FORBIDDEN', serviceName: 'products', response, path: ['products'] }]);
    // Development keeps them in the response, for whoever is debugging.
    expect(createErrorFormatter(reporter)(formatted, error).extensions).toEqual(extensions);
  });
});
