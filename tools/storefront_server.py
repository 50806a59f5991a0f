"""`python -m tools.storefront_server`: serves a built web app (`storefront/dist`).

What `make up` runs on http://localhost:3000 for the storefront and, with
`--dist backoffice/dist`, on http://localhost:3001 for the back office (both
apps read the same /config.json and need the same headers); what the browser
tests start on free ports. Production serves the same files from nginx
(`storefront/Dockerfile`, `backoffice/Dockerfile`) with the same headers.

- `GET /config.json`: the run-time configuration the app reads at start
  (`{"gatewayUrl", "subscriptions"}`), rendered from the settings below, so one
  build runs against any gateway.
- `GET /assets/*`: the hashed bundle files, cached for a year.
- any other path: a file of `dist/` if there is one, else `index.html` (the
  app routes on the client), never cached.
- `GET /health`: 200.

Every answer carries a strict Content-Security-Policy: scripts, styles and
images from this origin only (no inline script, no third-party origin), and
connections to this origin and the gateway's HTTP and WebSocket origins. In
production (`APP_ENV=production` or `--production`; served behind TLS) it also
carries Strict-Transport-Security (two years, subdomains included), so a
browser never again asks for the shop over plain HTTP; never in development,
where a browser would then refuse http://localhost.

Settings (flags override the environment): `STOREFRONT_GATEWAY_URL`
(default http://localhost:4000/graphql), `STOREFRONT_SUBSCRIPTIONS` (`ws` for
Hive Gateway, `http` for Apollo Router's multipart subscriptions),
`STOREFRONT_PORT` (3000), `STOREFRONT_HOST` (127.0.0.1).
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path
from urllib.parse import urlsplit

import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import FileResponse, JSONResponse, PlainTextResponse, Response
from starlette.routing import Route
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from tools.procs import ManagedProcess, http_ok

ROOT = Path(__file__).resolve().parents[1]
DIST = ROOT / "storefront" / "dist"
BACKOFFICE_DIST = ROOT / "backoffice" / "dist"
DEFAULT_GATEWAY_URL = "http://localhost:4000/graphql"
SUBSCRIPTION_TRANSPORTS = ("ws", "http")


def gateway_origins(gateway_url: str) -> tuple[str, str]:
    """The HTTP and WebSocket origins of a gateway URL (`http://h:p`, `ws://h:p`)."""
    parts = urlsplit(gateway_url)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise ValueError(f"gateway URL must be an absolute http(s) URL: {gateway_url!r}")
    ws = "wss" if parts.scheme == "https" else "ws"
    return f"{parts.scheme}://{parts.netloc}", f"{ws}://{parts.netloc}"


def content_security_policy(gateway_url: str) -> str:
    """The app's policy: this origin only, plus connections to the gateway."""
    http_origin, ws_origin = gateway_origins(gateway_url)
    directives = {
        "default-src": "'self'",
        "script-src": "'self'",
        "style-src": "'self'",
        "img-src": "'self' data:",
        "font-src": "'self'",
        "connect-src": f"'self' {http_origin} {ws_origin}",
        "object-src": "'none'",
        "base-uri": "'none'",
        "form-action": "'self'",
        "frame-ancestors": "'none'",
    }
    return "; ".join(f"{name} {value}" for name, value in directives.items())


HSTS = "max-age=63072000; includeSubDomains"


def security_headers(gateway_url: str, *, production: bool = False) -> dict[str, str]:
    headers = {
        "content-security-policy": content_security_policy(gateway_url),
        "x-content-type-options": "nosniff",
        "referrer-policy": "no-referrer",
        "x-frame-options": "DENY",
        "cross-origin-opener-policy": "same-origin",
    }
    if production:
        headers["strict-transport-security"] = HSTS
    return headers


def create_app(
    dist: Path, gateway_url: str, subscriptions: str = "ws", *, production: bool = False
) -> ASGIApp:
    if subscriptions not in SUBSCRIPTION_TRANSPORTS:
        raise ValueError(f"subscriptions must be one of {SUBSCRIPTION_TRANSPORTS}")
    dist = dist.resolve()
    index = dist / "index.html"
    if not index.is_file():
        raise FileNotFoundError(
            f"{index} is missing: build the app first (make storefront, make backoffice)"
        )
    headers = security_headers(gateway_url, production=production)
    config = {"gatewayUrl": gateway_url, "subscriptions": subscriptions}

    async def health(request: Request) -> Response:
        return PlainTextResponse("ok")

    async def config_json(request: Request) -> Response:
        return JSONResponse(config, headers={"cache-control": "no-store"})

    async def files(request: Request) -> Response:
        relative = request.path_params["path"]
        candidate = (dist / relative).resolve()
        if relative and candidate.is_file() and candidate.is_relative_to(dist):
            immutable = candidate.is_relative_to(dist / "assets")
            cache = "public, max-age=31536000, immutable" if immutable else "no-cache"
            return FileResponse(candidate, headers={"cache-control": cache})
        if relative.startswith("assets/"):
            return PlainTextResponse("not found", status_code=404)
        return FileResponse(index, headers={"cache-control": "no-cache"})

    app = Starlette(
        routes=[
            Route("/health", health),
            Route("/config.json", config_json),
            Route("/{path:path}", files, methods=["GET", "HEAD"]),
        ]
    )
    return WithHeaders(app, headers)


class WithHeaders:
    """ASGI middleware: `headers` on every HTTP response (404s and errors included)."""

    def __init__(self, app: ASGIApp, headers: dict[str, str]) -> None:
        self.app = app
        self.raw = [(name.encode(), value.encode()) for name, value in headers.items()]

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                message = {**message, "headers": [*message.get("headers", []), *self.raw]}
            await send(message)

        await self.app(scope, receive, send_with_headers)


def storefront_process(
    port: int,
    *,
    gateway_url: str,
    log_dir: Path,
    host: str = "127.0.0.1",
    subscriptions: str = "ws",
    name: str = "storefront",
    dist: Path = DIST,
) -> ManagedProcess:
    """This server of `dist` (the storefront's unless told) on `port` for `gateway_url`, ready
    when /health answers (not started yet)."""
    argv = [
        sys.executable, "-m", "tools.storefront_server",
        "--host", host,
        "--port", str(port),
        "--gateway-url", gateway_url,
        "--subscriptions", subscriptions,
        "--dist", str(dist),
    ]  # fmt: skip
    ready = f"http://127.0.0.1:{port}/health"
    return ManagedProcess(
        name,
        argv,
        cwd=ROOT,
        log_path=log_dir / f"{name}.log",
        ready=lambda: http_ok(ready),
        port=port,
        url=f"http://localhost:{port}",
    )


def main(argv: list[str] | None = None) -> int:
    env = os.environ
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--host", default=env.get("STOREFRONT_HOST", "127.0.0.1"))
    parser.add_argument("--port", type=int, default=int(env.get("STOREFRONT_PORT", "3000")))
    parser.add_argument("--dist", type=Path, default=DIST)
    parser.add_argument(
        "--gateway-url", default=env.get("STOREFRONT_GATEWAY_URL", DEFAULT_GATEWAY_URL)
    )
    parser.add_argument(
        "--subscriptions",
        choices=SUBSCRIPTION_TRANSPORTS,
        default=env.get("STOREFRONT_SUBSCRIPTIONS", "ws"),
    )
    parser.add_argument(
        "--production",
        action="store_true",
        default=env.get("APP_ENV", "").strip().lower() == "production",
        help="production headers (HSTS); default: APP_ENV=production",
    )
    args = parser.parse_args(argv)
    try:
        app = create_app(
            args.dist, args.gateway_url, args.subscriptions, production=args.production
        )
    except (FileNotFoundError, ValueError) as exc:
        print(f"storefront: {exc}", file=sys.stderr)
        return 2
    uvicorn.run(app, host=args.host, port=args.port, access_log=False, log_level="warning")
    return 0


if __name__ == "__main__":
    sys.exit(main())
