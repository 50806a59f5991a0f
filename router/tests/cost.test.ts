// The gateway's cost estimate (edge/cost.ts) on a small supergraph-like schema whose fields
// carry @listSize as composition writes them. Run by `npm test` in router/ (and `make test`).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parse } from 'graphql';
import { costSchema, estimateCost, worstCaseVariables } from '../edge/cost.ts';

const schema = costSchema(`
  directive @listSize(assumedSize: Int, slicingArguments: [String!], sizedFields: [String!],
    requireOneSlicingArgument: Boolean = true) on FIELD_DEFINITION
  directive @cost(weight: Int!) on FIELD_DEFINITION | OBJECT
  type Query { me: User }
  type Mutation { touch: User }
  type User {
    id: ID!
    orders(first: Int! = 10): OrderConnection!
      @listSize(slicingArguments: ["first"], sizedFields: ["edges"])
    tags: [String!]!
  }
  type OrderConnection { edges: [OrderEdge!]! pageInfo: PageInfo! }
  type OrderEdge { node: Order! cursor: String! }
  type PageInfo { hasNextPage: Boolean! }
  type Order { id: ID! items: [Item!]! @listSize(assumedSize: 5) user: User! total: Money! }
  type Item { sku: String! }
  type Money @cost(weight: 3) { amount: Int! }
`);

const cost = (query: string, variables = {}) => estimateCost(schema, parse(query), variables);

test('objects cost 1, scalars 0, each times the size of the lists it is in', () => {
  // me 1 + orders 1 + edges 4 + node 4 + items 4*5 + total (weight 3) 4*3 + pageInfo 1
  assert.equal(
    cost(`{ me { id tags orders(first: 4) {
      edges { cursor node { id items { sku } total { amount } } } pageInfo { hasNextPage } } } }`),
    1 + 1 + 4 + 4 + 20 + 12 + 1,
  );
  assert.equal(cost('{ me { orders { edges { node { id } } } } }'), 1 + 1 + 10 + 10); // default
  assert.equal(cost('mutation { touch { id } }'), 10 + 1);
});

test('a variable sizes the page, and fragments cost what they would inline', () => {
  const inline = cost('query($n: Int!) { me { orders(first: $n) { edges { node { id } } } } }', {
    n: 50,
  });
  const fragments = cost(
    `query($n: Int!) { me { orders(first: $n) { ...Page } } }
     fragment Page on OrderConnection { edges { ...Row } }
     fragment Row on OrderEdge { node { id } }`,
    { n: 50 },
  );
  assert.equal(inline, 1 + 1 + 50 + 50);
  assert.equal(fragments, inline);
});

test('nested connections multiply', () => {
  const nested = cost(`{ me { orders(first: 100) { edges { node { user {
    orders(first: 100) { edges { node { id } } } } } } } } }`);
  assert.equal(nested, 1 + 1 + 100 + 100 + 100 * (1 + 1 + 100 + 100));
});

// 2^40 paths: walking each one would never finish (the timeout only stops a hang).
const hangGuard = { timeout: 60_000 };
test('fragments spread into each other are costed once each, not once per path', hangGuard, () => {
  const levels = 40;
  const definitions = Array.from(
    { length: levels },
    (_, i) => `fragment F${i} on User { id ...F${i + 1} ...F${i + 1} }`,
  );
  definitions.push(`fragment F${levels} on User { orders(first: 1) { pageInfo { hasNextPage } } }`);
  const total = cost(`{ me { ...F0 } } ${definitions.join(' ')}`);
  assert.equal(total, 1 + 2 ** levels * 2); // the estimate still counts every path
});

test('worst-case variables put every Int without a default at the page maximum', () => {
  const document = parse('query($first: Int!, $after: String, $n: Int = 3) { me { id } }');
  assert.deepEqual(worstCaseVariables(document), { first: 100 });
});
