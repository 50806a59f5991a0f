"""CPU cost per request of a subgraph's GraphQL layer: plain Strawberry against the kernel.

Each request is `await schema.execute(...)` in process, called the way the
subgraph's ASGI view calls it: a fresh request context per request (a
Starlette `Request` with the caller's `Authorization` header, the
subgraph's own context class, its DataLoaders and the use cases its
`bootstrap()` wires), the subgraph's own transport types, and in-memory ports
(`testkit`) instead of MongoDB. No
I/O happens, so what is timed is parsing, validation, execution and the
extensions around them: the part the kernel changes.

Left out on purpose, because they cost every variant the same and would
only dilute the difference: HTTP (uvicorn, JSON bodies, the correlation id)
and token cryptography (the verifier is a stub; an EdDSA check costs the
same with or without the kernel).

Schemas compared on the same operations, in the same run:

    baseline           strawberry.federation.Schema(query=, mutation=, ...), no extensions
    caches only        the same with ParserCache and ValidationCache alone: what the
                       caches buy, so that the rest of the kernel's cost shows
    kernel             the subgraph's own build_schema() (kernel build_federated_schema):
                       its document cache (parsed document and validation errors per
                       query text), depth/alias/token limits built once and shared
                       by every request, error masking, in one extension
    per-request rules  the stock extensions (MaskErrors, MaxTokensLimiter, ParserCache,
                       AddValidationRules, ValidationCache) with the limit rules built
                       per request (`lambda: QueryDepthLimiter(...)`, the documented
                       factory pattern): a new rule class each request, so the
                       validation cache, keyed by the rule classes, never hits
    graphql-core floor graphql-core's `execute` on the kernel schema's GraphQL schema
                       (the same resolvers), each query text parsed and validated once:
                       no extensions, limits or masking; what no schema can beat

Ratios compare the median CPU time per request of this thread (`cpu p50`),
which holds on a loaded machine where wall-clock medians do not.

The gateway sends the same few operations over and over, which is what the
caches are for; one more row sends a new operation name with every request
(a miss in both caches) to show what the kernel costs when they cannot help.
It is left out of the summary lines.

`ParserCache`/`ValidationCache` keep one LRU per `maxsize` for the whole
process, shared by every schema using that size. Each variant therefore
gets its own size (1000, 1001, 1002), so one variant's entries cannot evict
another's and the hit counts stay separate.
"""

from __future__ import annotations

import asyncio
import gc
import importlib.metadata
import itertools
import os
import platform
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

import strawberry
from graphql import DocumentNode, ExecutionResult, GraphQLSchema, execute, parse, validate
from graphql.pyutils import is_awaitable
from graphql.validation import NoSchemaIntrospectionCustomRule
from starlette.requests import Request
from strawberry.extensions import (
    AddValidationRules,
    MaxAliasesLimiter,
    MaxTokensLimiter,
    ParserCache,
    QueryDepthLimiter,
    ValidationCache,
)

from bench.common import bench_rounds, env_int, geometric_mean, percentile, render_table
from subgraphs.kernel.graphql.schema import MaskUnexpectedErrors, SubgraphSchema
from subgraphs.kernel.process.settings import GraphQLSettings
from subgraphs.orders.bootstrap import bootstrap as bootstrap_orders
from subgraphs.orders.domain.order import Order, OrderLine, place_order
from subgraphs.orders.transport import mutations as orders_mutations
from subgraphs.orders.transport import queries as orders_queries
from subgraphs.orders.transport import schema as orders_schema
from subgraphs.orders.transport import subscriptions as orders_subscriptions
from subgraphs.orders.transport import types as orders_types
from subgraphs.orders.transport.context import OrdersContext
from subgraphs.users.bootstrap import bootstrap as bootstrap_users
from subgraphs.users.domain.user import register
from subgraphs.users.transport import mutations as users_mutations
from subgraphs.users.transport import queries as users_queries
from subgraphs.users.transport import schema as users_schema
from subgraphs.users.transport.context import UsersContext
from testkit.kernel import EPOCH, InMemoryUnitOfWork, SequentialIds, SteppingClock, StubVerifier
from testkit.orders import SEED_PRODUCTS, InMemoryCatalog, InMemoryOrders, SilentFeed
from testkit.staff import in_memory_staff
from testkit.user_sessions import (
    RESET_POLICY,
    SESSION_POLICY,
    InMemoryDenyList,
    InMemoryPasswords,
    InMemorySessions,
    Postponed,
)
from testkit.users import (
    VERIFICATION_POLICY,
    CountingTokens,
    InMemoryUsers,
    InMemoryVerifications,
    ReversingHasher,
    in_memory_throttles,
)

TITLE = "graphql_overhead: CPU per request of a subgraph's GraphQL layer"

# The kernel's defaults, spelled out so that GRAPHQL_* variables cannot change the bench.
# Every schema is built with introspection off, as in production (one more validation rule).
SETTINGS = GraphQLSettings(max_depth=12, max_aliases=15, max_tokens=5000, document_cache_size=1000)
CALLER = "user-1"
_UNIQUE = itertools.count(1)


# -- the operations -------------------------------------------------------------------------


@dataclass(frozen=True)
class Operation:
    """One GraphQL request as the gateway sends it, repeated with a fresh context each time."""

    name: str
    query: str
    context: Callable[[], Any]
    variables: Callable[[], dict[str, Any] | None] = lambda: None
    check: Callable[[dict[str, Any]], bool] = lambda _data: True
    # A new operation name for every request: a document neither cache has seen.
    unique: bool = False

    def texts(self, count: int) -> list[str]:
        if not self.unique:
            return [self.query] * count
        return [self.query.replace("query ", f"query Q{next(_UNIQUE)}", 1) for _ in range(count)]


def _http_request(token: str | None) -> Callable[[], Request]:
    headers = [(b"authorization", f"Bearer {token}".encode())] if token else []
    scope = {"type": "http", "method": "POST", "path": "/graphql", "headers": headers}
    return lambda: Request(dict(scope))


def _entities_query(selection: str) -> str:
    """An entity fetch the way a query planner writes it."""
    return (
        "query Entities($representations: [_Any!]!) "
        f"{{ _entities(representations: $representations) {{ {selection} }} }}"
    )


def _representations(typename: str, ids: Sequence[str]) -> Callable[[], dict[str, Any]]:
    # Fresh dicts for every request: Strawberry's `_entities` pops `__typename` from them.
    return lambda: {"representations": [{"__typename": typename, "id": i} for i in ids]}


async def users_operations() -> list[Operation]:
    users = InMemoryUsers()
    hasher = ReversingHasher()
    for n in range(1, 11):
        await users.add(
            register(
                user_id=f"user-{n}",
                email=f"user{n}@example.com",
                name=f"User {n}",
                phone="+14155550100" if n % 2 else None,
                password_hash=hasher.hash(f"password of user {n}"),
                now=EPOCH + timedelta(minutes=n),
            )
        )
    usecases = bootstrap_users(
        users=users,
        sessions=InMemorySessions(),
        deny_list=InMemoryDenyList(),
        passwords=InMemoryPasswords(users),
        verifications=InMemoryVerifications(users),
        uow=InMemoryUnitOfWork("users"),
        hasher=hasher,
        tokens=CountingTokens(),
        throttles=in_memory_throttles(SteppingClock()),
        later=Postponed(),
        session_policy=SESSION_POLICY,
        reset_policy=RESET_POLICY,
        verification_policy=VERIFICATION_POLICY,
        staff=in_memory_staff(users),
        clock=SteppingClock(),
        new_id=SequentialIds("user"),
    )
    verifier = StubVerifier()

    def context(token: str | None) -> Callable[[], UsersContext]:
        request = _http_request(token)
        return lambda: UsersContext(request=request(), verifier=verifier, usecases=usecases)

    ten = [f"user-{n}" for n in range(1, 11)]
    names = [f"User {n}" for n in range(1, 11)]
    return [
        Operation(
            "users: me",
            "query Me { me { id name email phone createdAt } }",
            context(CALLER),
            check=lambda d: d["me"]["email"] == "user1@example.com",
        ),
        Operation(
            "users: _entities 10 User { name }",
            _entities_query("... on User { __typename id name }"),
            context(CALLER),
            variables=_representations("User", ten),
            check=lambda d: [e["name"] for e in d["_entities"]] == names,
        ),
        Operation(
            "users: me, new text every time",
            "query Me { me { id name email phone createdAt } }",
            context(CALLER),
            check=lambda d: d["me"]["email"] == "user1@example.com",
            unique=True,
        ),
    ]


def _seed_orders(user_id: str, count: int) -> list[Order]:
    products = {p.sku: p for p in SEED_PRODUCTS}
    skus = list(products)
    return [
        place_order(
            order_id=f"order-{n:02d}",
            user_id=user_id,
            lines=[OrderLine(skus[(n + k) % len(skus)], k + 1) for k in range(3)],
            currency="USD",
            products=products,
            now=EPOCH + timedelta(minutes=n),
        )
        for n in range(1, count + 1)
    ]


async def orders_operations() -> list[Operation]:
    usecases = bootstrap_orders(
        orders=InMemoryOrders(_seed_orders(CALLER, 20)),
        catalog=InMemoryCatalog(SEED_PRODUCTS),
        uow=InMemoryUnitOfWork("orders"),
        status_feed=SilentFeed(),  # subscriptions are not benchmarked
        clock=SteppingClock(),
        new_id=SequentialIds("order"),
        reservation_ttl=timedelta(minutes=15),  # no order expires within a run
    )
    verifier = StubVerifier()

    def context(token: str | None) -> Callable[[], OrdersContext]:
        request = _http_request(token)
        return lambda: OrdersContext(request=request(), verifier=verifier, usecases=usecases)

    return [
        Operation(
            "orders: order(id)",
            "query Order($id: ID!) { order(id: $id) { id status total { amount currency } } }",
            context(CALLER),
            variables=lambda: {"id": "order-07"},
            check=lambda d: d["order"]["id"] == "order-07",
        ),
        Operation(
            "orders: _entities User.orders(first: 5)",
            _entities_query(
                "... on User { orders(first: 5) { edges { cursor node { id status createdAt"
                " total { amount currency } } } pageInfo { hasNextPage endCursor } } }"
            ),
            context(CALLER),
            variables=_representations("User", [CALLER]),
            check=lambda d: len(d["_entities"][0]["orders"]["edges"]) == 5,
        ),
    ]


# -- the schemas ----------------------------------------------------------------------------


@dataclass(frozen=True)
class RootTypes:
    query: type
    mutation: type
    subscription: type | None = None
    types: Sequence[type] = ()


class RawGraphQLCore:
    """The floor: graphql-core's `execute` on the same GraphQL schema (the same resolvers),
    with each query text parsed and validated once and its document kept. No extensions,
    no limits, no error processing: what no Strawberry schema can beat."""

    def __init__(self, schema: GraphQLSchema) -> None:
        self._schema = schema
        self._documents: dict[str, DocumentNode] = {}

    def _document(self, query: str) -> DocumentNode:
        document = self._documents.get(query)
        if document is None:
            document = parse(query)
            if errors := validate(self._schema, document):
                raise BenchError(f"invalid operation: {errors}")
            self._documents[query] = document
        return document

    async def execute(
        self,
        query: str,
        variable_values: dict[str, Any] | None = None,
        context_value: Any = None,
    ) -> ExecutionResult:
        result = execute(
            self._schema,
            self._document(query),
            variable_values=variable_values,
            context_value=context_value,
        )
        if is_awaitable(result):
            return await result
        return result  # type: ignore[return-value]


@dataclass(frozen=True)
class Variant:
    name: str
    schema: strawberry.federation.Schema | RawGraphQLCore
    cache_size: int | None  # the size of its parser and validation caches; None: no caches

    def caches(self) -> tuple[Any, Any] | None:
        """The LRU functions its caches use: the kernel schema's own, or Strawberry's
        process-wide ones (one per `maxsize`)."""
        own = getattr(self.schema, "document_cache", None)
        if own is not None:
            return own.parse, own.validate
        if self.cache_size is None:
            return None
        parse: Any = ParserCache(maxsize=self.cache_size).cached_parse_document
        validate: Any = ValidationCache(maxsize=self.cache_size).cached_validate_document
        return parse, validate


def per_request_rule_extensions(settings: GraphQLSettings, cache_size: int) -> list[Any]:
    """The kernel's extensions, with each limit rule built per request (the pitfall)."""
    return [
        MaskUnexpectedErrors,
        lambda: MaxTokensLimiter(max_token_count=settings.max_tokens),
        lambda: ParserCache(maxsize=cache_size),
        lambda: QueryDepthLimiter(max_depth=settings.max_depth),
        lambda: MaxAliasesLimiter(max_alias_count=settings.max_aliases),
        lambda: AddValidationRules([NoSchemaIntrospectionCustomRule]),
        lambda: ValidationCache(maxsize=cache_size),
    ]


def variants(roots: RootTypes, kernel_schema: SubgraphSchema) -> list[Variant]:
    size = SETTINGS.document_cache_size
    baseline = strawberry.federation.Schema(
        query=roots.query,
        mutation=roots.mutation,
        subscription=roots.subscription,
        types=roots.types,
    )
    caches_only = strawberry.federation.Schema(
        query=roots.query,
        mutation=roots.mutation,
        subscription=roots.subscription,
        types=roots.types,
        extensions=[
            lambda: ParserCache(maxsize=size + 2),
            lambda: ValidationCache(maxsize=size + 2),
        ],
    )
    per_request = SubgraphSchema(
        query=roots.query,
        mutation=roots.mutation,
        subscription=roots.subscription,
        types=roots.types,
        extensions=per_request_rule_extensions(SETTINGS, size + 1),
    )
    return [
        Variant("baseline", baseline, None),
        Variant("caches only", caches_only, size + 2),
        Variant("kernel", kernel_schema, size),
        Variant("per-request rules", per_request, size + 1),
        Variant("graphql-core floor", RawGraphQLCore(kernel_schema._schema), None),
    ]


def users_variants() -> list[Variant]:
    roots = RootTypes(query=users_queries.Query, mutation=users_mutations.Mutation)
    return variants(roots, users_schema.build_schema(SETTINGS, introspection=False))


def orders_variants() -> list[Variant]:
    roots = RootTypes(
        query=orders_queries.Query,
        mutation=orders_mutations.Mutation,
        subscription=orders_subscriptions.Subscription,
        types=[orders_types.Order, orders_types.User],
    )
    return variants(roots, orders_schema.build_schema(SETTINGS, introspection=False))


# -- measuring ------------------------------------------------------------------------------


@dataclass
class Hits:
    hits: int = 0
    misses: int = 0

    def add(self, before: Any, after: Any) -> None:
        self.hits += after.hits - before.hits
        self.misses += after.misses - before.misses

    def rate(self) -> str:
        total = self.hits + self.misses
        return f"{100 * self.hits / total:.1f}%" if total else "-"


@dataclass
class Case:
    operation: Operation
    variant: Variant
    samples_ns: list[int] = field(default_factory=list)
    cpu_samples_ns: list[int] = field(default_factory=list)  # this thread's CPU per request
    cpu_ns: int = 0
    parse: Hits = field(default_factory=Hits)
    validate: Hits = field(default_factory=Hits)
    data: dict[str, Any] | None = None


class BenchError(Exception):
    pass


async def _execute(case: Case, variables: dict[str, Any] | None) -> dict[str, Any]:
    op = case.operation
    result = await case.variant.schema.execute(
        op.texts(1)[0], variable_values=variables, context_value=op.context()
    )
    if result.errors or result.data is None:
        raise BenchError(f"{op.name} / {case.variant.name}: {result.errors}")
    return result.data


async def check(case: Case) -> None:
    """One request whose answer must be right: a fast wrong answer measures nothing."""
    case.data = await _execute(case, case.operation.variables())
    if not case.operation.check(case.data):
        raise BenchError(f"{case.operation.name} / {case.variant.name}: unexpected {case.data}")


async def run_batch(case: Case, count: int, *, record: bool) -> None:
    op, schema = case.operation, case.variant.schema
    context = op.context
    queries = op.texts(count)
    variables = [op.variables() for _ in range(count)]
    samples = [0] * count
    cpu_samples = [0] * count
    caches = case.variant.caches()
    before = [c.cache_info() for c in caches] if caches else []
    clock, cpu_clock = time.perf_counter_ns, time.thread_time_ns
    cpu_start = cpu_clock()
    for i in range(count):
        cpu_before = cpu_clock()
        start = clock()
        result = await schema.execute(
            queries[i], variable_values=variables[i], context_value=context()
        )
        samples[i] = clock() - start
        cpu_samples[i] = cpu_clock() - cpu_before
        if result.errors:
            raise BenchError(f"{op.name} / {case.variant.name}: {result.errors}")
    cpu = time.thread_time_ns() - cpu_start
    if not record:
        return
    case.samples_ns.extend(samples)
    case.cpu_samples_ns.extend(cpu_samples)
    case.cpu_ns += cpu
    if caches:
        parse, validate = caches
        case.parse.add(before[0], parse.cache_info())
        case.validate.add(before[1], validate.cache_info())


@dataclass(frozen=True)
class Config:
    iterations: int
    warmup: int
    rounds: int

    @classmethod
    def from_env(cls) -> Config:
        return cls(
            iterations=env_int("BENCH_ITERATIONS", 2000),
            warmup=env_int("BENCH_WARMUP", 200, minimum=0),
            rounds=bench_rounds(),
        )

    @classmethod
    def smoke(cls) -> Config:
        """A few requests per row: every answer checked, the figures meaningless."""
        return cls(iterations=2, warmup=1, rounds=1)

    @property
    def per_round(self) -> int:
        return -(-self.iterations // self.rounds)


async def measure(
    operations: Sequence[Operation], schemas: Sequence[Variant], config: Config
) -> list[list[Case]]:
    """Per operation, every variant: checked, warmed up, then timed in interleaved rounds.

    Rounds alternate the variants (and rotate which goes first) so a slow
    spell of a noisy machine falls on all of them rather than on one. A full
    collection before each round (not each batch: one costs about 25 ms)
    keeps one round's garbage out of the next.
    """
    measured = []
    for op in operations:
        cases = [Case(op, v) for v in schemas]
        gc.collect()
        for case in cases:
            await check(case)
            if case.data != cases[0].data:
                raise BenchError(f"{op.name}: {case.variant.name} answers differently")
            await run_batch(case, config.warmup, record=False)
        for r in range(config.rounds):
            gc.collect()
            shift = r % len(cases)
            for case in cases[shift:] + cases[:shift]:
                await run_batch(case, config.per_round, record=True)
        measured.append(cases)
    return measured


# -- the report -----------------------------------------------------------------------------

HEADERS = (
    "operation",
    "schema",
    "ops/s",
    "mean us",
    "p50 us",
    "p99 us",
    "cpu us",
    "cpu p50",
    "vs baseline",
    "vs floor",
    "parse hits",
    "valid. hits",
)


def _row(case: Case, baseline_cpu: float, floor_cpu: float) -> list[str]:
    ordered = sorted(case.samples_ns)
    n = len(ordered)
    total = sum(ordered)
    p50 = percentile(ordered, 0.50)
    return [
        case.operation.name,
        case.variant.name,
        f"{n * 1e9 / total:,.0f}",
        f"{total / n / 1e3:.1f}",
        f"{p50 / 1e3:.1f}",
        f"{percentile(ordered, 0.99) / 1e3:.1f}",
        f"{case.cpu_ns / n / 1e3:.1f}",
        f"{_cpu(case) / 1e3:.1f}",
        f"{baseline_cpu / _cpu(case):.2f}x",
        f"{_cpu(case) / floor_cpu:.2f}x",
        case.parse.rate(),
        case.validate.rate(),
    ]


def _cpu(case: Case) -> float:
    """Median CPU time of this thread per request: what the ratios compare. It holds under
    load (time on other threads is not counted) and ignores the odd request that paid for
    a garbage collection or cold caches after a context switch."""
    return percentile(sorted(case.cpu_samples_ns), 0.50)


def report(measured: Sequence[list[Case]], config: Config, elapsed: float) -> str:
    rows: list[list[str]] = []
    for cases in measured:
        baseline_cpu = _cpu(cases[0])
        floor_cpu = _cpu(cases[-1])
        for i, case in enumerate(cases):
            row = _row(case, baseline_cpu, floor_cpu)
            if i:
                row[0] = ""
            rows.append(row)
    names = [case.variant.name for case in measured[0]]
    repeated = [cases for cases in measured if not cases[0].operation.unique]
    summary = ["Over the operations sent again and again (not the new-text row):"]
    for i, name in enumerate(names[1:], start=1):
        speedups = [_cpu(cases[0]) / _cpu(cases[i]) for cases in repeated]
        costs = [_cpu(cases[i]) / _cpu(cases[-1]) for cases in repeated]
        validate = Hits()
        for cases in repeated:
            validate.hits += cases[i].validate.hits
            validate.misses += cases[i].validate.misses
        summary.append(
            f"  {name}: {geometric_mean(speedups):.2f}x the baseline's speed,"
            f" {geometric_mean(costs):.2f}x the floor's cost (geometric means of CPU ratios);"
            f" validation cache hit rate {validate.rate()}"
            f" ({validate.hits:,} hits, {validate.misses:,} misses)"
        )
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    versions = ", ".join(
        f"{p} {importlib.metadata.version(p)}" for p in ("strawberry-graphql", "graphql-core")
    )
    return "\n".join(
        [
            TITLE,
            f"python {platform.python_version()}, {versions}; {os.cpu_count()} CPUs,"
            f" load average {load:.2f} at the end",
            "schema.execute in process, no I/O, a fresh context per request;"
            f" {config.per_round * config.rounds:,} timed requests per row in {config.rounds}"
            f" interleaved rounds, after {config.warmup:,} warm-up; {elapsed:.1f} s",
            "",
            render_table(HEADERS, rows, left=2),
            "",
            *summary,
        ]
    )


async def _main(config: Config) -> str:
    started = time.perf_counter()
    measured = [
        *await measure(await users_operations(), users_variants(), config),
        *await measure(await orders_operations(), orders_variants(), config),
    ]
    return report(measured, config, time.perf_counter() - started)


def run(*, smoke: bool = False) -> str:
    """Measure and return the table (`smoke`: a few requests per row, answers still checked)."""
    return asyncio.run(_main(Config.smoke() if smoke else Config.from_env()))
