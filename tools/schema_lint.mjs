// Schema lint: @graphql-eslint's schema rules over the composed API schema, each finding
// attributed to the subgraph(s) that define what it points at. Driven by tools/schema_lint.py;
// its packages come from router/node_modules (eslint, @graphql-eslint/eslint-plugin, graphql,
// @apollo/federation-internals).
//
// stdin:  JSON {"supergraph": "<supergraph SDL>", "subgraphs": {"users": "<SDL>", ...}}
// stdout: JSON [{"rule", "message", "coordinate", "subgraphs": [...], "line"}], sorted.
// Exit 2 when the input cannot be read.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const require = createRequire(new URL('../router/package.json', import.meta.url));
const { ESLint } = require('eslint');
const graphqlPlugin = require('@graphql-eslint/eslint-plugin');
const { lexicographicSortSchema, parse, printSchema, visit } = require('graphql');
const { Supergraph, ROUTER_SUPPORTED_SUPERGRAPH_FEATURES } = require('@apollo/federation-internals');

// The rules: @graphql-eslint's schema-recommended and schema-relay sets, with descriptions
// required on every type, field, argument, input field and enum value.
const RULES = {
  ...graphqlPlugin.configs['flat/schema-recommended'].rules,
  ...graphqlPlugin.configs['flat/schema-relay'].rules,
  '@graphql-eslint/require-description': [
    'error',
    {
      types: true,
      rootField: true,
      FieldDefinition: true,
      InputValueDefinition: true,
      EnumValueDefinition: true,
      DirectiveDefinition: true,
    },
  ],
  // Money, OrderItem, payloads and errors are values without an identity of their own.
  '@graphql-eslint/strict-id-in-types': 'off',
  // Connections take `first` and `after` (the API contract): no backward pagination.
  '@graphql-eslint/relay-arguments': ['error', { includeBoth: false }],
  // There is no Node interface (no global object identification) in this API, and short
  // bounded lists (a payload's userErrors, an order's items, the price list) stay plain lists.
  '@graphql-eslint/relay-edge-types': [
    'error',
    { withEdgeSuffix: true, shouldImplementNode: false, listTypeCanWrapOnlyEdgeType: false },
  ],
  // Forward pagination only (`first`/`after`, the API contract): PageInfo has hasNextPage and
  // endCursor; Relay's hasPreviousPage and startCursor serve backward pagination.
  '@graphql-eslint/relay-page-info': 'off',
};

function fail(message) {
  process.stderr.write(`schema-lint: ${message}\n`);
  process.exit(2);
}

// Every named definition of `document` (types, fields, arguments, input fields, enum values)
// as {line, column, coordinate}, in document order.
function definitions(document) {
  const found = [];
  const stack = [];
  const mark = (node, coordinate) =>
    found.push({ line: node.loc.startToken.line, column: node.loc.startToken.column, coordinate });
  const enterType = (node) => {
    stack.push(node.name.value);
    mark(node, node.name.value);
  };
  const leave = () => {
    stack.pop();
  };
  visit(document, {
    ObjectTypeDefinition: { enter: enterType, leave },
    InterfaceTypeDefinition: { enter: enterType, leave },
    InputObjectTypeDefinition: { enter: enterType, leave },
    EnumTypeDefinition: { enter: enterType, leave },
    UnionTypeDefinition: { enter: enterType, leave },
    ScalarTypeDefinition: { enter: enterType, leave },
    FieldDefinition: {
      enter(node) {
        stack.push(node.name.value);
        mark(node, stack.join('.'));
      },
      leave,
    },
    InputValueDefinition(node) {
      mark(node, [...stack, node.name.value].join('.'));
    },
    EnumValueDefinition(node) {
      mark(node, [...stack, node.name.value].join('.'));
    },
  });
  return found;
}

// The definition a message points at: the last one that starts at or before its position.
function pointedAt(found, line, column) {
  let coordinate = '';
  for (const definition of found) {
    if (definition.line > line || (definition.line === line && definition.column > column)) break;
    coordinate = definition.coordinate;
  }
  return coordinate;
}

// Coordinate -> subgraphs whose SDL defines it (a type, a field, an argument, an enum value).
function owners(subgraphs) {
  const owned = new Map();
  for (const [name, sdl] of Object.entries(subgraphs)) {
    const document = parse(sdl);
    for (const { coordinate } of definitions(document)) {
      if (!owned.has(coordinate)) owned.set(coordinate, new Set());
      owned.get(coordinate).add(name);
    }
    // `extend type X` definitions name X too.
    visit(document, {
      ObjectTypeExtension(node) {
        const coordinate = node.name.value;
        if (!owned.has(coordinate)) owned.set(coordinate, new Set());
        owned.get(coordinate).add(name);
        for (const field of node.fields ?? []) {
          const key = `${coordinate}.${field.name.value}`;
          if (!owned.has(key)) owned.set(key, new Set());
          owned.get(key).add(name);
          for (const argument of field.arguments ?? []) {
            const argKey = `${key}.${argument.name.value}`;
            if (!owned.has(argKey)) owned.set(argKey, new Set());
            owned.get(argKey).add(name);
          }
        }
      },
    });
  }
  return owned;
}

let input;
try {
  input = JSON.parse(readFileSync(0, 'utf8'));
} catch (err) {
  fail(`stdin is not JSON: ${err.message}`);
}
let api;
try {
  api = printSchema(
    lexicographicSortSchema(Supergraph.build(input.supergraph, {
      supportedFeatures: ROUTER_SUPPORTED_SUPERGRAPH_FEATURES,
    }).apiSchema().toGraphQLJSSchema()),
  );
} catch (err) {
  fail(`the supergraph does not build: ${err.message}`);
}

const directory = mkdtempSync(join(tmpdir(), 'schema-lint-'));
const file = join(directory, 'api.graphql');
writeFileSync(file, api);
try {
  const eslint = new ESLint({
    cwd: directory,
    overrideConfigFile: true,
    overrideConfig: [
      {
        files: ['**/*.graphql'],
        languageOptions: {
          parser: graphqlPlugin.parser,
          parserOptions: { graphQLConfig: { schema: file } },
        },
        plugins: { '@graphql-eslint': graphqlPlugin },
        rules: RULES,
      },
    ],
  });
  const [result] = await eslint.lintFiles([file]);
  const found = definitions(parse(api));
  const owned = owners(input.subgraphs ?? {});
  const findings = result.messages.map((message) => {
    const coordinate = pointedAt(found, message.line, message.column);
    let owning = owned.get(coordinate);
    for (let parts = coordinate.split('.'); !owning && parts.length > 1; ) {
      parts = parts.slice(0, -1);
      owning = owned.get(parts.join('.'));
    }
    return {
      rule: (message.ruleId ?? 'parse').replace('@graphql-eslint/', ''),
      message: message.message,
      coordinate,
      subgraphs: [...(owning ?? [])].sort(),
      line: message.line,
    };
  });
  findings.sort((a, b) => a.coordinate.localeCompare(b.coordinate) || a.rule.localeCompare(b.rule));
  process.stdout.write(`${JSON.stringify(findings)}\n`);
} finally {
  rmSync(directory, { recursive: true, force: true });
}
