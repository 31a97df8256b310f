"""A real browser for the report and dashboard tests: Debian's headless chromium driven by playwright.

Why playwright-core's Python package and not its own browser download: CI has no network beyond the
package registries, so the browser comes from apt (`.ci/run` installs `chromium`) and playwright is only
the driver.  Every page is opened in a context that cannot reach the network (``offline=True`` plus a
route that aborts anything not ``file://`` or loopback), so a figure that silently fetched an asset from
a CDN would come up empty and fail the test.

Screenshots go to ``tests/artifacts/`` (or ``$SIMSPAM_TEST_ARTIFACTS``), which CI may keep as artefacts.  The
folder carries its own ``.gitignore`` so screenshots are never committed, and pytest does not recurse into
it (``norecursedirs`` in pyproject.toml).
"""
from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

CHROMIUM = os.environ.get("SIMSPAM_CHROMIUM") or shutil.which("chromium") or "/usr/bin/chromium"
ARTIFACTS = Path(os.environ.get("SIMSPAM_TEST_ARTIFACTS") or Path(__file__).resolve().parents[1] / "artifacts")
CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
    "--disable-dev-shm-usage",
    # Below the route guard, a second wall: anything that escaped routing (a service worker, a
    # prefetch) goes to a proxy on the discard port and fails.  Loopback never uses a proxy.
    "--proxy-server=127.0.0.1:9",
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

    def screenshot(self, name: str, *, full_page: bool = True) -> Path:
        """Save the page as ``ARTIFACTS/<name>.png`` (the whole page unless ``full_page=False``)."""
        path = artifacts_dir() / f"{name}.png"
        self.page.screenshot(path=str(path), full_page=full_page)
        return path


def artifacts_dir() -> Path:
    """The screenshot folder, created with a ``.gitignore`` of ``*`` so its contents stay out of git."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    ignore = ARTIFACTS / ".gitignore"
    if not ignore.exists():
        ignore.write_text("# screenshots written by tests/browser; kept as CI artefacts, never committed\n*\n")
    return ARTIFACTS


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
