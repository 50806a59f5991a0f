"""`POST /webhooks/twilio/status`: Twilio's status callbacks of the SMS we sent.

Public through the gateway (router/edge/routes.ts) at
`<PUBLIC_BASE_URL>/webhooks/twilio/status?n=<notification id>`, the URL the
worker gave Twilio with the message. A callback is taken only if its
`X-Twilio-Signature` is Twilio's (the SDK's `RequestValidator`: HMAC-SHA1 of
that public URL and the sorted form fields, keyed with the auth token):
otherwise 403 and nothing is read or written. The URL checked is the public
one from settings, never the Host the request arrived with (the gateway's
internal address). A final status (delivered, undelivered, failed) is
recorded on the notification; the first wins and a replay changes nothing
(`RecordReport`). 204 either way, so Twilio does not retry what we have.
Without `SMS_PROVIDER=twilio` the route answers 404.
"""

from __future__ import annotations

import logging
from urllib.parse import parse_qsl

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route
from twilio.request_validator import RequestValidator

from subgraphs.notifications.settings import TWILIO_STATUS_PATH, SmsSettings
from subgraphs.notifications.usecase.record_report import RecordReport

log = logging.getLogger(__name__)

MAX_BODY = 16 * 1024  # a status callback is a few hundred bytes


def twilio_status_route(settings: SmsSettings, record: RecordReport) -> Route:
    token = settings.twilio_auth_token
    validator = (
        RequestValidator(token.get_secret_value())
        if settings.provider == "twilio" and token
        else None
    )

    async def status(request: Request) -> Response:
        if validator is None:
            return JSONResponse({"error": "no SMS provider reports here"}, status_code=404)
        body = await request.body()
        if len(body) > MAX_BODY:
            return JSONResponse({"error": "too large"}, status_code=413)
        params = dict(parse_qsl(body.decode("utf-8", errors="replace"), keep_blank_values=True))
        query = request.url.query
        url = f"{settings.status_callback_url}?{query}" if query else settings.status_callback_url
        signature = request.headers.get("x-twilio-signature", "")
        if not signature or not validator.validate(url, params, signature):
            log.warning("twilio callback with a bad signature refused", extra={"path": url})
            return JSONResponse({"error": "invalid signature"}, status_code=403)
        notification_id = request.query_params.get("n", "")
        provider_status = params.get("MessageStatus", "")
        if not notification_id or not provider_status:
            return JSONResponse({"error": "no notification or status"}, status_code=400)
        await record(
            notification_id,
            provider_status,
            params.get("MessageSid", ""),
            f"twilio error {params['ErrorCode']}" if params.get("ErrorCode") else "",
        )
        return Response(status_code=204)

    return Route(TWILIO_STATUS_PATH, status, methods=["POST"])
