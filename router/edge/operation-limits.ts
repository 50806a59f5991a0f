// Operation shape limits, checked while the document is validated, with the codes Apollo Router
// uses for its `limits` (router.yaml reads the same GATEWAY_MAX_* variables), so a client sees
// the same refusal from either gateway:
//
// - depth (GATEWAY_MAX_DEPTH): nesting of fields; fragments and inline fragments add nothing, as
//   in Apollo Router; introspection (`__schema`, `__type`) is exempt, or the IDE's schema query
//   would be refused -> MAX_DEPTH_LIMIT
// - aliases (GATEWAY_MAX_ALIASES), counted through fragments -> MAX_ALIASES_LIMIT
// - root fields (GATEWAY_MAX_ROOT_FIELDS), through fragments -> MAX_ROOT_FIELDS_LIMIT
//
// Token counting (GATEWAY_MAX_TOKENS) happens earlier, in the parser (the `maxTokens` option).
import type { GatewayPlugin } from '@graphql-hive/gateway';
import {
  getOperationAST,
  GraphQLError,
  Kind,
  type ASTVisitor,
  type DocumentNode,
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

type Shape = { depth: number; aliases: number };

/**
 * Depth and alias count of a selection set. Each fragment is measured once (memoised), so a
 * document that spreads fragments into each other cannot make this exponential; a fragment
 * cycle counts as empty (validation refuses it anyway).
 */
function measure(
  selectionSet: SelectionSetNode,
  fragment: FragmentLookup,
  memo: Map<string, Shape>,
): Shape {
  let depth = 0;
  let aliases = 0;
  for (const selection of selectionSet.selections) {
    let inner: Shape = { depth: 0, aliases: 0 };
    if (selection.kind === Kind.FIELD) {
      if (INTROSPECTION_ROOTS.has(selection.name.value)) continue;
      if (selection.selectionSet) inner = measure(selection.selectionSet, fragment, memo);
      depth = Math.max(depth, 1 + inner.depth);
      aliases += (selection.alias ? 1 : 0) + inner.aliases;
      continue;
    }
    if (selection.kind === Kind.INLINE_FRAGMENT) {
      inner = measure(selection.selectionSet, fragment, memo);
    } else {
      const name = selection.name.value;
      const known = memo.get(name);
      if (known) {
        inner = known;
      } else {
        memo.set(name, { depth: 0, aliases: 0 }); // cycle guard while it is being measured
        const definition = fragment(name);
        inner = definition ? measure(definition.selectionSet, fragment, memo) : inner;
        memo.set(name, inner);
      }
    }
    depth = Math.max(depth, inner.depth);
    aliases += inner.aliases;
  }
  return { depth, aliases };
}

export function operationLimitsRule(limits: Limits) {
  return (context: ValidationContext): ASTVisitor => {
    const memo = new Map<string, Shape>();
    const fragment: FragmentLookup = (name) => context.getFragment(name);
    const refuse = (node: OperationDefinitionNode, code: EdgeCode, message: string) =>
      context.reportError(new GraphQLError(message, { nodes: [node], extensions: { code } }));
    return {
      OperationDefinition(node) {
        const shape = measure(node.selectionSet, fragment, memo);
        if (shape.depth > limits.maxDepth) {
          refuse(
            node,
            'MAX_DEPTH_LIMIT',
            `The operation is ${shape.depth} fields deep; at most ${limits.maxDepth} are allowed.`,
          );
        }
        if (shape.aliases > limits.maxAliases) {
          refuse(
            node,
            'MAX_ALIASES_LIMIT',
            `The operation has ${shape.aliases} aliases; at most ${limits.maxAliases} are allowed.`,
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
      },
    };
  };
}

export function useOperationLimits(limits: Limits): GatewayPlugin {
  const rule = operationLimitsRule(limits); // one instance: validation caches key on the rules
  return {
    onValidate({ addValidationRule }) {
      addValidationRule(rule);
    },
  };
}
