"""The web apps in Debian's Chromium, driven by Playwright, through the shared e2e stack.

The apps are the built `storefront/dist` and `backoffice/dist` (the Makefile builds
them before the tests), served by `tools.storefront_server` at `storefront_origin`
and `backoffice_origin`, which the shared gateway allows for CORS. Playwright's own
browser download cannot work on these machines: the tests launch /usr/bin/chromium
(`make` installs the `chromium` package). On failure every open page is saved as a screenshot under
`.run/browser/`.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Generator, Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import httpx
import pytest
from playwright.sync_api import (
    Browser,
    BrowserContext,
    Page,
    Playwright,
    ViewportSize,
    sync_playwright,
)

from subgraphs.kernel.core.access import Scope
from testkit.tokens import mint_access_token
from tools.storefront_server import BACKOFFICE_DIST, DIST, storefront_process

ROOT = Path(__file__).resolve().parents[3]
CHROMIUM = Path(os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium"))
# Without the background-networking flags Chromium keeps trying hosts this machine cannot reach.
CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
FAILURE_SHOTS = ROOT / ".run" / "browser"
AXE = ROOT / "storefront" / "node_modules" / "axe-core" / "axe.min.js"
PHONE: ViewportSize = {"width": 375, "height": 740}
DESKTOP: ViewportSize = {"width": 1280, "height": 860}


FAILED = pytest.StashKey[bool]()


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_makereport(
    item: pytest.Item, call: pytest.CallInfo[None]
) -> Generator[None, pytest.TestReport, pytest.TestReport]:
    report = yield
    if report.when == "call":
        item.stash[FAILED] = report.failed
    return report


@pytest.fixture(scope="session")
def storefront_url(storefront_origin: str, gateway_url: str, run_dir: Path) -> Iterator[str]:
    """The built app, served for the shared gateway."""
    if not (DIST / "index.html").is_file():
        pytest.fail("storefront/dist is missing: `make test` builds it (make storefront)")
    port = urlsplit(storefront_origin).port
    assert port is not None
    with storefront_process(port, gateway_url=f"{gateway_url}/graphql", log_dir=run_dir):
        yield storefront_origin


@pytest.fixture(scope="session")
def backoffice_url(backoffice_origin: str, gateway_url: str, run_dir: Path) -> Iterator[str]:
    """The built back office, served for the shared gateway."""
    if not (BACKOFFICE_DIST / "index.html").is_file():
        pytest.fail("backoffice/dist is missing: `make test` builds it (make backoffice)")
    port = urlsplit(backoffice_origin).port
    assert port is not None
    with storefront_process(
        port,
        gateway_url=f"{gateway_url}/graphql",
        log_dir=run_dir,
        name="backoffice",
        dist=BACKOFFICE_DIST,
    ):
        yield backoffice_origin


# Module scope, not session: while Playwright's sync API runs, its event loop is the thread's
# running loop, and pytest-asyncio cannot run the async tests that come after these.
@pytest.fixture(scope="module")
def playwright() -> Iterator[Playwright]:
    with sync_playwright() as driver:
        yield driver


@pytest.fixture(scope="module")
def browser(playwright: Playwright) -> Iterator[Browser]:
    if not CHROMIUM.exists():
        pytest.fail(f"{CHROMIUM} is missing: `make test` installs Debian's chromium")
    browser = playwright.chromium.launch(
        executable_path=str(CHROMIUM), args=CHROMIUM_FLAGS, headless=True
    )
    yield browser
    browser.close()


NewContext = Callable[..., BrowserContext]


@pytest.fixture
def new_context(
    browser: Browser, storefront_url: str, request: pytest.FixtureRequest
) -> Iterator[NewContext]:
    """`new_context(base_url=..., viewport=...)`: a fresh browser profile (own localStorage)."""
    contexts: list[BrowserContext] = []

    def make(**options: object) -> BrowserContext:
        options.setdefault("base_url", storefront_url)
        options.setdefault("viewport", DESKTOP)
        context = browser.new_context(**options)  # type: ignore[arg-type]
        context.set_default_timeout(30_000)
        contexts.append(context)
        return context

    yield make
    failed = request.node.stash.get(FAILED, False)
    name = re.sub(r"[^\w.-]+", "_", request.node.name)
    for index, context in enumerate(contexts):
        if failed:
            FAILURE_SHOTS.mkdir(parents=True, exist_ok=True)
            for number, page in enumerate(context.pages):
                page.screenshot(path=FAILURE_SHOTS / f"{name}-{index}-{number}.png", full_page=True)
        context.close()


@pytest.fixture
def page(new_context: NewContext) -> Page:
    return new_context().new_page()


StaffApi = Callable[[str, dict[str, Any]], dict[str, Any]]


@pytest.fixture
def staff_api(gateway_url: str, payments_url: str, users_signing_key: bytes) -> StaffApi:
    """A support member's GraphQL calls (a minted `refunds:decide` token) through the gateway,
    for what a test does behind the browsers' backs.

    A safelisting gateway (GATEWAY_PERSISTED_DOCUMENTS_ONLY=true) runs the apps' documents
    only: then they go to the payments subgraph, which checks the scope itself.
    """
    token = mint_access_token(users_signing_key, "staff-browser", scopes=[Scope.REFUNDS_DECIDE])
    safelisting = os.environ.get("GATEWAY_PERSISTED_DOCUMENTS_ONLY", "").lower() == "true"
    url = f"{payments_url}/graphql" if safelisting else f"{gateway_url}/graphql"

    def call(query: str, variables: dict[str, Any]) -> dict[str, Any]:
        response = httpx.post(
            url,
            json={"query": query, "variables": variables},
            headers={"authorization": f"Bearer {token}"},
            timeout=30,
        )
        body = response.json()
        assert "errors" not in body, body
        data: dict[str, Any] = body["data"]
        return data

    return call


def axe_violations(page: Page) -> list[dict[str, object]]:
    """Serious and critical axe-core violations of the page as it is now."""
    if not page.evaluate("() => typeof window.axe !== 'undefined'"):
        # Evaluated by the driver, not a <script>: the page's CSP stays as served.
        page.evaluate(AXE.read_text(encoding="utf-8") + "\n;undefined")
    results = page.evaluate(
        "async () => (await window.axe.run(document, {resultTypes: ['violations']})).violations"
        ".filter(v => v.impact === 'serious' || v.impact === 'critical')"
        ".map(v => ({id: v.id, impact: v.impact, help: v.help,"
        " nodes: v.nodes.slice(0, 3).map(n => n.target.join(' '))}))"
    )
    assert isinstance(results, list)
    return results


def scrolls_sideways(page: Page) -> bool:
    return bool(
        page.evaluate(
            "() => document.documentElement.scrollWidth > document.documentElement.clientWidth"
        )
    )
