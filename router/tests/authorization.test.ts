// The schema's authorization directives at the gateway (edge/authorization.ts): who gets
// UNAUTHENTICATED, who FORBIDDEN, who through. Run by `npm test` in router/.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { buildSchema, parse, type GraphQLObjectType } from 'graphql';
import type { Principal } from '../edge/auth.ts';
import { satisfies, scopesOf, validateCaller } from '../edge/authorization.ts';

const schema = buildSchema(`
  directive @authenticated on FIELD_DEFINITION | OBJECT | INTERFACE
  directive @requiresScopes(scopes: [[String!]!]!) on FIELD_DEFINITION | OBJECT | INTERFACE
  type Query { open: Int  signedIn: Int @authenticated  staff: Int @requiresScopes(scopes: [["orders:read:any"]]) }
`);
const query = schema.getQueryType() as GraphQLObjectType;

function principal(scope?: string): Principal {
  return { subject: 'u-1', claims: scope === undefined ? {} : { scope } };
}

function check(fieldName: string, user: Principal | null, directive: Record<string, unknown>) {
  const field = query.getFields()[fieldName];
  return validateCaller({
    user: user as Principal,
    fieldNode: parse(`{ ${fieldName} }`).definitions[0] as never,
    parentType: query,
    field,
    ...directive,
    userScopes: scopesOf(user),
    userPolicies: [],
    executionArgs: { schema, document: parse('{ open }'), contextValue: {} },
    path: [fieldName],
  });
}

test('a token grants the scopes of its space-separated scope claim', () => {
  assert.deepEqual(scopesOf(principal('orders:read:any  refunds:decide')), [
    'orders:read:any',
    'refunds:decide',
  ]);
  assert.deepEqual(scopesOf(principal()), []);
  assert.deepEqual(scopesOf(null), []);
});

test('one alternative of the required scopes, wholly granted, is enough', () => {
  assert.ok(satisfies([['a', 'b'], ['c']], ['c']));
  assert.ok(satisfies([['a', 'b']], ['b', 'a']));
  assert.ok(!satisfies([['a', 'b']], ['a']));
  assert.ok(!satisfies([['a']], []));
});

test('fields without a directive are left to the subgraphs', () => {
  assert.equal(check('open', null, {}), undefined);
});

test('no caller on a protected field is UNAUTHENTICATED (401)', () => {
  for (const directive of [{ fieldAuthArgs: {} }, { fieldScopes: [['orders:read:any']] }]) {
    const error = check('staff', null, directive);
    assert.equal(error?.extensions.code, 'UNAUTHENTICATED');
    assert.deepEqual((error?.extensions.http as { status: number }).status, 401);
  }
});

test('a caller without the scope is FORBIDDEN (403); with it, through', () => {
  const required = { fieldScopes: [['orders:read:any']] };
  const refused = check('staff', principal('catalog:write'), required);
  assert.equal(refused?.extensions.code, 'FORBIDDEN');
  assert.equal((refused?.extensions.http as { status: number }).status, 403);
  assert.equal(check('staff', principal(), required)?.extensions.code, 'FORBIDDEN');
  assert.equal(check('staff', principal('orders:read:any'), required), undefined);
  assert.equal(check('signedIn', principal(), { fieldAuthArgs: {} }), undefined);
});
