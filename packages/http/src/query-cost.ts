import type { ApolloServerPlugin } from '@apollo/server';
import {
  GraphQLError,
  Kind,
  type FragmentDefinitionNode,
  type GraphQLSchema,
  type OperationDefinitionNode,
  type SelectionSetNode,
  type ValueNode,
} from 'graphql';
import type { RequestContext } from './types.js';

// graphql-armor's weights, so a limit means what it meant: an object 2, a scalar 1, each level 1.5 times.
const OBJECT_COST = 2;
const SCALAR_COST = 1;
const DEPTH_FACTOR = 1.5;
const SIZE_ARGUMENTS = ['first', 'last'];

/** What the estimate reads of a field's definition. */
interface FieldShape {
  type: unknown;
  args: readonly { name: string; defaultValue: unknown }[];
}
/** An object or interface type: what has fields to look up. */
interface TypeWithFields {
  getFields(): Record<string, FieldShape>;
}

// Duck-typed rather than graphql's `isObjectType` & co.: those are `instanceof` checks, which fail when
// Apollo and this module load different copies of graphql (ESM and CJS under a test runner or bundler).
const withFields = (type: unknown): TypeWithFields | undefined =>
  typeof type === 'object' && type !== null && 'getFields' in type && typeof type.getFields === 'function'
    ? (type as TypeWithFields)
    : undefined;
const unwrapped = (type: unknown): unknown => {
  let current = type;
  while (typeof current === 'object' && current !== null && 'ofType' in current && current.ofType) current = current.ofType;
  return current;
};

export interface CostInput {
  schema: GraphQLSchema;
  operation: OperationDefinitionNode;
  fragments: Record<string, FragmentDefinitionNode>;
  /** The request's variables as sent (not yet coerced). */
  variables: Record<string, unknown> | undefined;
  /** Whether `__schema` is free (development: tools introspect). */
  ignoreIntrospection: boolean;
}

/**
 * The estimated cost of one operation, every alias and fragment included: each object 2 and each
 * scalar 1, weighted 1.5 per level, times the page size of a field taking `first`/`last`. The page size
 * is what the request will run with: a literal, a variable's value, the variable's default, or the
 * field argument's default in the schema; so a request is bounded however its sizes are written.
 */
export function estimateCost(input: CostInput): number {
  const { schema, operation, fragments } = input;
  const variableDefaults = new Map(
    (operation.variableDefinitions ?? []).map((d) => [d.variable.name.value, d.defaultValue] as const),
  );
  const sizeOf = (value: ValueNode | undefined, fieldDefault: unknown): number => {
    let size: unknown = fieldDefault;
    if (value?.kind === Kind.INT) size = Number(value.value);
    else if (value?.kind === Kind.VARIABLE) {
      const name = value.name.value;
      const given = input.variables?.[name];
      const declared = variableDefaults.get(name);
      if (given !== undefined && given !== null) size = given;
      else if (declared?.kind === Kind.INT) size = Number(declared.value);
    }
    return typeof size === 'number' && Number.isFinite(size) ? Math.max(1, Math.floor(size)) : 1;
  };
  const multiplier = (
    field: FieldShape | undefined,
    node: { arguments?: readonly { name: { value: string }; value: ValueNode }[] },
  ) => {
    let size = 1;
    for (const name of SIZE_ARGUMENTS) {
      const argument = node.arguments?.find((a) => a.name.value === name);
      const definition = field?.args.find((a) => a.name === name);
      if (!argument && definition?.defaultValue === undefined) continue;
      size = Math.max(size, sizeOf(argument?.value, definition?.defaultValue));
    }
    return size;
  };
  // A fragment costs the same wherever it is spread: computed once, so nested spreads cannot blow up.
  const fragmentCosts = new Map<string, number>();

  const selectionCost = (selectionSet: SelectionSetNode, parent: TypeWithFields | undefined): number => {
    let cost = 0;
    for (const selection of selectionSet.selections) {
      if (selection.kind === Kind.FIELD) {
        const name = selection.name.value;
        if (input.ignoreIntrospection && name === '__schema') continue;
        const field = parent?.getFields()[name];
        if (!selection.selectionSet) {
          cost += SCALAR_COST;
          continue;
        }
        const child = field ? withFields(unwrapped(field.type)) : undefined;
        cost += (OBJECT_COST + DEPTH_FACTOR * selectionCost(selection.selectionSet, child)) * multiplier(field, selection);
      } else if (selection.kind === Kind.INLINE_FRAGMENT) {
        const condition = selection.typeCondition ? withFields(schema.getType(selection.typeCondition.name.value)) : parent;
        cost += selectionCost(selection.selectionSet, condition);
      } else {
        const name = selection.name.value;
        let known = fragmentCosts.get(name);
        if (known === undefined) {
          const fragment = fragments[name];
          const condition = fragment ? withFields(schema.getType(fragment.typeCondition.name.value)) : undefined;
          // Validation has refused cycles before this runs; the placeholder only guards against surprises.
          fragmentCosts.set(name, 0);
          known = fragment ? selectionCost(fragment.selectionSet, condition) : 0;
          fragmentCosts.set(name, known);
        }
        cost += known;
      }
    }
    return cost;
  };
  return selectionCost(operation.selectionSet, withFields(schema.getRootType(operation.operation)));
}

/**
 * Refuses an operation whose `estimateCost` exceeds `maxCost` (HTTP 400, GRAPHQL_VALIDATION_FAILED),
 * once the operation and its variables are known: validation rules never see variables (and their
 * result is cached per document), which is how sizes given by variables used to count as 1.
 */
export function queryCostPlugin<TContext extends RequestContext>(
  maxCost: number,
  options: { ignoreIntrospection: boolean },
): ApolloServerPlugin<TContext> {
  return {
    async requestDidStart() {
      return {
        async didResolveOperation({ schema, operation, document, request }) {
          if (!operation) return;
          const fragments: Record<string, FragmentDefinitionNode> = {};
          for (const definition of document.definitions)
            if (definition.kind === Kind.FRAGMENT_DEFINITION) fragments[definition.name.value] = definition;
          const cost = estimateCost({
            schema,
            operation,
            fragments,
            variables: request.variables,
            ignoreIntrospection: options.ignoreIntrospection,
          });
          if (cost > maxCost)
            throw new GraphQLError(`Query cost limit of ${maxCost} exceeded, found ${Math.ceil(cost)}.`, {
              extensions: { code: 'GRAPHQL_VALIDATION_FAILED', http: { status: 400 } },
            });
        },
      };
    },
  };
}
