"""Reading a user's notifications: page sizes are capped, and an empty page never says more."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from subgraphs.notifications.domain.notification import Channel, Kind, Notification, Status
from subgraphs.notifications.usecase.ports import Page, PageCursor
from subgraphs.notifications.usecase.read_notifications import MAX_PAGE, ReadNotifications
from testkit.notifications import Context, InMemoryNotifications


class CountingStore(InMemoryNotifications):
    def __init__(self) -> None:
        super().__init__()
        self.asked: list[int] = []

    async def page_for_user(self, user_id: str, first: int, after: PageCursor | None) -> Page:
        self.asked.append(first)
        return await super().page_for_user(user_id, first, after)


async def reader(count: int) -> tuple[ReadNotifications, CountingStore]:
    store = CountingStore()
    t0 = datetime(2026, 1, 1, tzinfo=UTC)
    for n in range(count):
        await store.create(
            Notification(
                id=f"e{n}:email",
                user_id="u-1",
                event_id=f"e{n}",
                channel=Channel.EMAIL,
                kind=Kind.WELCOME,
                subject="Welcome",
                status=Status.QUEUED,
                data={},
                created_at=t0 + timedelta(seconds=n),
            )
        )
    return Context(store=store).usecases.read, store


async def test_a_page_of_zero_is_empty_and_says_nothing_follows():
    read, store = await reader(3)
    page = await read.page_for_user("u-1", 0, None)
    assert page == Page([], has_next=False)
    assert store.asked == []


async def test_a_large_page_is_capped_at_the_maximum():
    read, store = await reader(MAX_PAGE + 5)
    page = await read.page_for_user("u-1", 10_000, None)
    assert len(page.notifications) == MAX_PAGE
    assert page.has_next
    assert store.asked == [MAX_PAGE]
