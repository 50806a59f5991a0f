"""The SMTP channel turns SMTP outcomes into failure kinds and client-safe categories."""

from __future__ import annotations

import aiosmtplib
import pytest

from subgraphs.notifications.channels.smtp_email import SmtpConnections, SmtpEmailChannel
from subgraphs.notifications.domain.notification import FailureReason
from subgraphs.notifications.settings import SmtpSettings
from subgraphs.notifications.usecase.ports import (
    OutgoingMessage,
    PermanentFailure,
    TemporaryFailure,
)

MESSAGE = OutgoingMessage("e-1:email", "ann@example.com", "Hi", "Text\n")


def refused(code: int) -> aiosmtplib.SMTPRecipientsRefused:
    return aiosmtplib.SMTPRecipientsRefused(
        [aiosmtplib.SMTPRecipientRefused(code, "mailbox at mx3.internal.example", "ann@x")]
    )


@pytest.mark.parametrize(
    ("error", "kind", "reason"),
    [
        (refused(550), PermanentFailure, FailureReason.RECIPIENT_REFUSED),
        (refused(451), TemporaryFailure, FailureReason.SMTP_UNAVAILABLE),
        (
            aiosmtplib.SMTPResponseException(554, "rejected by mx3.internal.example"),
            PermanentFailure,
            FailureReason.MESSAGE_REJECTED,
        ),
        (
            aiosmtplib.SMTPResponseException(421, "mx3.internal.example closing"),
            TemporaryFailure,
            FailureReason.SMTP_UNAVAILABLE,
        ),
        (
            aiosmtplib.SMTPAuthenticationError(535, "bad credentials"),
            TemporaryFailure,
            FailureReason.SMTP_UNAVAILABLE,
        ),
        (
            aiosmtplib.SMTPConnectError("Error connecting to 10.2.3.4 on port 25"),
            TemporaryFailure,
            FailureReason.SMTP_UNAVAILABLE,
        ),
        (
            ConnectionRefusedError(111, "Connect call failed ('10.2.3.4', 25)"),
            TemporaryFailure,
            FailureReason.SMTP_UNAVAILABLE,
        ),
    ],
)
async def test_smtp_outcomes_map_to_a_failure_kind_and_category(error, kind, reason):
    class Failing(SmtpConnections):
        async def send(self, email):
            raise error

    settings = SmtpSettings()
    with pytest.raises(kind) as raised:
        await SmtpEmailChannel(settings, Failing(settings)).send(MESSAGE)
    assert raised.value.reason is reason
    # The server's words stay in the detail (for the logs), not in the category.
    assert str(raised.value)
    assert reason.value not in str(raised.value)


def test_categories_are_a_short_fixed_set_and_old_free_text_reads_as_gave_up():
    assert {r.value for r in FailureReason} == {
        "recipient_refused",
        "message_rejected",
        "no_channel",
        "expired",
        "no_contact",
        "smtp_unavailable",
        "gave_up",
        "undelivered",
        "internal_error",
    }
    assert FailureReason.parse("recipient_refused") is FailureReason.RECIPIENT_REFUSED
    legacy = "gave up after 8 attempts: smtp unavailable: connect to 10.0.0.7 refused"
    assert FailureReason.parse(legacy) is FailureReason.GAVE_UP
