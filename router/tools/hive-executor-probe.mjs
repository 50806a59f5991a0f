// Sends one operation to a subgraph the way Hive Gateway does (its HTTP executor,
// @graphql-tools/executor-http, which asks for application/graphql-response+json first) and
// prints the result it makes of the reply as JSON: the check that a 400
// application/graphql-response+json reply reaches the gateway as the subgraph's own errors.
//
// Usage (from router/): node tools/hive-executor-probe.mjs <subgraph url> '<query>'
import { buildHTTPExecutor } from '@graphql-tools/executor-http';
import { parse } from 'graphql';

const [endpoint, query] = process.argv.slice(2);
if (!endpoint || !query) {
  console.error("usage: node tools/hive-executor-probe.mjs <url> '<query>'");
  process.exit(2);
}
const execute = buildHTTPExecutor({ endpoint });
const result = await execute({ document: parse(query) });
console.log(JSON.stringify(result));
