import { Kind, buildSchema, parse, type FragmentDefinitionNode, type OperationDefinitionNode } from 'graphql';
import { describe, expect, it } from 'vitest';
import { estimateCost } from './query-cost.js';

const schema = buildSchema(`
  type Query { products(first: Int = 20, after: String): Page!, product(id: ID!): Product, nodes(first: Int): [Product!]! }
  type Page { edges: [Edge!]! }
  type Edge { node: Product! }
  type Product { id: ID! name: String! }
`);

const cost = (source: string, variables?: Record<string, unknown>) => {
  const document = parse(source);
  const operation = document.definitions.find((d): d is OperationDefinitionNode => d.kind === Kind.OPERATION_DEFINITION)!;
  const fragments = Object.fromEntries(
    document.definitions
      .filter((d): d is FragmentDefinitionNode => d.kind === Kind.FRAGMENT_DEFINITION)
      .map((d) => [d.name.value, d]),
  );
  return estimateCost({ schema, operation, fragments, variables, ignoreIntrospection: false });
};

describe('estimateCost', () => {
  const page = (size: string) => `products(first: ${size}) { edges { node { id name } } }`;
  // One product page of 1: 2 + 1.5 * (edges: 2 + 1.5 * (node: 2 + 1.5 * 2)) = 16.25.
  const one = cost(`{ ${page('1')} }`);

  it("counts a page's size however it is written: literal, variable, the variable's default, the field's default", () => {
    expect(one).toBe(16.25);
    expect(cost(`{ ${page('100')} }`)).toBe(100 * one);
    expect(cost(`query($n: Int) { ${page('$n')} }`, { n: 100 })).toBe(100 * one);
    expect(cost(`query($n: Int = 100) { ${page('$n')} }`, {})).toBe(100 * one);
    // An unset variable without a default leaves the field's own default (20); so does no argument.
    expect(cost(`query($n: Int) { ${page('$n')} }`, {})).toBe(20 * one);
    expect(cost(`{ products { edges { node { id name } } } }`)).toBe(20 * one);
    // A list without a default size counts as 1.
    expect(cost(`{ nodes { id } }`)).toBe(2 + 1.5 * 1);
  });

  it('adds up every alias and fragment of the request', () => {
    const aliased = `query($n: Int) { ${Array.from({ length: 15 }, (_, i) => `a${i}: ${page('$n')}`).join(' ')} }`;
    expect(cost(aliased, { n: 100 })).toBe(15 * 100 * one);
    expect(cost(`query($n: Int) { ...F } fragment F on Query { ${page('$n')} }`, { n: 10 })).toBe(10 * one);
  });

  it('costs a fragment once however often it is spread, so nested spreads cannot explode', () => {
    const levels = 40;
    const fragments = Array.from(
      { length: levels },
      (_, i) => `fragment F${i} on Query { ${i + 1 < levels ? `...F${i + 1} ...F${i + 1}` : '__typename'} }`,
    ).join('\n');
    expect(cost(`{ ...F0 } ${fragments}`)).toBeGreaterThan(0);
  });
});
