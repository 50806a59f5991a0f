// Operation shape limits, checked while the document is validated, with the codes Apollo Router
// uses for its `limits` (router.yaml reads the same GATEWAY_MAX_* variables), so a client sees
// the same refusal from either gateway:
//
// - depth (GATEWAY_MAX_DEPTH) -> MAX_DEPTH_LIMIT: GraphQL Armor's max-depth rule, the one Hive
//   Gateway's `maxDepth` option loads. The option itself is not used: it only takes the limit,
//   and with its defaults every fragment spread and inline fragment counts as a level (Apollo
//   Router and the subgraphs count fields only, so it would refuse operations they accept) and
//   its refusal carries no code. The rule is given `flattenFragments` and reports with the code.
//   Introspection's `__schema` is exempt, or the IDE's schema query would be refused.
// - aliases (GATEWAY_MAX_ALIASES), counted through fragments -> MAX_ALIASES_LIMIT, and
// - root fields (GATEWAY_MAX_ROOT_FIELDS), through fragments -> MAX_ROOT_FIELDS_LIMIT, and
// - height (GATEWAY_MAX_HEIGHT): the fields of the operation once its fragments are expanded,
//   each spread counted -> MAX_HEIGHT_LIMIT: written here, Hive Gateway 2.15 has no alias,
//   root-field or height limit (GraphQL Armor's max-aliases is not one of its options). Without
//   the height limit, ~20 fragments that each spread the next one twice (300 tokens) cost the
//   gateway's planner time exponential in their number (17 s at 21). Counting is linear: each
//   fragment's expanded size is computed once.
//
// Token counting (GATEWAY_MAX_TOKENS) happens earlier, in the parser (the `maxTokens` option).
import { maxDepthRule } from '@escape.tech/graphql-armor-max-depth';
import type { GatewayPlugin } from '@graphql-hive/gateway';
import {
  getOperationAST,
  GraphQLError,
  Kind,
  type ASTVisitor,
  type DocumentNode,
  type FieldNode,
  type FragmentDefinitionNode,
  type OperationDefinitionNode,
  type SelectionSetNode,
  type ValidationContext,
} from 'graphql';
import type { EdgeCode } from './errors.ts';
import type { EdgeSettings } from './settings.ts';

type Limits = Omit<EdgeSettings['operation'], 'maxTokens'>;
type FragmentLookup = (name: string) => FragmentDefinitionNode | null | undefined;

const INTROSPECTION_ROOTS = new Set(['__schema', '__type']);

/** The root field names an operation selects, through fragments; `__typename` excluded. */
export function collectRootFields(
  operation: OperationDefinitionNode,
  fragment: FragmentLookup,
): string[] {
  const fields: string[] = [];
  const seen = new Set<string>();
  const walk = (selectionSet: SelectionSetNode): void => {
    for (const selection of selectionSet.selections) {
      if (selection.kind === Kind.FIELD) {
        if (selection.name.value !== '__typename') fields.push(selection.name.value);
      } else if (selection.kind === Kind.INLINE_FRAGMENT) {
        walk(selection.selectionSet);
      } else if (!seen.has(selection.name.value)) {
        seen.add(selection.name.value);
        const definition = fragment(selection.name.value);
        if (definition) walk(definition.selectionSet);
      }
    }
  };
  walk(operation.selectionSet);
  return fields;
}

/** The operation a request runs and its root fields; null when the document has no such one. */
export function rootFields(
  document: DocumentNode,
  operationName?: string | null,
): { operation: OperationDefinitionNode['operation']; fields: string[] } | null {
  const operation = getOperationAST(document, operationName);
  if (!operation) return null;
  const fragments = new Map<string, FragmentDefinitionNode>();
  for (const definition of document.definitions) {
    if (definition.kind === Kind.FRAGMENT_DEFINITION)
      fragments.set(definition.name.value, definition);
  }
  return {
    operation: operation.operation,
    fields: collectRootFields(operation, (name) => fragments.get(name)),
  };
}

/**
 * The sum of `weigh(field)` over a selection set's fields once fragments are expanded, each
 * spread counted (so the number may be exponential in the document's size) but each fragment's
 * sum computed once (memoised in `memo`, one map per `weigh`): linear in the document. A
 * fragment cycle counts as empty (validation refuses it anyway); introspection fields and what
 * they select are skipped.
 */
function sumOverFields(
  selectionSet: SelectionSetNode,
  fragment: FragmentLookup,
  memo: Map<string, number>,
  weigh: (field: FieldNode) => number,
): number {
  let sum = 0;
  for (const selection of selectionSet.selections) {
    if (selection.kind === Kind.FIELD) {
      if (INTROSPECTION_ROOTS.has(selection.name.value)) continue;
      sum += weigh(selection);
      if (selection.selectionSet)
        sum += sumOverFields(selection.selectionSet, fragment, memo, weigh);
    } else if (selection.kind === Kind.INLINE_FRAGMENT) {
      sum += sumOverFields(selection.selectionSet, fragment, memo, weigh);
    } else {
      const name = selection.name.value;
      let known = memo.get(name);
      if (known === undefined) {
        memo.set(name, 0); // cycle guard while it is being counted
        const definition = fragment(name);
        known = definition ? sumOverFields(definition.selectionSet, fragment, memo, weigh) : 0;
        memo.set(name, known);
      }
      sum += known;
    }
  }
  return sum;
}

const isAliased = (field: FieldNode): number => (field.alias ? 1 : 0);
const one = (): number => 1;

export function operationLimitsRule(limits: Limits) {
  return (context: ValidationContext): ASTVisitor => {
    const memo = new Map<string, number>();
    const heights = new Map<string, number>();
    const fragment: FragmentLookup = (name) => context.getFragment(name);
    const refuse = (node: OperationDefinitionNode, code: EdgeCode, message: string) =>
      context.reportError(new GraphQLError(message, { nodes: [node], extensions: { code } }));
    return {
      OperationDefinition(node) {
        const aliases = sumOverFields(node.selectionSet, fragment, memo, isAliased);
        if (aliases > limits.maxAliases) {
          refuse(
            node,
            'MAX_ALIASES_LIMIT',
            `The operation has ${aliases} aliases; at most ${limits.maxAliases} are allowed.`,
          );
        }
        const roots = collectRootFields(node, fragment).length;
        if (roots > limits.maxRootFields) {
          refuse(
            node,
            'MAX_ROOT_FIELDS_LIMIT',
            `The operation has ${roots} root fields; at most ${limits.maxRootFields} are allowed.`,
          );
        }
        const height = sumOverFields(node.selectionSet, fragment, heights, one);
        if (height > limits.maxHeight) {
          refuse(
            node,
            'MAX_HEIGHT_LIMIT',
            `The operation selects ${height} fields once its fragments are expanded; at most ` +
              `${limits.maxHeight} are allowed.`,
          );
        }
      },
    };
  };
}

/** GraphQL Armor's depth rule, counting fields only, refusing with MAX_DEPTH_LIMIT. */
export function depthLimitRule(maxDepth: number) {
  return maxDepthRule({
    n: maxDepth,
    flattenFragments: true,
    ignoreIntrospection: true,
    propagateOnRejection: false,
    onReject: [
      (context, error) =>
        context?.reportError(
          new GraphQLError(error.message.replace(/^Syntax Error: /, ''), {
            extensions: { code: 'MAX_DEPTH_LIMIT' satisfies EdgeCode },
          }),
        ),
    ],
  });
}

export function useOperationLimits(limits: Limits): GatewayPlugin {
  // One instance each: validation caches key on the rules.
  const rules = [depthLimitRule(limits.maxDepth), operationLimitsRule(limits)];
  return {
    onValidate({ addValidationRule }) {
      for (const rule of rules) addValidationRule(rule);
    },
  };
}
