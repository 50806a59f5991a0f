"""SMS through Twilio (`SMS_PROVIDER=twilio`): the official SDK's Messages API, asynchronously.

Each message is created with a status callback URL,
`<PUBLIC_BASE_URL>/webhooks/twilio/status?n=<notification id>`: Twilio posts
the message's status there, signed with the auth token over that URL, and
the subgraph records DELIVERED or FAILED (transport/webhooks.py). The
receipt is Twilio's message SID.

Failures: Twilio's 429 and 5xx, no answer in `SMS_TWILIO_TIMEOUT_SECONDS`
and connection errors are temporary, and so are 401/403 (our credentials,
not the message); a refused recipient (invalid, unreachable or unsubscribed
number) is permanent `recipient_refused`, any other 4xx permanent
`message_rejected`. Like SMTP, a message whose answer was lost (a time-out
after Twilio took it) is sent again on the next attempt: SMS has no
Message-ID for the phone to drop the second one.

The account SID, auth token and sender number are secrets: never logged,
and the SDK's own request log (which shows the account's URL) is kept at
WARNING.
"""

from __future__ import annotations

import asyncio
import logging
from urllib.parse import quote

import aiohttp
from twilio.base.exceptions import TwilioException, TwilioRestException
from twilio.http.async_http_client import AsyncTwilioHttpClient
from twilio.rest import Client

from subgraphs.kernel.observability import telemetry
from subgraphs.notifications.domain.notification import FailureReason
from subgraphs.notifications.settings import SmsSettings
from subgraphs.notifications.usecase.ports import (
    OutgoingMessage,
    PermanentFailure,
    TemporaryFailure,
)

# Twilio error codes that refuse the recipient: invalid 'To', not a mobile number, the
# recipient unsubscribed (STOP), a region not enabled, an unreachable handset.
RECIPIENT_CODES = frozenset({21211, 21214, 21408, 21610, 21612, 21614})

_sdk_log = logging.getLogger("twilio.async_http_client")
_sdk_log.setLevel(logging.WARNING)


def status_callback(settings: SmsSettings, notification_id: str) -> str:
    """The status callback URL of one notification (what Twilio signs its callbacks over)."""
    return f"{settings.status_callback_url}?n={quote(notification_id, safe='')}"


def _secret(value: object) -> str:
    get = getattr(value, "get_secret_value", None)
    return str(get()) if get else ""


class TwilioSmsChannel:
    """The SMS `ChannelSender` on Twilio; also the worker resource that owns its HTTP session."""

    name = "twilio"
    critical = False

    def __init__(self, settings: SmsSettings) -> None:
        self._settings = settings
        self._http: AsyncTwilioHttpClient | None = None
        self._client: Client | None = None

    async def start(self) -> None:
        s = self._settings
        # The session is made here, inside the running loop (aiohttp wants one).
        self._http = AsyncTwilioHttpClient(logger=_sdk_log)
        client = Client(
            _secret(s.twilio_account_sid), _secret(s.twilio_auth_token), http_client=self._http
        )
        client.api.base_url = s.twilio_api_url.rstrip("/")
        self._client = client

    async def ping(self) -> None:
        pass

    async def close(self) -> None:
        if self._http is not None:
            await self._http.close()
            self._http = None

    @telemetry.traced("sms send", client=True, attributes={"messaging.system": "twilio"})
    async def send(self, message: OutgoingMessage) -> str:
        if self._client is None:
            raise TemporaryFailure("twilio client not started")
        s = self._settings
        try:
            async with asyncio.timeout(s.twilio_timeout_seconds):
                created = await self._client.messages.create_async(
                    to=message.to,
                    from_=_secret(s.twilio_from_number),
                    body=message.text,
                    status_callback=status_callback(s, message.key),
                )
        except TwilioRestException as exc:
            detail = f"twilio {exc.status} error {exc.code}: {exc.msg}"
            if exc.status == 429 or exc.status >= 500 or exc.status in (401, 403):
                raise TemporaryFailure(detail, FailureReason.GAVE_UP) from exc
            if exc.code in RECIPIENT_CODES:
                raise PermanentFailure(detail, FailureReason.RECIPIENT_REFUSED) from exc
            raise PermanentFailure(detail, FailureReason.MESSAGE_REJECTED) from exc
        except (TwilioException, aiohttp.ClientError, OSError, TimeoutError) as exc:
            raise TemporaryFailure(
                f"twilio unavailable: {type(exc).__name__}: {exc}", FailureReason.GAVE_UP
            ) from exc
        return str(created.sid)
