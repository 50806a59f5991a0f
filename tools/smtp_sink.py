"""`python -m tools.smtp_sink`: a local SMTP server that keeps every message (dev and tests).

`make up` runs it so the notifications worker really sends mail (aiosmtpd,
dev group only). Each accepted message is written to `<maildir>/<received
ms>-<Message-ID>.eml`; a message whose Message-ID was stored before is
acknowledged but not stored again (counted as a duplicate), the way a
mailbox that de-duplicates on Message-ID shows a resend once.

HTTP (default :8025):
  GET    /health              200 once SMTP listens: messages held, SMTP
                              connections accepted, closed by QUIT, dropped
  GET    /messages[?to=addr]  JSON list, oldest first: id, message_id, from,
                              to, subject, received_at, file, duplicates
  GET    /messages/{id}       the raw message (.eml)
  DELETE /messages            forget every message (files included)
  PUT    /hold, DELETE /hold  hold the reply to DATA (after the message is
                              stored) until released: a crash test's
                              "accepted but never acknowledged"
  GET    /hold                whether it holds, and the client ports whose
                              reply to DATA waits (who is sending)
  PUT    /drop?every=N        drop the connection (no reply) at every Nth
  DELETE /drop                MAIL command from then on, before anything of
                              that message was taken: a server restarting or
                              timing its clients out mid-run; DELETE stops it

Recipients at `@reject.test` are refused with 550 (permanent), at
`@defer.test` with 451 (temporary). On start the sink reads the messages
already in `maildir`; duplicate counts start from zero.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import re
import sys
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email import message_from_bytes, policy
from pathlib import Path
from typing import Any, cast

import uvicorn
from aiosmtpd.smtp import SMTP, Envelope, Session
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse, Response
from starlette.routing import Route

log = logging.getLogger("smtp_sink")

_UNSAFE = re.compile(r"[^A-Za-z0-9._@+=-]")


@dataclass
class StoredMessage:
    id: str
    message_id: str
    sender: str
    to: list[str]
    subject: str
    received_at: str
    file: Path
    duplicates: int = 0

    def summary(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "message_id": self.message_id,
            "from": self.sender,
            "to": self.to,
            "subject": self.subject,
            "received_at": self.received_at,
            "file": str(self.file),
            "duplicates": self.duplicates,
        }


@dataclass
class Mailbox:
    """The messages in `maildir`, by Message-ID."""

    maildir: Path
    messages: dict[str, StoredMessage] = field(default_factory=dict)
    # Cleared by PUT /hold: replies to DATA wait until it is set again.
    released: asyncio.Event = field(default_factory=asyncio.Event)
    waiting: set[int] = field(default_factory=set)  # client ports whose DATA reply is held
    connections: int = 0  # SMTP connections accepted
    quits: int = 0  # ... and closed by the client's QUIT
    # PUT /drop: every `drop_every`th MAIL command (counted from then) drops its connection.
    drop_every: int = 0
    mail_commands: int = 0
    dropped: int = 0

    def __post_init__(self) -> None:
        self.released.set()

    def load(self) -> None:
        self.maildir.mkdir(parents=True, exist_ok=True)
        for path in sorted(self.maildir.glob("*.eml")):
            self._index(path.read_bytes(), path, received_at=None)

    def _index(self, raw: bytes, path: Path, received_at: str | None) -> StoredMessage:
        parsed = message_from_bytes(raw, policy=policy.default)
        message_id = " ".join(str(parsed.get("Message-ID") or f"<{path.stem}@smtp-sink>").split())
        stored = StoredMessage(
            id=path.stem,
            message_id=message_id,
            sender=str(parsed.get("From", "")),
            to=[str(a) for a in parsed.get_all("To", [])],
            subject=str(parsed.get("Subject", "")),
            received_at=received_at
            or datetime.fromtimestamp(path.stat().st_mtime, UTC).isoformat(),
            file=path,
        )
        self.messages[message_id] = stored
        return stored

    def accept(self, raw: bytes) -> StoredMessage:
        """Store `raw` unless its Message-ID is known; either way, the stored message."""
        parsed = message_from_bytes(raw, policy=policy.default)
        message_id = " ".join(str(parsed.get("Message-ID") or "").split())
        known = self.messages.get(message_id) if message_id else None
        if known is not None:
            known.duplicates += 1
            log.info("duplicate of %s not stored again", message_id)
            return known
        now = time.time()
        name = _UNSAFE.sub("_", message_id.strip("<>"))[:150] or "no-message-id"
        path = self.maildir / f"{int(now * 1000)}-{name}.eml"
        path.write_bytes(raw)
        return self._index(raw, path, datetime.fromtimestamp(now, UTC).isoformat())

    def clear(self) -> None:
        for stored in self.messages.values():
            stored.file.unlink(missing_ok=True)
        self.messages.clear()


class SinkHandler:
    """aiosmtpd handler hooks: refuse the test domains, store the rest."""

    def __init__(self, mailbox: Mailbox) -> None:
        self._mailbox = mailbox

    async def handle_RCPT(
        self,
        server: SMTP,
        session: Session,
        envelope: Envelope,
        address: str,
        rcpt_options: list[str],
    ) -> str:
        domain = address.rpartition("@")[2].lower()
        if domain == "reject.test":
            return "550 5.1.1 Mailbox unavailable (reject.test)"
        if domain == "defer.test":
            return "451 4.3.0 Try again later (defer.test)"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_MAIL(
        self,
        server: SMTP,
        session: Session,
        envelope: Envelope,
        address: str,
        mail_options: list[str],
    ) -> str:
        box = self._mailbox
        box.mail_commands += 1
        if box.drop_every and box.mail_commands % box.drop_every == 0 and server.transport:
            box.dropped += 1
            # Gone without a reply; nothing of this message taken. (uvloop's transports are
            # not asyncio.Transport subclasses, but have abort() all the same.)
            cast("asyncio.Transport", server.transport).abort()
            return "421 4.3.2 Connection dropped"
        envelope.mail_from = address
        envelope.mail_options.extend(mail_options)
        return "250 OK"

    async def handle_QUIT(self, server: SMTP, session: Session, envelope: Envelope) -> str:
        self._mailbox.quits += 1
        return "221 Bye"

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:
        raw = envelope.original_content or b""
        stored = self._mailbox.accept(raw)
        port = session.peer[1] if isinstance(session.peer, tuple) else 0
        self._mailbox.waiting.add(port)
        try:
            await self._mailbox.released.wait()
        finally:
            self._mailbox.waiting.discard(port)
        return f"250 OK stored as {stored.id}"


def create_app(maildir: Path, host: str, smtp_port: int) -> Starlette:
    mailbox = Mailbox(maildir)

    @asynccontextmanager
    async def lifespan(_: Starlette) -> AsyncIterator[None]:
        mailbox.load()
        loop = asyncio.get_running_loop()
        handler = SinkHandler(mailbox)

        def connection() -> SMTP:
            mailbox.connections += 1
            return SMTP(handler, hostname="smtp-sink", loop=loop)

        server = await loop.create_server(connection, host, smtp_port)
        log.info("smtp sink listening on %s:%d, messages in %s", host, smtp_port, maildir)
        try:
            yield
        finally:
            mailbox.released.set()
            server.close()
            await server.wait_closed()

    async def health(_: Request) -> Response:
        return JSONResponse(
            {
                "status": "ok",
                "messages": len(mailbox.messages),
                "connections": mailbox.connections,
                "quits": mailbox.quits,
                "dropped": mailbox.dropped,
            }
        )

    async def messages(request: Request) -> Response:
        to = request.query_params.get("to")
        found = sorted(mailbox.messages.values(), key=lambda m: (m.received_at, m.id))
        if to:
            found = [m for m in found if any(to.lower() in a.lower() for a in m.to)]
        return JSONResponse([m.summary() for m in found])

    async def message(request: Request) -> Response:
        wanted = request.path_params["id"]
        for stored in mailbox.messages.values():
            if stored.id == wanted:
                return PlainTextResponse(stored.file.read_text("utf-8", errors="replace"))
        return JSONResponse({"error": "no such message"}, status_code=404)

    async def clear(_: Request) -> Response:
        mailbox.clear()
        return Response(status_code=204)

    async def hold(request: Request) -> Response:
        if request.method == "PUT":
            mailbox.released.clear()
        elif request.method == "DELETE":
            mailbox.released.set()
        return JSONResponse(
            {"hold": not mailbox.released.is_set(), "waiting": sorted(mailbox.waiting)}
        )

    async def drop(request: Request) -> Response:
        every = request.query_params.get("every", "0") if request.method == "PUT" else "0"
        if not every.isdigit():
            return JSONResponse({"error": "every must be a whole number"}, status_code=400)
        mailbox.drop_every, mailbox.mail_commands = int(every), 0
        return JSONResponse({"every": mailbox.drop_every})

    return Starlette(
        routes=[
            Route("/health", health, methods=["GET"]),
            Route("/messages", messages, methods=["GET"]),
            Route("/messages", clear, methods=["DELETE"]),
            Route("/messages/{id}", message, methods=["GET"]),
            Route("/hold", hold, methods=["GET", "PUT", "DELETE"]),
            Route("/drop", drop, methods=["PUT", "DELETE"]),
        ],
        lifespan=lifespan,
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tools.smtp_sink", description=__doc__)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--smtp-port", type=int, default=1025)
    parser.add_argument("--http-port", type=int, default=8025)
    parser.add_argument("--maildir", type=Path, default=Path(".data/mail"))
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, stream=sys.stderr, format="%(asctime)s %(message)s")
    logging.getLogger("mail.log").setLevel(logging.WARNING)  # aiosmtpd logs every command
    app = create_app(args.maildir, args.host, args.smtp_port)
    uvicorn.run(app, host=args.host, port=args.http_port, log_level="warning", access_log=False)
    return 0


if __name__ == "__main__":
    sys.exit(main())
