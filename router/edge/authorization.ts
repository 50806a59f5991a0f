// Authorization declared in the schema, enforced before any subgraph is called.
//
// Fields that need a signed-in caller carry Federation's `@authenticated`; staff-only fields
// carry `@requiresScopes(scopes: [["orders:read:any"]])` (the subgraphs put them there and check
// the same scopes themselves: subgraphs/kernel/graphql/authorization.py). Hive Gateway's
// `genericAuth` plugin (@envelop/generic-auth) in granular mode reads these directives from the
// supergraph and checks every field an operation selects during validation, with the caller
// token verification resolved (edge/auth.ts: its built-in JWT plugin cannot verify EdDSA):
//
// - no token, on a field with either directive: UNAUTHENTICATED (HTTP 401);
// - a token whose `scope` claim (space-separated, as OAuth) grants none of the field's
//   alternatives (each an all-of list): FORBIDDEN (HTTP 403);
// - one refused field refuses the whole operation: no data, no subgraph call.
//
// Fields without a directive are the subgraphs' to decide (owner checks, `me` null when
// anonymous); tools/public_fields.yaml lists every such root field with its reason.
import type { GatewayConfig, ValidateUserFn } from '@graphql-hive/gateway';
import type { Principal } from './auth.ts';
import { transportOf, type ClientContext } from './client.ts';
import { edgeError, unauthenticated } from './errors.ts';

/** The scopes a principal's token grants (its `scope` claim split on spaces). */
export function scopesOf(principal: Principal | null | undefined): string[] {
  const claim = principal?.claims.scope;
  return typeof claim === 'string' ? claim.split(' ').filter(Boolean) : [];
}

/** Whether `granted` satisfies `required`: one of its alternatives, each wholly granted. */
export function satisfies(required: string[][], granted: string[]): boolean {
  return required.some((all) => all.every((scope) => granted.includes(scope)));
}

/** UNAUTHENTICATED without a caller, FORBIDDEN for a missing scope, else nothing. */
export const validateCaller: ValidateUserFn<Principal> = (params) => {
  const required = [params.typeScopes, params.fieldScopes].filter(
    (scopes): scopes is string[][] => Array.isArray(scopes) && scopes.length > 0,
  );
  const authenticated = params.typeAuthArgs !== undefined || params.fieldAuthArgs !== undefined;
  if (!authenticated && required.length === 0) return undefined;
  const transport = transportOf(params.executionArgs.contextValue as ClientContext);
  const field = `${params.parentType.name}.${params.field.name}`;
  if (params.user == null) {
    return unauthenticated(transport, `Sign in to read ${field}.`);
  }
  if (required.every((scopes) => satisfies(scopes, params.userScopes))) return undefined;
  return edgeError(`You may not read ${field}.`, 'FORBIDDEN', transport, {
    status: 403,
    headers: { 'WWW-Authenticate': 'Bearer error="insufficient_scope"' },
  });
};

/** The gateway's `genericAuth` option, its caller the one `principalOf` verified. */
export function authorizationDirectives(
  principalOf: (context: object) => Promise<Principal | undefined>,
): NonNullable<GatewayConfig['genericAuth']> {
  return {
    mode: 'protect-granular',
    resolveUserFn: async (context) => (await principalOf(context)) ?? null,
    contextFieldName: 'caller',
    extractScopes: (user) => scopesOf(user as Principal),
    validateUser: validateCaller as ValidateUserFn<Record<string, unknown>>,
    rejectUnauthenticated: true,
  };
}
