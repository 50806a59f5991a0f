"""The email channel over SMTP (aiosmtplib).

Each message gets a Message-ID made from its key (the notification id), the
same on every attempt, so a resend after a crash is recognisable as the same
message (RFC 5322 receivers and our sink de-duplicate on it).

SMTP replies decide the failure kind: 4xx, timeouts and connection errors
are temporary (`smtp_unavailable` if they last); 5xx replies are permanent
(`recipient_refused` for a refused address, `message_rejected` otherwise).
An authentication failure counts as temporary: it is the sender's
configuration, not the message, that is wrong. The failure's text (server
replies, host names, addresses) is detail for the logs only.
"""

from __future__ import annotations

import re
from email.message import EmailMessage
from email.utils import formatdate

import aiosmtplib

from subgraphs.kernel.observability import telemetry
from subgraphs.notifications.domain.notification import FailureReason
from subgraphs.notifications.settings import SmtpSettings
from subgraphs.notifications.usecase.ports import (
    OutgoingMessage,
    PermanentFailure,
    TemporaryFailure,
)

_NOT_ATEXT = re.compile(r"[^A-Za-z0-9!#$%&'*+/=?^_`{|}~.-]")


def message_id(key: str, domain: str) -> str:
    """`<key@domain>`, with what a Message-ID cannot hold replaced by dots."""
    left = _NOT_ATEXT.sub(".", key).strip(".") or "message"
    return f"<{left}@{domain}>"


class SmtpEmailChannel:
    def __init__(self, settings: SmtpSettings) -> None:
        self._settings = settings

    def compose(self, message: OutgoingMessage) -> EmailMessage:
        email = EmailMessage()
        email["From"] = self._settings.sender
        email["To"] = message.to
        email["Subject"] = message.subject
        email["Date"] = formatdate(usegmt=True)
        email["Message-ID"] = message_id(message.key, self._settings.message_id_domain)
        email["X-Notification-Id"] = message.key
        email.set_content(message.text)
        return email

    @telemetry.traced("smtp send", client=True, attributes={"network.protocol.name": "smtp"})
    async def send(self, message: OutgoingMessage) -> str:
        email = self.compose(message)
        s = self._settings
        try:
            await aiosmtplib.send(
                email,
                hostname=s.host,
                port=s.port,
                username=s.username,
                password=s.password.get_secret_value() if s.password else None,
                use_tls=s.tls == "tls",
                start_tls=s.tls == "starttls",
                timeout=s.timeout_seconds,
            )
        except aiosmtplib.SMTPRecipientsRefused as exc:
            codes = [r.code for r in exc.recipients]
            detail = "; ".join(f"{r.code} {r.message}" for r in exc.recipients)
            if all(code >= 500 for code in codes):
                raise PermanentFailure(
                    f"recipient refused: {detail}", FailureReason.RECIPIENT_REFUSED
                ) from exc
            raise TemporaryFailure(
                f"recipient deferred: {detail}", FailureReason.SMTP_UNAVAILABLE
            ) from exc
        except aiosmtplib.SMTPAuthenticationError as exc:
            raise TemporaryFailure(
                f"smtp authentication failed: {exc.code}", FailureReason.SMTP_UNAVAILABLE
            ) from exc
        except aiosmtplib.SMTPResponseException as exc:
            detail = f"smtp {exc.code} {exc.message}"
            if exc.code >= 500:
                raise PermanentFailure(detail, FailureReason.MESSAGE_REJECTED) from exc
            raise TemporaryFailure(detail, FailureReason.SMTP_UNAVAILABLE) from exc
        except (aiosmtplib.SMTPException, OSError, TimeoutError) as exc:
            raise TemporaryFailure(
                f"smtp unavailable: {type(exc).__name__}: {exc}", FailureReason.SMTP_UNAVAILABLE
            ) from exc
        return str(email["Message-ID"])
