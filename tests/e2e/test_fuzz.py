"""Fuzzing: schemathesis generates operations from each schema and sends them, with
and without a token, to every subgraph directly and to the gateway.

What must hold for every answer: no 5xx status, no `INTERNAL_SERVER_ERROR`,
every error carries a public code, and no error shows internal detail
(exception names, file paths, stack frames). `UNAUTHENTICATED`, `FORBIDDEN`,
`BAD_USER_INPUT` and the other public codes are client errors. Schemathesis'
own GraphQL check is not used: it counts `UNAUTHENTICATED` and `FORBIDDEN`
as server errors (ST113).

Bounded by FUZZ_BUDGET_SECONDS (90) in total (split evenly between the runs) and
by a few examples per root field; each run reports its figures.
"""

from __future__ import annotations

import os
import re
import time
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

import httpx
import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from schemathesis.core.result import Ok
from schemathesis.graphql import nodes

from testkit.journeys import register

pytestmark = pytest.mark.e2e

BUDGET_SECONDS = float(os.environ.get("FUZZ_BUDGET_SECONDS", "90"))
EXAMPLES_PER_FIELD = int(os.environ.get("FUZZ_EXAMPLES_PER_FIELD", "30"))
TARGETS = ("users", "catalog", "orders", "payments", "notifications", "gateway")
RUNS = [(target, token) for target in TARGETS for token in (False, True)]
ENTITY_RUNS = len(TARGETS) - 1  # the _entities runs: one per subgraph (not the gateway)
RUN_SECONDS = BUDGET_SECONDS / (len(RUNS) + ENTITY_RUNS)

# Decimal (prices) travels as a string: decimals, and text that is none.
schemathesis.graphql.scalar(
    "Decimal",
    (st.decimals(allow_nan=True, allow_infinity=True).map(str) | st.text(max_size=12)).map(
        nodes.String
    ),
)

# Codes a client may see (the public API contract and the gateway's own refusals).
PUBLIC_CODES = frozenset(
    {
        "UNAUTHENTICATED",
        "FORBIDDEN",
        "NOT_FOUND",
        "BAD_USER_INPUT",
        "BAD_REQUEST",
        "RATE_LIMITED",
        "GRAPHQL_VALIDATION_FAILED",
        "GRAPHQL_PARSE_FAILED",
        "MAX_DEPTH_LIMIT",
        "MAX_ALIASES_LIMIT",
        "MAX_HEIGHT_LIMIT",
        "MAX_ROOT_FIELDS_LIMIT",
        "COST_ESTIMATED_TOO_EXPENSIVE",
        "PAYLOAD_TOO_LARGE",
    }
)
# Signs of internal detail: Python or JavaScript stack frames, exception class names, file
# paths, driver names, addresses. Patterns a fuzzer's random strings will not produce.
INTERNAL_DETAIL = re.compile(
    r"Traceback \(most recent call last\)|File \"/|site-packages|node_modules|\.py\b"
    r"|\bat \S+ \([^)]*:\d+:\d+\)|ECONNREFUSED|\b127\.0\.0\.1:\d+"
    r"|\b(KeyError|TypeError|ValueError|AttributeError|IndexError|AssertionError|RuntimeError"
    r"|NameError|UnboundLocalError|ZeroDivisionError|InvalidId|InvalidOperation|DecimalException"
    r"|DuplicateKeyError|OperationFailure|PyMongoError|RedisError|ValidationError|OverflowError"
    r"|RecursionError)\b"
    r"|\bpymongo\b|\bbson\b|\bstrawberry\b"
)


@dataclass
class Figures:
    """What one run sent and got back."""

    requests: int = 0
    statuses: Counter[int] = field(default_factory=Counter)
    codes: Counter[str] = field(default_factory=Counter)
    problems: list[str] = field(default_factory=list)

    def check(self, label: str, status: int, body: Any) -> None:
        self.requests += 1
        self.statuses[status] += 1
        if status >= 500:
            self.problems.append(f"{label}: status {status}: {str(body)[:300]}")
        if not isinstance(body, dict):
            self.problems.append(f"{label}: not a JSON object: {str(body)[:300]}")
            return
        for error in body.get("errors") or []:
            extensions = error.get("extensions") or {}
            code = extensions.get("code")
            self.codes[str(code)] += 1
            if code not in PUBLIC_CODES:
                self.problems.append(f"{label}: code {code}: {error}")
            if set(extensions) & {"stacktrace", "exception", "exc_info"}:
                self.problems.append(f"{label}: internal extensions: {error}")
            if INTERNAL_DETAIL.search(str(error.get("message", ""))):
                self.problems.append(f"{label}: internal detail: {error}")


@pytest.fixture(scope="module")
def endpoints(
    users_url: str,
    catalog_url: str,
    orders_url: str,
    payments_url: str,
    notifications_url: str,
    gateway_url: str,
) -> dict[str, str]:
    bases = [users_url, catalog_url, orders_url, payments_url, notifications_url, gateway_url]
    return {name: f"{base}/graphql" for name, base in zip(TARGETS, bases, strict=True)}


@pytest.fixture(scope="module")
async def fuzz_token(gateway: httpx.AsyncClient) -> str:
    """A real user's token: with it, operations get past authentication to the resolvers."""
    token: str = (await register(gateway))["accessToken"]
    return token


def fuzz(url: str, headers: dict[str, str], seconds: float) -> Figures:
    schema = schemathesis.graphql.from_url(url, timeout=30)
    figures = Figures()
    deadline = time.monotonic() + seconds
    operations = []
    for result in schema.get_all_operations():
        assert isinstance(result, Ok), f"{url}: {result.err()}"
        operations.append(result.ok())
    assert operations, f"no operations found in {url}"
    for operation in operations:
        if time.monotonic() > deadline:
            break
        _sender(operation, headers, deadline, figures)()
    return figures


def _sender(operation: Any, headers: dict[str, str], deadline: float, figures: Figures) -> Any:
    """A Hypothesis test sending EXAMPLES_PER_FIELD generated cases of one root field."""

    @settings(
        max_examples=EXAMPLES_PER_FIELD,
        deadline=None,
        database=None,
        phases=[Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    @given(case=operation.as_strategy())
    def send(case: Any) -> None:
        if time.monotonic() > deadline:
            return
        response = case.call(headers=headers, timeout=30)
        try:
            body = response.json()
        except ValueError:
            body = response.text
        figures.check(operation.label, response.status_code, body)

    return send


@pytest.mark.parametrize(("target", "with_token"), RUNS)
def test_fuzzing_finds_no_server_error(
    endpoints: dict[str, str], fuzz_token: str, target: str, with_token: bool
) -> None:
    headers = {"authorization": f"Bearer {fuzz_token}"} if with_token else {}
    figures = fuzz(endpoints[target], headers, RUN_SECONDS)
    print(  # the figures, for the run's log (pytest -s or -rA)
        f"fuzz {target} token={with_token}: {figures.requests} requests, "
        f"statuses {dict(figures.statuses)}, codes {dict(figures.codes)}"
    )
    assert figures.requests > 0
    assert figures.problems == []


# ------------------------------------------------------------------ _entities
# Schemathesis leaves the federation fields out; gateways call `_entities` with whatever they
# hold, and anyone can call it directly. Arbitrary JSON, and entity representations with
# arbitrary key values, must give BAD_USER_INPUT, null or an entity, never a server error.

ENTITY_TYPES = {
    "users": ("User",),
    "catalog": ("Product", "User"),
    "orders": ("Order", "User"),
    "payments": ("Payment", "Order"),
    "notifications": ("User", "Order"),
}
ENTITIES = "query($r: [_Any!]!) { _entities(representations: $r) { __typename } }"
JSON_VALUES = st.recursive(
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=40),
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=12), children, max_size=4)
    ),
    max_leaves=12,
)


def representations(types: tuple[str, ...]) -> st.SearchStrategy[list[Any]]:
    key_values = st.text(max_size=40) | st.integers() | JSON_VALUES
    entity = st.builds(
        lambda typename, key, extra: {"__typename": typename, "id": key, **extra},
        st.sampled_from([*types, "Query", "NoSuchType", ""]),
        key_values,
        st.dictionaries(st.text(max_size=8), JSON_VALUES, max_size=2),
    )
    malformed = st.lists(entity | JSON_VALUES, min_size=1, max_size=5)
    # Well-formed, with arbitrary ids: these reach the resolvers (and the stores).
    well_formed = st.lists(
        st.fixed_dictionaries({"__typename": st.sampled_from(types), "id": st.text(max_size=40)}),
        min_size=1,
        max_size=5,
    )
    return malformed | well_formed


@pytest.mark.parametrize("target", list(ENTITY_TYPES))
def test_fuzzing_entities_finds_no_server_error(
    endpoints: dict[str, str], fuzz_token: str, target: str
) -> None:
    figures = Figures()
    headers = {"authorization": f"Bearer {fuzz_token}"}
    deadline = time.monotonic() + RUN_SECONDS

    @settings(
        max_examples=EXAMPLES_PER_FIELD,
        deadline=None,
        database=None,
        phases=[Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    @given(batch=representations(ENTITY_TYPES[target]))
    def send(batch: list[Any]) -> None:
        if time.monotonic() > deadline:
            return
        response = httpx.post(
            endpoints[target],
            json={"query": ENTITIES, "variables": {"r": batch}},
            headers=headers,
            timeout=30,
        )
        figures.check(f"_entities {batch!r:.200}", response.status_code, response.json())

    send()
    print(f"fuzz _entities {target}: {figures.requests} requests, codes {dict(figures.codes)}")
    assert figures.problems == []
