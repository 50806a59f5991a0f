// Demand control: an operation's estimated cost, computed from the whole operation before any
// subgraph is asked, and refused above the maximum (COST_ESTIMATED_TOO_EXPENSIVE, Apollo
// Router's and Hive Gateway's code). The estimate follows the static formula of Federation's
// demand control (the one Hive Gateway's `demandControl` and Apollo Router apply per subgraph
// request):
//
// - a mutation costs 10, a query or subscription 0;
// - each field costs its `@cost(weight:)` plus its type's (`@cost` on the type, else 1 for an
//   object, interface or union and 0 for a scalar or enum), times the size of every list it is
//   inside, itself included;
// - a list's size: a `@listSize(slicingArguments:)` argument's value (its default when not
//   given), given to the `sizedFields` (a connection's `edges`) when the directive names them;
//   else `@listSize(assumedSize:)`; else 1 (DEFAULT_LIST_SIZE, as Hive Gateway's default).
//
// Fragments are followed (Hive Gateway's per-request estimate sees the query planner's inlined
// documents; a client's fragment counts wherever it is spread). `make schema-check` prints every
// shipped operation's cost with this same function.
import { readFileSync, statSync } from 'node:fs';
import type { GatewayPlugin } from '@graphql-hive/gateway';
import {
  buildSchema,
  getArgumentValues,
  getNamedType,
  getOperationAST,
  GraphQLError,
  isCompositeType,
  isListType,
  isNonNullType,
  Kind,
  parse,
  valueFromASTUntyped,
  type DocumentNode,
  type FragmentDefinitionNode,
  type GraphQLField,
  type GraphQLNamedType,
  type GraphQLOutputType,
  type GraphQLSchema,
  type SelectionSetNode,
} from 'graphql';

/** The most an operation may cost: every shipped one stays well under it (`make schema-check`). */
export const MAX_COST = 10_000;
/** The size assumed for a list field without `@listSize`. */
export const DEFAULT_LIST_SIZE = 1;
/** The most items a subgraph returns in one page (its `first` is capped there). */
export const PAGE_MAX = 100;

type Annotated = Pick<GraphQLNamedType | GraphQLField<unknown, unknown>, 'astNode' | 'extensions'>;
type Args = Record<string, unknown>;
type Sized = { fields: Set<string>; size: number };
type Fields = Record<string, GraphQLField<unknown, unknown> | undefined>;

/** The arguments of each `@name` on a schema element: from its SDL node, or the extensions
 * where @graphql-tools keeps the directives of a schema it transformed. */
function directives(element: Annotated, name: string): Args[] {
  const found: Args[] = [];
  for (const node of element.astNode?.directives ?? []) {
    if (node.name.value !== name) continue;
    found.push(
      Object.fromEntries(
        (node.arguments ?? []).map((a) => [a.name.value, valueFromASTUntyped(a.value)]),
      ),
    );
  }
  if (found.length > 0) return found;
  const kept = (element.extensions as { directives?: Record<string, Args | Args[]> } | undefined)
    ?.directives?.[name];
  return kept === undefined ? [] : Array.isArray(kept) ? kept : [kept];
}

function weight(element: Annotated): number | undefined {
  const costs = directives(element, 'cost').map((d) => Number(d.weight));
  if (costs.length === 0) return undefined;
  return costs.reduce((a, b) => a + (Number.isFinite(b) ? b : 0), 0);
}

function listDepth(type: GraphQLOutputType): number {
  let depth = 0;
  let current: GraphQLOutputType = type;
  for (;;) {
    if (isNonNullType(current)) current = current.ofType;
    else if (isListType(current)) {
      depth += 1;
      current = current.ofType;
    } else return depth;
  }
}

/** The schema costs are read from, built from the supergraph SDL (its fields keep @listSize). */
export function costSchema(supergraphSdl: string): GraphQLSchema {
  return buildSchema(supergraphSdl, { assumeValidSDL: true });
}

/** The cost schema of the supergraph file at `path`, rebuilt when the file changes (the
 * gateway reloads it on change). A file caught half rewritten (a publish writes it in place)
 * does not parse: the previous schema is kept until the file reads whole. */
export function supergraphCostSchema(path: string): () => GraphQLSchema {
  let built: { stamp: string; schema: GraphQLSchema } | undefined;
  return () => {
    const info = statSync(path);
    const stamp = `${info.mtimeMs}:${info.size}`;
    if (built?.stamp !== stamp) {
      try {
        built = { stamp, schema: costSchema(readFileSync(path, 'utf8')) };
      } catch (error) {
        if (!built) throw error;
      }
    }
    return built.schema;
  };
}

/** The estimated cost of the operation `operationName` of `document` (0 when there is none). */
export function estimateCost(
  schema: GraphQLSchema,
  document: DocumentNode,
  variables: Args = {},
  operationName?: string | null,
): number {
  const operation = getOperationAST(document, operationName);
  if (!operation) return 0;
  const fragments = new Map<string, FragmentDefinitionNode>();
  for (const definition of document.definitions) {
    if (definition.kind === Kind.FRAGMENT_DEFINITION)
      fragments.set(definition.name.value, definition);
  }
  const root = schema.getRootType(operation.operation);
  if (!root) return 0;

  // `sized`: the size a parent field gives to the fields it names in `sizedFields`. A selection
  // set's cost is computed for one instance of its parent (callers multiply), so each fragment is
  // costed once per `sized` (memo): spreading fragments into each other cannot make this
  // exponential. A fragment being costed counts 0 where it is spread again (a cycle, which
  // validation refuses anyway).
  const memo = new Map<string, number>();
  const walk = (
    selectionSet: SelectionSetNode,
    parent: GraphQLNamedType,
    sized: Sized | null,
  ): number => {
    let total = 0;
    for (const selection of selectionSet.selections) {
      if (selection.kind === Kind.INLINE_FRAGMENT) {
        const target = selection.typeCondition
          ? schema.getType(selection.typeCondition.name.value)
          : parent;
        if (target) total += walk(selection.selectionSet, target, sized);
        continue;
      }
      if (selection.kind === Kind.FRAGMENT_SPREAD) {
        const name = selection.name.value;
        const key = sized ? `${name}|${[...sized.fields].join(',')}|${sized.size}` : name;
        let known = memo.get(key);
        if (known === undefined) {
          memo.set(key, 0);
          const fragment = fragments.get(name);
          const target = fragment && schema.getType(fragment.typeCondition.name.value);
          known = fragment && target ? walk(fragment.selectionSet, target, sized) : 0;
          memo.set(key, known);
        }
        total += known;
        continue;
      }
      const fields = 'getFields' in parent ? (parent.getFields() as Fields) : {};
      const field = fields[selection.name.value];
      if (!field) continue; // __typename, or an unknown field (validation refuses it)
      const named = getNamedType(field.type);
      let size = 1;
      let gives: Sized | null = null;
      const [listSize] = directives(field, 'listSize');
      if (sized?.fields.has(field.name)) {
        size = sized.size;
      } else if (listSize && Array.isArray(listSize.slicingArguments)) {
        const values = getArgumentValues(field, selection, variables) as Args;
        const sliced = Math.max(
          1,
          ...(listSize.slicingArguments as string[]).map((a) => Number(values[a]) || 0),
        );
        const sizedFields = (listSize.sizedFields as string[] | undefined) ?? [];
        if (sizedFields.length > 0) gives = { fields: new Set(sizedFields), size: sliced };
        else size = sliced;
      } else if (listSize && listSize.assumedSize != null) {
        size = Number(listSize.assumedSize) || 1;
      } else if (listDepth(field.type) > 0) {
        size = DEFAULT_LIST_SIZE * listDepth(field.type);
      }
      const own = weight(field) ?? 0;
      const typed = weight(named) ?? (isCompositeType(named) ? 1 : 0);
      const below = selection.selectionSet ? walk(selection.selectionSet, named, gives) : 0;
      total += size * (own + typed + below);
    }
    return total;
  };
  const base = operation.operation === 'mutation' ? 10 : 0;
  return base + walk(operation.selectionSet, root, null);
}

/** `parse`, from the graphql instance this module uses (a caller may load another). */
export function parseDocument(text: string): DocumentNode {
  return parse(text);
}

/**
 * Variables for the costliest run of a shipped operation: every Int variable without a default
 * at PAGE_MAX (a page size is the only Int that sizes a list). Others are left unset.
 */
export function worstCaseVariables(document: DocumentNode): Args {
  const variables: Args = {};
  for (const definition of document.definitions) {
    if (definition.kind !== Kind.OPERATION_DEFINITION) continue;
    for (const variable of definition.variableDefinitions ?? []) {
      const named = variable.type.kind === Kind.NON_NULL_TYPE ? variable.type.type : variable.type;
      if (!variable.defaultValue && named.kind === Kind.NAMED_TYPE && named.name.value === 'Int') {
        variables[variable.variable.name.value] = PAGE_MAX;
      }
    }
  }
  return variables;
}

/** The refusal of an operation that costs more than `max`. */
export function tooExpensive(estimated: number, max: number): GraphQLError {
  const message = `Operation estimated cost ${estimated} exceeded configured maximum ${max}`;
  return new GraphQLError(message, {
    extensions: { code: 'COST_ESTIMATED_TOO_EXPENSIVE', cost: { estimated, max } },
  });
}

/**
 * Refuses, before execution (so before any subgraph request), an operation whose estimate over
 * the whole document exceeds `maxCost`. `schema` gives the schema whose fields carry
 * `@listSize` (the supergraph's; it is rebuilt when the supergraph changes).
 */
export function useCostLimit(maxCost: number, schema: () => GraphQLSchema): GatewayPlugin {
  const check = ({ args, setResultAndStopExecution }: CheckPayload): void => {
    const variables = (args.variableValues ?? {}) as Args;
    const estimated = estimateCost(schema(), args.document, variables, args.operationName);
    if (estimated > maxCost) {
      setResultAndStopExecution({ errors: [tooExpensive(estimated, maxCost)] });
    }
  };
  return { onExecute: check, onSubscribe: check };
}

interface CheckPayload {
  args: { document: DocumentNode; variableValues?: unknown; operationName?: string | null };
  setResultAndStopExecution(result: { errors: GraphQLError[] }): void;
}
