"""The notifications schema: the contract's names, the User and Order entities, SMTP message
ids."""

from __future__ import annotations

from datetime import UTC, datetime

from subgraphs.notifications.channels.smtp_email import SmtpEmailChannel, message_id
from subgraphs.notifications.domain.notification import Channel, Kind, Notification, Status
from subgraphs.notifications.settings import SmtpSettings
from subgraphs.notifications.transport.schema import build_schema
from subgraphs.notifications.transport.types import cursor_of, page_cursor
from subgraphs.notifications.usecase.ports import OutgoingMessage
from tests.unit.sdl import without_descriptions


def test_user_and_order_are_extended_with_notifications_and_preferences():
    sdl = without_descriptions(build_schema().as_str())
    assert 'type User @key(fields: "id")' in sdl
    assert 'type Order @key(fields: "id")' in sdl
    assert "notifications: [Notification!]! @listSize(assumedSize: 50)" in sdl
    assert "notifications(first: Int! = 10, after: String = null): NotificationConnection!" in sdl
    assert "notificationPreferences: NotificationPreferences!" in sdl
    assert "union _Entity = Order | User" in sdl
    assert (
        "updateNotificationPreferences(input: UpdateNotificationPreferencesInput!): "
        "UpdateNotificationPreferencesPayload!"
    ) in sdl


def test_notification_fields_follow_the_contract():
    sdl = without_descriptions(build_schema().as_str())
    for field in ("id: ID!", "channel: NotificationChannel!", "kind: NotificationKind!"):
        assert field in sdl
    for field in ("subject: String!", "status: NotificationStatus!", "createdAt: DateTime!"):
        assert field in sdl
    assert "sentAt: DateTime" in sdl
    assert "enum NotificationStatus {\n  QUEUED\n  SENT\n  DELIVERED\n  FAILED\n}" in sdl
    assert "enum NotificationChannel {\n  EMAIL\n  SMS\n}" in sdl


def test_a_message_id_is_the_same_for_every_attempt_and_well_formed():
    assert message_id("3f2a-9c:email", "n.example") == "<3f2a-9c.email@n.example>"
    assert message_id("a b<c>:sms", "n.example") == "<a.b.c..sms@n.example>"
    channel = SmtpEmailChannel(SmtpSettings(message_id_domain="n.example"))
    one = channel.compose(OutgoingMessage("e-1:email", "a@example.com", "Hi", "Text\n"))
    two = channel.compose(OutgoingMessage("e-1:email", "a@example.com", "Hi", "Text\n"))
    assert one["Message-ID"] == two["Message-ID"] == "<e-1.email@n.example>"
    assert one["X-Notification-Id"] == "e-1:email"


def test_cursors_round_trip():
    n = Notification(
        id="e:email",
        user_id="u",
        event_id="e",
        channel=Channel.EMAIL,
        kind=Kind.WELCOME,
        subject="s",
        status=Status.SENT,
        data={},
        created_at=datetime(2026, 1, 1, tzinfo=UTC),
    )
    cursor = page_cursor(cursor_of(n))
    assert (cursor.id, cursor.created_ms) == ("e:email", 1767225600000)
