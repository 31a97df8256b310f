"""A real browser for the report and dashboard tests: Debian's headless chromium driven by playwright.

Why playwright-core's Python package and not its own browser download: CI has no network beyond the
package registries, so the browser comes from apt (`.ci/run` installs `chromium`) and playwright is only
the driver.  Every page is opened in a context that cannot reach the network (``offline=True`` plus a
route that aborts anything not ``file://`` or loopback), so a figure that silently fetched an asset from
a CDN would come up empty and fail the test.

Screenshots go to ``tests/artifacts/`` (ignored by git; CI may keep them as artefacts).
"""
from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

CHROMIUM = os.environ.get("SIMSPAM_CHROMIUM") or shutil.which("chromium") or "/usr/bin/chromium"
ARTIFACTS = Path(__file__).resolve().parents[1] / "artifacts"
CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
    "--disable-dev-shm-usage",
]


def _local(url: str) -> bool:
    return url.startswith(("file://", "data:", "blob:", "about:")) or url.startswith(
        ("http://127.0.0.1", "http://localhost", "ws://127.0.0.1"))


@pytest.fixture(scope="session")
def browser():
    """One headless chromium for the whole session (a cold start costs ~1 s)."""
    if not Path(CHROMIUM).exists():
        pytest.fail(f"chromium not found at {CHROMIUM}: run .ci/run (it installs Debian's chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        b = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield b
        b.close()


class PageProbe:
    """A page plus everything it logged and every request it tried to send off the machine."""

    def __init__(self, page):
        self.page = page
        self.console_errors: list[str] = []
        self.blocked: list[str] = []
        page.on("console", lambda m: m.type == "error" and self.console_errors.append(m.text))
        page.on("pageerror", lambda e: self.console_errors.append(f"pageerror: {e}"))

    def screenshot(self, name: str) -> Path:
        ARTIFACTS.mkdir(exist_ok=True)
        path = ARTIFACTS / f"{name}.png"
        self.page.screenshot(path=str(path), full_page=True)
        return path


@pytest.fixture
def offline_page(browser):
    """A fresh page whose context has no network: only file://, data: and loopback URLs load."""
    ctx = browser.new_context(viewport={"width": 1400, "height": 900})
    page = ctx.new_page()
    probe = PageProbe(page)

    def guard(route):
        if _local(route.request.url):
            route.continue_()
        else:
            probe.blocked.append(route.request.url)
            route.abort()

    ctx.route("**/*", guard)
    yield probe
    ctx.close()
