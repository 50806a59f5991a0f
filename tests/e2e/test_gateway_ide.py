"""The gateway's IDE offers a ready example operation that runs as it is.

Hive Laboratory (Hive Gateway's IDE) lists it under Collections > Examples: its page carries
the operation in the props it renders with.
"""

from __future__ import annotations

import html
import re

import httpx
import pytest

from testkit.client import graphql

pytestmark = pytest.mark.e2e


async def test_the_ide_opens_with_the_example_operation(gateway: httpx.AsyncClient) -> None:
    page = await gateway.get("/graphql", headers={"accept": "text/html"})
    assert page.status_code == 200
    assert "text/html" in page.headers["content-type"]
    text = html.unescape(page.text).replace("\\n", "\n")
    match = re.search(r"query Products \{.*?\n\}", text, re.DOTALL)
    assert match, "the IDE page carries no example operation"
    assert '"defaultCollections"' in page.text
    # The example runs as it is, without a token, and answers the price list.
    body = await graphql(gateway, match[0])
    assert body.get("errors") is None, body
    assert body["data"]["products"], body
    assert {"sku", "name", "price"} <= set(body["data"]["products"][0])
