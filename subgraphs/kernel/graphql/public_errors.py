"""GraphQL errors a client may see as they are, and the codes of domain access errors.

- `PublicError` subclasses (`UNAUTHENTICATED`, `FORBIDDEN`, `BAD_REQUEST`,
  ...) are raised by the transport itself (auth, cursors, lookups).
- A use case's `NotSignedIn`/`NotAllowed` (`subgraphs.kernel.core.errors`)
  becomes the same error through `public_error`: the schema
  (`subgraphs.kernel.graphql.schema`) shows it with its code instead of masking it.
"""

from __future__ import annotations

from graphql import GraphQLError

from subgraphs.kernel.core.errors import AccessDenied, NotAllowed, NotSignedIn


class PublicError(GraphQLError):
    """A GraphQL error whose message and code are safe to show to clients."""

    code = "BAD_REQUEST"
    default_message = "Bad request."

    def __init__(self, message: str | None = None) -> None:
        super().__init__(message or self.default_message, extensions={"code": self.code})


class Unauthenticated(PublicError):
    code = "UNAUTHENTICATED"
    default_message = NotSignedIn.default_message


class Forbidden(PublicError):
    code = "FORBIDDEN"
    default_message = NotAllowed.default_message


ACCESS_CODES: dict[type[AccessDenied], str] = {
    NotSignedIn: Unauthenticated.code,
    NotAllowed: Forbidden.code,
}


def access_code(error: AccessDenied) -> str:
    """The GraphQL code of a domain access error."""
    for kind, code in ACCESS_CODES.items():
        if isinstance(error, kind):
            return code
    return Forbidden.code


def is_public(error: BaseException | None) -> bool:
    """True for errors whose message and code a client may see."""
    return isinstance(error, PublicError | AccessDenied)
