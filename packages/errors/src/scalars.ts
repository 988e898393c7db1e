import { GraphQLError, GraphQLScalarType, Kind } from 'graphql';

/**
 * `scalar MinorUnits`: a whole amount in a currency's minor units (e.g. cents), exact across the
 * whole range a JSON number holds exactly, ±(2^53 − 1). `Money.amount` uses it: a unit price is an
 * `Int` (at most 2,147,483,647 minor units), and a total of a cart or order (at most 50 lines of 99
 * units, plus shipping and tax) stays below 2^53, so no sum overflows or rounds (docs/orders.md, "Money").
 * On the wire it is a plain JSON number, as `Int` was.
 */
export const MinorUnits = new GraphQLScalarType<number, number>({
  name: 'MinorUnits',
  description: 'A whole amount in minor units (e.g. 1999 for 19.99 EUR), exact up to ±(2^53 − 1).',
  serialize(value) {
    if (typeof value === 'number' && Number.isSafeInteger(value)) return value;
    // A server-side bug, never a client's: refuse to print a wrong amount.
    throw new GraphQLError(`MinorUnits cannot represent ${String(value)}`);
  },
  parseValue(value) {
    if (typeof value === 'number' && Number.isSafeInteger(value)) return value;
    throw invalid(value);
  },
  parseLiteral(ast) {
    if (ast.kind === Kind.INT && Number.isSafeInteger(Number(ast.value))) return Number(ast.value);
    throw invalid(ast.kind === Kind.INT ? ast.value : ast.kind);
  },
});

const invalid = (value: unknown) =>
  new GraphQLError(`MinorUnits must be a whole number between ±${Number.MAX_SAFE_INTEGER}, got ${String(value)}`, {
    extensions: { code: 'BAD_USER_INPUT' },
  });
