"""GraphQL over HTTP details of the subgraph endpoint: media types, CSRF, body size.

- **Media type.** A client that accepts `application/graphql-response+json`
  (gateways do) gets it, and a request error (parse, validation, variable
  coercion: no `data` entry) comes with 400; a client that accepts only
  `application/json` (or sends no Accept) gets `application/json` and 200,
  as the GraphQL-over-HTTP spec asks.
- **CSRF.** A request a browser could send cross-site without a preflight
  (a POST whose Content-Type is missing, form-urlencoded, multipart or
  text/plain; a GET with a query string) is refused unless it carries a
  header a browser only sends after a preflight (`apollo-require-preflight`,
  `x-apollo-operation-name`), the rule of Apollo Router's default `csrf`.
- **Body size.** A body larger than GRAPHQL_MAX_BODY_BYTES gets 413 and the
  code `PAYLOAD_TOO_LARGE`, as at the gateway.
"""

from __future__ import annotations

import json
from collections.abc import Iterable

from strawberry.types import ExecutionResult

GRAPHQL_RESPONSE_JSON = "application/graphql-response+json"
APPLICATION_JSON = "application/json"

# Content types a browser sends cross-site without a preflight (the Fetch standard's
# CORS-safelisted ones).
SIMPLE_CONTENT_TYPES = frozenset(
    {"application/x-www-form-urlencoded", "multipart/form-data", "text/plain"}
)
PREFLIGHT_HEADERS = frozenset({"apollo-require-preflight", "x-apollo-operation-name"})

CSRF_MESSAGE = (
    "This request was refused as a possible cross-site request forgery: send a Content-Type "
    "other than application/x-www-form-urlencoded, multipart/form-data or text/plain, or one of "
    "the headers " + ", ".join(sorted(PREFLIGHT_HEADERS)) + "."
)


def preferred_media_type(accept: str | None) -> str:
    """`application/graphql-response+json` when the client accepts it at least as much as JSON."""
    if not accept:
        return APPLICATION_JSON
    weights: dict[str, float] = {}
    for part in accept.split(","):
        media, _, params = part.strip().partition(";")
        quality = 1.0
        for param in params.split(";"):
            name, _, value = param.strip().partition("=")
            if name.strip().lower() == "q":
                try:
                    quality = float(value)
                except ValueError:
                    quality = 0.0
        media = media.strip().lower()
        weights[media] = max(weights.get(media, 0.0), quality)
    graphql_response = weights.get(GRAPHQL_RESPONSE_JSON, 0.0)
    json_weight = max(weights.get(APPLICATION_JSON, 0.0), weights.get("*/*", 0.0))
    return (
        GRAPHQL_RESPONSE_JSON
        if graphql_response > 0 and graphql_response >= json_weight
        else (APPLICATION_JSON)
    )


def is_request_error(result: ExecutionResult) -> bool:
    """True when the operation never ran: no data, and every error lacks a path."""
    return (
        result.data is None
        and bool(result.errors)
        and all(error.path is None for error in result.errors or ())
    )


def is_csrf_safe(method: str, query_string: bytes, headers: Iterable[tuple[bytes, bytes]]) -> bool:
    """False for a request a browser could send cross-site without a preflight."""
    if method == "GET" and not query_string:
        return True  # the IDE page (if enabled): nothing runs
    if method not in ("GET", "POST"):
        return True  # anything else is preflighted, or refused by the view
    content_type: str | None = None
    for raw_name, raw_value in headers:
        name = raw_name.decode("latin-1").lower()
        if name in PREFLIGHT_HEADERS:
            return True
        if name == "content-type":
            content_type = raw_value.decode("latin-1")
    if content_type is None:
        return False
    return content_type.split(";", 1)[0].strip().lower() not in SIMPLE_CONTENT_TYPES


def csrf_error_body() -> bytes:
    return json.dumps(
        {"errors": [{"message": CSRF_MESSAGE, "extensions": {"code": "CSRF_ERROR"}}]}
    ).encode()


def too_large_error_body(max_bytes: int) -> bytes:
    message = f"The request body is larger than this service accepts ({max_bytes} bytes)."
    extensions = {"code": "PAYLOAD_TOO_LARGE", "maxBytes": max_bytes}
    return json.dumps({"errors": [{"message": message, "extensions": extensions}]}).encode()
