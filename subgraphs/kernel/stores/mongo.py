"""MongoDB helpers shared by the subgraphs: Decimal codec, transactions, the unit of work."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from contextvars import ContextVar
from decimal import Decimal
from typing import Any, TypeVar

from bson.codec_options import CodecOptions, TypeCodec, TypeRegistry
from bson.decimal128 import Decimal128, create_decimal128_context
from pymongo import AsyncMongoClient
from pymongo.asynchronous.client_session import AsyncClientSession
from pymongo.asynchronous.database import AsyncDatabase
from pymongo.errors import DuplicateKeyError
from pymongo.read_concern import ReadConcern
from pymongo.write_concern import WriteConcern

from subgraphs.kernel.core.clock import Clock, utc_now
from subgraphs.kernel.core.events import DomainEvent, Recorded
from subgraphs.kernel.core.unit_of_work import Decided, Work
from subgraphs.kernel.messaging.inbox import Inbox
from subgraphs.kernel.messaging.outbox import Outbox

T = TypeVar("T")

_DECIMAL128 = create_decimal128_context()


class DecimalCodec(TypeCodec):
    """Python `Decimal` <-> BSON Decimal128, exactly (money is never a float)."""

    python_type = Decimal
    bson_type = Decimal128

    def transform_python(self, value: Decimal) -> Decimal128:
        with_context = _DECIMAL128.create_decimal(value)
        return Decimal128(with_context)

    def transform_bson(self, value: Decimal128) -> Decimal:
        return value.to_decimal()


CODEC_OPTIONS: CodecOptions[dict[str, Any]] = CodecOptions(
    tz_aware=True, type_registry=TypeRegistry([DecimalCodec()])
)


async def in_transaction(
    client: AsyncMongoClient[Any], work: Callable[[AsyncClientSession], Awaitable[T]]
) -> T:
    """Run `work(session)` in a transaction, retried on transient errors, committed once."""
    async with client.start_session() as session:
        result: T = await session.with_transaction(
            work,
            read_concern=ReadConcern("snapshot"),
            write_concern=WriteConcern("majority"),
        )
        return result


_session: ContextVar[AsyncClientSession | None] = ContextVar("mongo_session", default=None)


def session() -> AsyncClientSession | None:
    """The session of the unit of work running in this task, None outside one.

    Repositories pass it to every collection call (`session=session()`), so
    their writes join the transaction without opening one themselves.
    """
    return _session.get()


class _NothingWritten(Exception):
    """The work wrote nothing: abort the transaction, claim included."""


class _AppliedBefore(Exception):
    """The claim exists: the event was applied by an earlier unit of work."""


class MongoUnitOfWork:
    """The `UnitOfWork` port on MongoDB: one transaction for the work, its outbox events
    and the inbox claim; the relay is woken after the commit.

    A work with no events to save and no event to claim is a single write, atomic on its own:
    it runs without a transaction. `recorded`'s events are read once the work has run.
    """

    def __init__(
        self,
        db: AsyncDatabase[dict[str, Any]],
        producer: str,
        *,
        after_commit: Callable[[], None] = lambda: None,
        clock: Clock = utc_now,
    ) -> None:
        self._client = db.client
        self._producer = producer
        self._outbox = Outbox(db)
        self._inbox = Inbox(db, clock=clock)
        self._after_commit = after_commit

    async def ensure_indexes(self) -> None:
        await self._outbox.ensure_indexes()
        await self._inbox.ensure_indexes()

    async def applied(self, event_id: str) -> bool:
        return await self._inbox.seen(event_id)

    async def __call__(
        self, work: Work, *, recorded: Recorded | None = None, claim: str | None = None
    ) -> bool:
        decided_later = isinstance(recorded, Decided)
        if claim is None and not decided_later and (recorded is None or not recorded.events):
            return await work() is not False
        events: list[DomainEvent] = []
        before = list(recorded.events) if isinstance(recorded, Decided) else []

        async def in_session(s: AsyncClientSession) -> bool:  # retried on transient errors
            token = _session.set(s)
            if isinstance(recorded, Decided):
                recorded.events[:] = before  # what a failed try added is gone with it
            try:
                if claim is not None:
                    try:  # the first write: a duplicate aborts a transaction with nothing in it
                        await self._inbox.claim_first(claim, s)
                    except DuplicateKeyError:
                        raise _AppliedBefore from None
                if await work() is False:
                    raise _NothingWritten
                events[:] = recorded.events if recorded is not None else ()
                await self._outbox.add_in_order(
                    [(e.envelope(self._producer), e.sequence) for e in events], s
                )
                return True
            finally:
                _session.reset(token)

        try:
            committed = await in_transaction(self._client, in_session)
        except (_NothingWritten, _AppliedBefore):
            return False
        if committed and events:
            self._after_commit()
        return committed
