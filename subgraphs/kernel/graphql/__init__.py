"""The GraphQL transport every subgraph shares.

`schema` (limits, caches, error masking), `public_errors` (errors a client
sees as they are, the codes of access errors), `http` (media types, CSRF),
`context` (the per-request context), `auth` (JWT checks against the users
JWKS), `entities` (`_entities` checked and batched), `types`, `payloads`,
`pagination`, `enums`, `authorization` (staff-only fields: `@requiresScopes`, checked here too).
"""
