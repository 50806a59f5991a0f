"""GraphQL over HTTP details of the subgraph endpoint: media type choice and the CSRF rule."""

from __future__ import annotations

import pytest

from subgraphs.kernel.graphql.http import (
    APPLICATION_JSON,
    GRAPHQL_RESPONSE_JSON,
    is_csrf_safe,
    preferred_media_type,
)


@pytest.mark.parametrize(
    ("accept", "chosen"),
    [
        (None, APPLICATION_JSON),
        ("*/*", APPLICATION_JSON),
        ("application/json", APPLICATION_JSON),
        ("application/graphql-response+json", GRAPHQL_RESPONSE_JSON),
        (
            "application/graphql-response+json, application/json, multipart/mixed",
            GRAPHQL_RESPONSE_JSON,
        ),
        ("application/json;q=1, application/graphql-response+json;q=0.9", APPLICATION_JSON),
        ("application/graphql-response+json;q=0", APPLICATION_JSON),
        ("text/html", APPLICATION_JSON),
    ],
)
def test_media_type_follows_the_accept_header(accept: str | None, chosen: str) -> None:
    assert preferred_media_type(accept) == chosen


def _headers(**values: str) -> list[tuple[bytes, bytes]]:
    return [(name.replace("_", "-").encode(), value.encode()) for name, value in values.items()]


@pytest.mark.parametrize(
    ("method", "query", "headers", "safe"),
    [
        ("POST", b"", _headers(content_type="application/json"), True),
        ("POST", b"", _headers(content_type="application/json; charset=utf-8"), True),
        ("POST", b"", _headers(content_type="application/x-www-form-urlencoded"), False),
        ("POST", b"", _headers(content_type="multipart/form-data; boundary=x"), False),
        ("POST", b"", _headers(content_type="Text/Plain;charset=UTF-8"), False),
        ("POST", b"", [], False),
        ("POST", b"", _headers(content_type="text/plain", apollo_require_preflight="1"), True),
        ("POST", b"", _headers(content_type="text/plain", x_apollo_operation_name="A"), True),
        ("GET", b"", [], True),
        ("GET", b"query=%7Bx%7D", [], False),
        ("GET", b"query=%7Bx%7D", _headers(apollo_require_preflight="true"), True),
        ("OPTIONS", b"", [], True),
    ],
)
def test_requests_a_browser_sends_without_preflight_are_unsafe(
    method: str, query: bytes, headers: list[tuple[bytes, bytes]], safe: bool
) -> None:
    assert is_csrf_safe(method, query, headers) is safe
