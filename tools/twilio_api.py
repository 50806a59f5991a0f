"""`python -m tools.twilio_api`: a local server answering Twilio's Messages API (tests only).

No stand-in for Twilio is published, so this is our own, written from
Twilio's public documentation, not Twilio's code: it answers what the
notifications worker asks of Twilio and signs status callbacks the way
Twilio documents it. It is not a model of Twilio (no queues, carriers,
pricing, rate limits, media, messaging services or other resources).

  POST /2010-04-01/Accounts/{AccountSid}/Messages.json
       HTTP Basic auth (account SID : auth token), form fields To, From, Body,
       StatusCallback. 201 with the documented message resource (sid `SM...`,
       status `queued`); 401 with error 20003 for other credentials; 400 with
       error 21602 without a Body, 21604 without To, 21211 for a To that is not
       E.164 or is Twilio's magic invalid number +15005550001, 21614 for its
       magic non-mobile number +15005550009 (Twilio's test-credential numbers).
       Then, if StatusCallback was given, it POSTs the status callbacks there
       one after the other: `sent`, then `delivered` (or `undelivered` with
       ErrorCode 30003 for a To ending in 0300), each form-encoded with
       MessageSid, SmsSid, AccountSid, From, To, MessageStatus, SmsStatus,
       ApiVersion, signed in X-Twilio-Signature as Twilio documents: HMAC-SHA1,
       keyed with the auth token, over the callback URL followed by every
       field's name and value in name order, base64.
  GET  /messages   JSON list of the messages taken, oldest first, each with the
                   form it came with and its callbacks (url, params,
                   signature, the answer's status)
  GET  /health     200
"""

from __future__ import annotations

import argparse
import base64
import hashlib
import hmac
import logging
import re
import secrets
import sys
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.utils import format_datetime
from typing import Any
from urllib.parse import parse_qsl

import httpx
import uvicorn
from starlette.applications import Starlette
from starlette.background import BackgroundTask
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

log = logging.getLogger("twilio_api")

API_VERSION = "2010-04-01"
E164 = re.compile(r"^\+[1-9]\d{6,14}$")
INVALID_NUMBER = "+15005550001"
NOT_MOBILE = "+15005550009"


def signature(auth_token: str, url: str, params: Mapping[str, str]) -> str:
    """X-Twilio-Signature as Twilio documents it: base64(HMAC-SHA1(token, url + k1v1k2v2...))."""
    payload = url + "".join(f"{k}{params[k]}" for k in sorted(params))
    digest = hmac.new(auth_token.encode(), payload.encode(), hashlib.sha1).digest()
    return base64.b64encode(digest).decode()


@dataclass
class Taken:
    resource: dict[str, Any]
    form: dict[str, str]
    callbacks: list[dict[str, Any]] = field(default_factory=list)


def _error(status: int, code: int, message: str) -> JSONResponse:
    return JSONResponse(
        {
            "code": code,
            "message": message,
            "more_info": f"https://www.twilio.com/docs/errors/{code}",
            "status": status,
        },
        status_code=status,
    )


def create_app(account_sid: str, auth_token: str) -> Starlette:
    taken: list[Taken] = []
    expected = "Basic " + base64.b64encode(f"{account_sid}:{auth_token}".encode()).decode()

    async def callbacks(message: Taken, url: str) -> None:
        resource = message.resource
        final = "undelivered" if resource["to"].endswith("0300") else "delivered"
        async with httpx.AsyncClient(timeout=5) as client:
            for step in ("sent", final):
                params = {
                    "MessageSid": resource["sid"],
                    "SmsSid": resource["sid"],
                    "AccountSid": account_sid,
                    "From": resource["from"],
                    "To": resource["to"],
                    "MessageStatus": step,
                    "SmsStatus": step,
                    "ApiVersion": API_VERSION,
                }
                if step == "undelivered":
                    params["ErrorCode"] = "30003"
                signed = signature(auth_token, url, params)
                record: dict[str, Any] = {"url": url, "params": params, "signature": signed}
                try:
                    answer = await client.post(
                        url, data=params, headers={"X-Twilio-Signature": signed}
                    )
                    record["answer"] = answer.status_code
                except httpx.HTTPError as exc:
                    record["answer"] = f"{type(exc).__name__}"
                message.callbacks.append(record)

    async def create(request: Request) -> Response:
        if request.path_params["sid"] != account_sid or request.headers.get("authorization") != (
            expected
        ):
            return _error(401, 20003, "Authenticate")
        form = dict(parse_qsl((await request.body()).decode(), keep_blank_values=True))
        to, body = form.get("To", ""), form.get("Body", "")
        if not to:
            return _error(400, 21604, "A 'To' phone number is required.")
        if not body:
            return _error(400, 21602, "Message body is required.")
        if not E164.match(to) or to == INVALID_NUMBER:
            return _error(400, 21211, f"The 'To' number {to} is not a valid phone number.")
        if to == NOT_MOBILE:
            return _error(400, 21614, f"'To' number {to} is not a mobile number")
        sid = "SM" + secrets.token_hex(16)
        now = format_datetime(datetime.now(UTC), usegmt=True)
        resource = {
            "account_sid": account_sid,
            "api_version": API_VERSION,
            "body": body,
            "date_created": now,
            "date_sent": None,
            "date_updated": now,
            "direction": "outbound-api",
            "error_code": None,
            "error_message": None,
            "from": form.get("From", ""),
            "messaging_service_sid": None,
            "num_media": "0",
            "num_segments": "1",
            "price": None,
            "price_unit": "USD",
            "sid": sid,
            "status": "queued",
            "subresource_uris": {
                "media": f"/{API_VERSION}/Accounts/{account_sid}/Messages/{sid}/Media.json"
            },
            "to": to,
            "uri": f"/{API_VERSION}/Accounts/{account_sid}/Messages/{sid}.json",
        }
        message = Taken(resource, form)
        taken.append(message)
        url = form.get("StatusCallback")
        task = BackgroundTask(callbacks, message, url) if url else None
        return JSONResponse(resource, status_code=201, background=task)

    async def messages(_: Request) -> Response:
        return JSONResponse(
            [{**m.resource, "form": m.form, "callbacks": m.callbacks} for m in taken]
        )

    async def health(_: Request) -> Response:
        return JSONResponse({"status": "ok", "messages": len(taken)})

    return Starlette(
        routes=[
            Route(f"/{API_VERSION}/Accounts/{{sid}}/Messages.json", create, methods=["POST"]),
            Route("/messages", messages, methods=["GET"]),
            Route("/health", health, methods=["GET"]),
        ]
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tools.twilio_api", description=__doc__)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8026)
    parser.add_argument("--account-sid", default="AC" + "0" * 32)
    parser.add_argument("--auth-token", default="local-twilio-token")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, stream=sys.stderr, format="%(asctime)s %(message)s")
    app = create_app(args.account_sid, args.auth_token)
    uvicorn.run(app, host=args.host, port=args.port, log_level="warning", access_log=False)
    return 0


if __name__ == "__main__":
    sys.exit(main())
