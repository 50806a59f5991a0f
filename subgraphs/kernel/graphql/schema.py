"""How every subgraph's Strawberry schema is built: limits, caches, error masking.

One extension per request does all of it (`KernelExtension`): a schema's
`DocumentCache` keeps, per query text, the parsed document (parsed with the
token limit) and its validation errors (the standard rules plus the depth,
alias, nested-connection and introspection rules, built once per schema; the depth and
alias rules are the kernel's, `limits`, which walk each fragment once); unexpected errors
are masked. Stock Strawberry needs five extensions for this, and its
validation cache is keyed by the document itself, whose hash walks the
whole syntax tree on every request (a frozen dataclass): about 80 us for an
`_entities` fetch, measured by bench/graphql_overhead.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable, Iterable, Iterator, Sequence
from functools import lru_cache, partial
from typing import Any, Protocol

import strawberry
from graphql import (
    ASTValidationRule,
    DocumentNode,
    GraphQLError,
    GraphQLSchema,
    GraphQLSyntaxError,
    parse,
    specified_rules,
    validate,
)
from graphql.execution import MiddlewareManager
from graphql.validation import NoSchemaIntrospectionCustomRule
from strawberry.extensions import MaskErrors, SchemaExtension
from strawberry.federation.schema import FederationAny
from strawberry.types import ExecutionContext, ExecutionResult, Info

from subgraphs.kernel.core.errors import AccessDenied
from subgraphs.kernel.graphql.cost import NoNestedConnections
from subgraphs.kernel.graphql.entities import (
    Entity,
    check_representations,
    entity_specs,
    has_batches,
    resolve_in_batches,
)
from subgraphs.kernel.graphql.limits import alias_limit, depth_limit
from subgraphs.kernel.graphql.public_errors import access_code, is_public
from subgraphs.kernel.observability import telemetry
from subgraphs.kernel.process.settings import GraphQLSettings

log = logging.getLogger(__name__)

INTERNAL_SERVER_ERROR = "INTERNAL_SERVER_ERROR"


class MaskUnexpectedErrors(MaskErrors):
    """Replaces unexpected errors with a bare `INTERNAL_SERVER_ERROR`.

    Public errors, domain access errors and request (parse, validation)
    errors pass as they are; the schema's `process_errors` has logged the
    original beforehand.
    """

    def __init__(self) -> None:
        super().__init__(should_mask_error=is_unexpected, error_message="Internal server error.")

    def anonymise_error(self, error: GraphQLError) -> GraphQLError:
        masked = super().anonymise_error(error)
        masked.extensions = {"code": INTERNAL_SERVER_ERROR}
        return masked


class SubgraphSchema(strawberry.federation.Schema):
    """A federation schema that logs errors by kind and gives request errors a code.

    `_entities` refuses malformed representations (`BAD_USER_INPUT`) before
    any resolver runs, and resolves the representations of a type with
    `resolve_references` in one call (see `subgraphs.kernel.graphql.entities`).
    """

    _entities: dict[str, Entity] | None = None
    document_cache: DocumentCache | None = None  # set by build_federated_schema

    async def execute(self, *args: Any, **kwargs: Any) -> ExecutionResult:
        # An extension that fails outside the resolvers (e.g. in on_execute) ends the
        # operation past MaskErrors' reach: its error is masked here instead.
        result = await super().execute(*args, **kwargs)
        if result.errors and any(is_unexpected(error) for error in result.errors):
            mask = MaskUnexpectedErrors()
            result.errors = [
                mask.anonymise_error(error) if is_unexpected(error) else error
                for error in result.errors
            ]
        return result

    def entities_resolver(
        self, info: Info, representations: list[FederationAny]
    ) -> list[FederationAny]:
        if self._entities is None:
            self._entities = entity_specs(self)
        checked = check_representations(representations, self._entities)
        if not has_batches(checked, self._entities):
            return super().entities_resolver(info, checked)  # type: ignore[arg-type]
        one_by_one = partial(super().entities_resolver, info)
        return resolve_in_batches(info, checked, self._entities, one_by_one)  # type: ignore[return-value]

    def _get_middleware_manager(  # type: ignore[override]
        self, extensions: list[SchemaExtension]
    ) -> MiddlewareManager | None:
        # An empty manager still makes graphql-core wrap every field's resolver: pass none.
        if not any(extension._implements_resolve() for extension in extensions):
            return None
        return super()._get_middleware_manager(extensions)

    def process_errors(
        self, errors: list[GraphQLError], execution_context: ExecutionContext | None = None
    ) -> None:
        for error in errors:
            if isinstance(error.original_error, AccessDenied):  # a use case's, shown with its code
                error.extensions = {"code": access_code(error.original_error)}
                continue
            if is_public(error) or is_public(error.original_error):
                continue
            if is_request_error(error):
                code = (error.extensions or {}).get("code") or _request_error_code(error)
                error.extensions = {**(error.extensions or {}), "code": code}
                error.message = _without_exception_text(error.message)
                log.info("request error", extra={"code": code, "error": error.message})
            else:
                log.error(
                    "unexpected error in resolver",
                    exc_info=error.original_error,
                    extra={"path": error.path},
                )


def is_request_error(error: GraphQLError) -> bool:
    """True for errors in the request itself: parse, validation, variable coercion.

    They have no path (no resolver ran) and no cause but graphql-core's own
    error (a variable's value that does not fit its type wraps the inner
    `GraphQLError`); anything else without a path is a bug in an extension.
    """
    original = error.original_error
    return error.path is None and (original is None or isinstance(original, GraphQLError))


def is_unexpected(error: GraphQLError) -> bool:
    """True for errors raised by a bug or an outage rather than by the request."""
    original = error.original_error
    return original is not None and not is_public(original) and not is_request_error(error)


def _request_error_code(error: GraphQLError) -> str:
    if isinstance(error, GraphQLSyntaxError):
        return "GRAPHQL_PARSE_FAILED"
    if error.message.startswith("Variable '$"):
        return "BAD_USER_INPUT"  # a variable's value does not fit its type (as Apollo says)
    return "GRAPHQL_VALIDATION_FAILED"


# graphql-core quotes the exception a scalar's parser raised ("Expected value of type 'Decimal',
# but encountered error '[<class 'decimal.ConversionSyntax'>]'; found: ..."): internal text.
_EXCEPTION_TEXT = re.compile(r", but encountered error '.*?'; found:", re.DOTALL)


def _without_exception_text(message: str) -> str:
    return _EXCEPTION_TEXT.sub(", found:", message)


class DocumentCache:
    """Per query text: its parsed document and its validation errors (two LRUs of `maxsize`).

    One per schema, shared by every request. Keyed by the text (a string's
    hash is computed once and kept), never by the document. A text that does
    not parse (syntax, too many tokens) is not cached and fails again each
    time, as with Strawberry's `ParserCache`.
    """

    def __init__(
        self, rules: Sequence[type[ASTValidationRule]], *, max_tokens: int, maxsize: int
    ) -> None:
        self.rules = (*specified_rules, *rules)
        self.max_tokens = max_tokens
        self.parse = lru_cache(maxsize=maxsize)(self._parse)
        self.validate = lru_cache(maxsize=maxsize)(self._validate)

    def _parse(self, query: str) -> DocumentNode:
        return parse(query, max_tokens=self.max_tokens)

    def _validate(self, schema: GraphQLSchema, query: str) -> list[GraphQLError]:
        return validate(schema, self.parse(query), self.rules)


class KernelExtension(SchemaExtension):
    """The kernel's request policy in one extension with one hook (each hook costs a
    context manager per request): the document and its validation errors from the
    cache, unexpected errors masked afterwards."""

    def __init__(self, cache: DocumentCache) -> None:
        self._cache = cache

    def on_operation(self) -> Iterator[None]:
        context = self.execution_context
        query = context.query
        if context.graphql_document is None and query:
            try:
                context.graphql_document = self._cache.parse(query)
            except GraphQLError:
                # Not cached: Strawberry parses it again, with the same limit, and reports it.
                context.parse_options["max_tokens"] = self._cache.max_tokens
            else:
                context.pre_execution_errors = self._cache.validate(context.schema._schema, query)
        if context.pre_execution_errors is None:  # a document from elsewhere: validated as usual
            context.validation_rules = self._cache.rules
        yield
        result = context.result
        errors = getattr(result, "errors", None)
        if errors and any(is_unexpected(e) for e in errors):
            result.errors = [  # type: ignore[union-attr]
                _MASK.anonymise_error(e) if is_unexpected(e) else e for e in errors
            ]


_MASK = MaskUnexpectedErrors()


def validation_rules(
    settings: GraphQLSettings, *, introspection: bool
) -> list[type[ASTValidationRule]]:
    """The rules beyond the standard ones, built once per schema and shared by every request."""
    rules: list[type[ASTValidationRule]] = [
        depth_limit(settings.max_depth),
        alias_limit(settings.max_aliases),
        NoNestedConnections,
    ]
    if not introspection:
        rules.append(NoSchemaIntrospectionCustomRule)
    return rules


def schema_extensions(
    settings: GraphQLSettings, *, introspection: bool, cache: DocumentCache | None = None
) -> list[Any]:
    """Extension factories for a subgraph schema: the kernel's one, over a shared cache."""
    if cache is None:
        cache = document_cache(settings, introspection=introspection)
    return [
        partial(KernelExtension, cache),
        *([OperationSpan] if telemetry.enabled() else []),
    ]


class OperationSpan(SchemaExtension):
    """A trace span per GraphQL operation, named by its type and name (tracing on only)."""

    def on_operation(self) -> Iterator[None]:
        with telemetry.graphql_operation(self._describe):
            yield

    def _describe(self) -> tuple[str | None, str | None]:
        context = self.execution_context
        try:
            kind: str | None = context.operation_type.value
        except Exception:  # no document (it did not parse), or no such operation
            kind = None
        return kind, context.operation_name


def document_cache(settings: GraphQLSettings, *, introspection: bool) -> DocumentCache:
    return DocumentCache(
        validation_rules(settings, introspection=introspection),
        max_tokens=settings.max_tokens,
        maxsize=settings.document_cache_size,
    )


def build_federated_schema(
    *,
    query: type,
    mutation: type | None = None,
    subscription: type | None = None,
    types: Sequence[type] = (),
    settings: GraphQLSettings | None = None,
    introspection: bool = True,
    extra_extensions: Iterable[type[SchemaExtension] | Callable[[], SchemaExtension]] = (),
) -> SubgraphSchema:
    """A Federation 2 schema with the kernel's limits, caches and error masking."""
    settings = settings or GraphQLSettings()
    cache = document_cache(settings, introspection=introspection)
    schema = SubgraphSchema(
        query=query,
        mutation=mutation,
        subscription=subscription,
        types=types,
        extensions=[
            *schema_extensions(settings, introspection=introspection, cache=cache),
            *extra_extensions,
        ],
    )
    schema.document_cache = cache
    return schema


class BuildSchema(Protocol):
    """A subgraph's `transport.schema.build_schema`."""

    def __call__(
        self, settings: GraphQLSettings | None = None, *, introspection: bool = True
    ) -> SubgraphSchema: ...


def schema_builder(
    *,
    query: type,
    mutation: type | None = None,
    subscription: type | None = None,
    types: Sequence[type] = (),
) -> BuildSchema:
    """A subgraph's `build_schema` over its root types (and the types only entities reach)."""

    build = partial(
        build_federated_schema, query=query, mutation=mutation, subscription=subscription
    )

    def build_schema(
        settings: GraphQLSettings | None = None, *, introspection: bool = True
    ) -> SubgraphSchema:
        return build(types=types, settings=settings, introspection=introspection)

    return build_schema
