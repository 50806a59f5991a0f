// Schema check: compare a new API schema with a baseline and check the clients' operations.
// Driven by tools/schema_check.py (`make schema-check`); its packages come from
// router/node_modules (graphql, @apollo/federation-internals, @graphql-inspector/core).
//
// stdin: JSON {
//   "base": {"kind": "api" | "supergraph", "sdl": "..."},     the baseline
//   "next": {"kind": "api" | "supergraph", "sdl": "..."},     the schema being checked
//   "operations": [{"name": "...", "source": "file:line", "document": "..."}]
// }
// stdout: JSON {
//   "api": "<the new API schema, printed sorted>",
//   "changes": [{"level": "BREAKING" | "DANGEROUS" | "NON_BREAKING", "type", "path",
//                "message", "usedBy": ["operation (source)", ...]}],
//   "operations": [{"name", "source", "errors": [...], "deprecated": [...]}]   (problems only)
//   "costs": {"max": <the gateway's maximum>, "operations": [{"name", "source", "cost"}]}
// }
// Costs are the gateway's estimate (router/edge/cost.ts, the same function), against the new
// supergraph, with every Int variable at the subgraphs' page maximum (the worst a client asks).
// Exit 2 on bad input (a schema that does not build, a document that does not parse is
// reported as an operation error instead).
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';

// Everything from router/node_modules, through require: one graphql instance shared by
// graphql-inspector, federation-internals and this script.
const require = createRequire(new URL('../router/package.json', import.meta.url));
const { diff, validate } = require('@graphql-inspector/core');
const {
  buildSchema,
  getNamedType,
  isObjectType,
  isInterfaceType,
  lexicographicSortSchema,
  parse,
  printSchema,
  Source,
  TypeInfo,
  visit,
  visitWithTypeInfo,
} = require('graphql');
const { Supergraph, ROUTER_SUPPORTED_SUPERGRAPH_FEATURES } = require('@apollo/federation-internals');

// The gateway's cost estimate is TypeScript: loaded with the transpiler Hive Gateway uses.
const { register } = await import('node:module');
register('@graphql-hive/importer/hooks', new URL('../router/', import.meta.url));
const cost = await import('../router/edge/cost.ts');

function fail(message) {
  process.stderr.write(`schema-check: ${message}\n`);
  process.exit(2);
}

function apiSchema({ kind, sdl }, label) {
  try {
    if (kind === 'supergraph') {
      return lexicographicSortSchema(Supergraph.build(sdl, { supportedFeatures: ROUTER_SUPPORTED_SUPERGRAPH_FEATURES }).apiSchema().toGraphQLJSSchema());
    }
    if (kind === 'api') return lexicographicSortSchema(buildSchema(sdl));
  } catch (err) {
    fail(`the ${label} schema does not build: ${err.message}`);
  }
  return fail(`unknown schema kind ${JSON.stringify(kind)} for the ${label} schema`);
}

// Schema coordinates an operation reads: "Type.field" and "Type.field.argument", plus the
// input types and enum values its variables and literals name, resolved against `schema`.
function coordinatesUsed(schema, document) {
  const used = new Set();
  const typeInfo = new TypeInfo(schema);
  visit(
    document,
    visitWithTypeInfo(typeInfo, {
      Field() {
        const parent = typeInfo.getParentType();
        const field = typeInfo.getFieldDef();
        if (parent && field) {
          used.add(`${parent.name}.${field.name}`);
          used.add(getNamedType(field.type).name);
        }
      },
      Argument() {
        const parent = typeInfo.getParentType();
        const field = typeInfo.getFieldDef();
        const argument = typeInfo.getArgument();
        if (parent && field && argument) {
          used.add(`${parent.name}.${field.name}.${argument.name}`);
          used.add(getNamedType(argument.type).name);
        }
      },
      ObjectField() {
        const input = typeInfo.getParentInputType();
        const named = input && getNamedType(input);
        if (named) used.add(named.name);
      },
      EnumValue(node) {
        const type = typeInfo.getInputType();
        const named = type && getNamedType(type);
        if (named) used.add(`${named.name}.${node.value}`);
      },
      VariableDefinition(node) {
        let type = node.type;
        while (type.type) type = type.type;
        used.add(type.name.value);
      },
    }),
  );
  // Input objects: every field of an input type an operation sends may be affected.
  for (const name of [...used]) {
    const type = schema.getType(name);
    if (type && !isObjectType(type) && !isInterfaceType(type) && type.getFields) {
      for (const field of Object.values(type.getFields())) used.add(`${name}.${field.name}`);
    }
  }
  return used;
}

function describe(operation) {
  return `${operation.name} (${operation.source})`;
}

let input;
try {
  input = JSON.parse(readFileSync(0, 'utf8'));
} catch (err) {
  fail(`stdin is not JSON: ${err.message}`);
}
const base = apiSchema(input.base, 'baseline');
const next = apiSchema(input.next, 'new');
const operations = input.operations ?? [];

// Which operations read what, against the baseline (where a removed field still exists).
const usage = operations.map((operation) => {
  try {
    return coordinatesUsed(base, parse(operation.document));
  } catch {
    return new Set();
  }
});

const changes = (await diff(base, next)).map((change) => {
  const path = change.path ?? '';
  const usedBy = operations
    .filter((_, index) => path && usage[index].has(path))
    .map(describe);
  return {
    level: change.criticality.level,
    type: change.type,
    path,
    message: change.message,
    usedBy,
  };
});

const problems = [];
operations.forEach((operation) => {
  let invalid;
  try {
    invalid = validate(next, [new Source(operation.document, operation.source)], {
      strictDeprecated: true, // reported apart from the errors, never a failure
      strictFragments: false,
    });
  } catch (err) {
    invalid = [{ errors: [err], deprecated: [] }];
  }
  for (const found of invalid) {
    if (found.errors.length === 0 && found.deprecated.length === 0) continue;
    problems.push({
      name: operation.name,
      source: operation.source,
      errors: found.errors.map((e) => e.message),
      deprecated: found.deprecated.map((e) => e.message),
    });
  }
});

// Each operation's estimated cost; an operation that does not parse or build is left out
// (it is reported above).
function costs() {
  if (input.next.kind !== 'supergraph') return { max: cost.MAX_COST, operations: [] };
  const schema = cost.costSchema(input.next.sdl);
  const estimated = [];
  for (const operation of operations) {
    try {
      const document = cost.parseDocument(operation.document);
      const variables = cost.worstCaseVariables(document);
      estimated.push({
        name: operation.name,
        source: operation.source,
        cost: cost.estimateCost(schema, document, variables),
      });
    } catch {
      // not an executable document against this schema: reported as broken already
    }
  }
  return { max: cost.MAX_COST, operations: estimated };
}

process.stdout.write(
  `${JSON.stringify({ api: printSchema(next), changes, operations: problems, costs: costs() })}\n`,
);
