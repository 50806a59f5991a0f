"""Notification preferences: defaults, partial updates, an empty update refused."""

from __future__ import annotations

import pytest

from subgraphs.kernel.core.errors import DomainError
from subgraphs.notifications.domain.notification import Channel, Preferences
from testkit.notifications import Context


def test_by_default_email_is_on_and_sms_off():
    defaults = Preferences()
    assert defaults.allows(Channel.EMAIL)
    assert not defaults.allows(Channel.SMS)


async def test_an_omitted_channel_stays_as_it_is():
    context = Context()
    store, clock, update = context.preferences, context.clock, context.usecases.update_preferences

    first = await update("u-1", email=None, sms=True)
    second = await update("u-1", email=False, sms=None)

    assert (first.email, first.sms) == (True, True)
    assert (second.email, second.sms, second.updated_at) == (False, True, clock.now)
    assert await store.get("u-1") == second
    assert await store.get("u-2") == Preferences()


async def test_an_update_that_changes_nothing_is_a_user_error():
    with pytest.raises(DomainError) as excinfo:
        await Context().usecases.update_preferences("u-1", email=None, sms=None)
    assert [p.code for p in excinfo.value.problems] == ["NOTHING_TO_UPDATE"]
