"""Acceptance: a real headless Chromium (the system's package, driven by Playwright) opens the documentation with
every request to anything but the server blocked, and finds the operations grouped by tag.

The screenshots are kept in ``test-artifacts/`` (ignored by git) for a person to look at.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path
from typing import Any

import httpx
import pytest
from playwright.async_api import Browser, Page, async_playwright
from served_app import ServedApp

WAIT_MS = 30_000  # only reached when the page is broken (then the test fails instead of hanging)


def _chromium() -> str:
    found = os.environ.get("CHROMIUM_PATH") or shutil.which("chromium") or shutil.which("chromium-browser")
    if not found:
        if os.environ.get("CI"):
            raise AssertionError("Chromium is missing: .ci/run installs the system package")
        pytest.skip("no system Chromium (apt-get install chromium)")
    return found


class OfflinePage:
    """A page whose requests reach the server only; everything else is aborted and recorded."""

    def __init__(self, page: Page, origin: str) -> None:
        self.page = page
        self.origin = origin
        self.blocked: list[str] = []
        self.csp_violations: list[str] = []
        page.on("console", self._console)

    def _console(self, message: Any) -> None:
        if "Content Security Policy" in message.text or "Content-Security-Policy" in message.text:
            self.csp_violations.append(message.text)

    async def gate(self, route: Any) -> None:
        url = route.request.url
        if url.startswith(self.origin + "/") or url.startswith(("data:", "blob:")):
            await route.continue_()
        else:
            self.blocked.append(url)
            await route.abort("internetdisconnected")


async def _open(browser: Browser, served: ServedApp, path: str) -> OfflinePage:
    context = await browser.new_context(viewport={"width": 1280, "height": 2000})
    page = await context.new_page()
    offline = OfflinePage(page, served.url)
    await context.route("**/*", offline.gate)
    await page.goto(f"{served.url}{path}", wait_until="load")
    return offline


@pytest.fixture
async def browser() -> Any:
    async with async_playwright() as playwright:
        launched = await playwright.chromium.launch(executable_path=_chromium(), headless=True)
        try:
            yield launched
        finally:
            await launched.close()


async def test_swagger_ui_shows_every_operation_under_its_tag_offline(
    browser: Browser, served: ServedApp, artifacts: Path
) -> None:
    async with httpx.AsyncClient() as http:
        document = (await http.get(f"{served.url}/docs/openapi.json")).json()
    expected: dict[str, list[str]] = {}
    for path_item in document["paths"].values():
        for operation in path_item.values():
            if isinstance(operation, dict) and "operationId" in operation:
                expected.setdefault(operation["tags"][0], []).append(operation["operationId"])

    offline = await _open(browser, served, "/docs")
    page = offline.page
    await page.wait_for_selector(".opblock-tag-section", timeout=WAIT_MS)
    await page.wait_for_selector("#operations-tickets-listTickets", timeout=WAIT_MS)
    await page.screenshot(path=str(artifacts / "docs-swagger-ui.png"), full_page=False)

    shown_tags = await page.eval_on_selector_all("h3.opblock-tag", "els => els.map(e => e.dataset.tag)")
    assert sorted(shown_tags) == sorted(expected), shown_tags
    assert "default" not in shown_tags
    for tag, operation_ids in expected.items():
        section = page.locator(".opblock-tag-section", has=page.locator(f'h3[data-tag="{tag}"]'))
        ids = await section.locator(".opblock").evaluate_all("els => els.map(e => e.id)")
        assert sorted(ids) == sorted(f"operations-{tag}-{op}" for op in operation_ids), (tag, ids)
    assert offline.blocked == []
    assert offline.csp_violations == []


async def test_redoc_renders_the_tags_offline(browser: Browser, served: ServedApp, artifacts: Path) -> None:
    offline = await _open(browser, served, "/docs/redoc")
    page = offline.page
    await page.wait_for_selector('[data-item-id="tag/tickets"]', timeout=WAIT_MS)
    await page.wait_for_selector('[data-item-id="tag/tickets/operation/acceptTicket"]', state="attached")
    await page.screenshot(path=str(artifacts / "docs-redoc.png"), full_page=False)
    assert offline.blocked == []
    # ReDoc's "API docs by Redocly" badge points at its CDN: the policy refuses it before any request leaves, and
    # ReDoc removes the image when it fails to load. Anything else refused would be a broken page.
    assert [v for v in offline.csp_violations if "cdn.redoc.ly/redoc/logo-mini.svg" not in v] == []


def test_the_root_leads_to_the_docs(served: ServedApp) -> None:
    answer = httpx.get(f"{served.url}/", follow_redirects=False)
    assert answer.status_code in (302, 307)
    assert answer.headers["location"] == "/docs"
