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

Connections are kept (`SmtpConnections`): up to `SMTP_POOL_SIZE` open at once,
each carrying one mail at a time, so the worker's concurrent jobs send side
by side without paying a connect, EHLO (and TLS and login) for every mail. A
kept connection the server dropped (idle limit, restart) is found closed
before use and replaced; one that drops during a send is replaced and the
mail sent once more on the new one at once, with the same Message-ID (if the
drop came after the server took the message, the receiver sees the same
message twice and de-duplicates it: the window the README describes). Any
other failure closes the connection it happened on. `close()` (worker
shutdown) closes the kept ones; one in use is closed when its send ends.
"""

from __future__ import annotations

import asyncio
import re
import time
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


class SmtpConnections:
    """SMTP connections kept open for reuse, at most `pool_size` in use at once (0: a new
    connection for every mail, closed after it)."""

    def __init__(self, settings: SmtpSettings) -> None:
        self._settings = settings
        self._idle: list[tuple[aiosmtplib.SMTP, float]] = []  # newest last, with when kept
        self._slots = asyncio.Semaphore(max(settings.pool_size, 1))
        self._closed = False

    async def send(self, email: EmailMessage) -> None:
        if self._settings.pool_size == 0:
            async with self._client() as client:
                await client.send_message(email)
            return
        async with self._slots:
            kept = self._take()
            if kept is not None:
                try:
                    await kept.send_message(email)
                except (aiosmtplib.SMTPServerDisconnected, ConnectionResetError, BrokenPipeError):
                    kept.close()  # dropped under us: once more on a new connection
                except BaseException as exc:
                    self._after_failure(kept, exc)
                    raise
                else:
                    self._keep(kept)
                    return
            client = await self._open()
            try:
                await client.send_message(email)
            except BaseException as exc:
                self._after_failure(client, exc)
                raise
            self._keep(client)

    async def close(self) -> None:
        """Close the kept connections (QUIT, then the socket); later sends keep none."""
        self._closed = True
        idle, self._idle = self._idle, []
        for client, _ in idle:
            try:
                await client.quit(timeout=1)
            except (aiosmtplib.SMTPException, OSError, TimeoutError):
                client.close()

    def _client(self) -> aiosmtplib.SMTP:
        s = self._settings
        return aiosmtplib.SMTP(
            hostname=s.host,
            port=s.port,
            username=s.username,
            password=s.password.get_secret_value() if s.password else None,
            use_tls=s.tls == "tls",
            start_tls=s.tls == "starttls",
            timeout=s.timeout_seconds,
        )

    async def _open(self) -> aiosmtplib.SMTP:
        client = self._client()
        await client.connect()
        return client

    def _take(self) -> aiosmtplib.SMTP | None:
        """The most recently kept connection still open and not idle too long, or None."""
        oldest = time.monotonic() - self._settings.pool_idle_seconds
        while self._idle:
            client, kept_at = self._idle.pop()
            if client.is_connected and kept_at >= oldest:
                return client
            client.close()
        return None

    def _keep(self, client: aiosmtplib.SMTP) -> None:
        if self._closed or not client.is_connected:
            client.close()
        else:
            self._idle.append((client, time.monotonic()))

    def _after_failure(self, client: aiosmtplib.SMTP, exc: BaseException) -> None:
        """A refusal leaves the connection usable (the transaction was reset); anything else
        (a drop, a time-out, a cancellation, `421` closing) closes it."""
        answered = isinstance(exc, aiosmtplib.SMTPRecipientsRefused) or (
            isinstance(exc, aiosmtplib.SMTPResponseException)
            and exc.code != 421
            and not isinstance(exc, aiosmtplib.SMTPAuthenticationError)
        )
        if answered:
            self._keep(client)
        else:
            client.close()


class SmtpEmailChannel:
    """The email `ChannelSender`; also the worker resource that closes its connections."""

    name = "smtp"
    critical = False

    def __init__(self, settings: SmtpSettings, connections: SmtpConnections | None = None) -> None:
        self._settings = settings
        self.connections = connections or SmtpConnections(settings)

    async def start(self) -> None:
        pass

    async def ping(self) -> None:
        pass

    async def close(self) -> None:
        await self.connections.close()

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
        try:
            await self.connections.send(email)
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
