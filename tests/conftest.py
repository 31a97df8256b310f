"""Shared helpers: small, fast runs on the tiny world, cached per set of overrides."""
from __future__ import annotations

import functools
import tomllib
from html.parser import HTMLParser
from pathlib import Path

import pytest

import simspam

ROOT = Path(__file__).resolve().parents[1]
TINY = ["world=tiny", "params.spammers.n_initial=300", "params.spammers.max_spammers=900"]


@functools.lru_cache(maxsize=64)
def _run(overrides: tuple[str, ...]):
    return simspam.simulate(simspam.compose(list(overrides)), command="pytest")


def run(*overrides: str, tiny: bool = True, years: float = 2.0):
    """Simulate (cached) on the tiny world; returns a Result.  Do not mutate its tables."""
    base = (TINY if tiny else []) + [f"years={years}"]
    return _run(tuple(base + list(overrides)))


def console_scripts() -> dict[str, str]:
    """The commands pyproject.toml declares, name -> 'module:function'."""
    return tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]["scripts"]


@pytest.fixture
def tiny_run():
    return run


class _Collector(HTMLParser):
    """Collect tags with their attributes and the text of each <script> (report tests)."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict]] = []
        self.scripts: list[str] = []
        self._in_script = False

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))
        if tag == "script":
            self._in_script = True
            self.scripts.append("")

    def handle_endtag(self, tag):
        if tag == "script":
            self._in_script = False

    def handle_data(self, data):
        if self._in_script:
            self.scripts[-1] += data


def parse_html(page: str) -> _Collector:
    c = _Collector()
    c.feed(page)
    c.close()
    return c
