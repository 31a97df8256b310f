"""Shared helpers: small, fast runs on the tiny world, cached per set of overrides, and the
commands' ``main(argv)`` called in-process."""
from __future__ import annotations

import contextlib
import dataclasses
import functools
import io
import logging
import os
import sys
import tomllib
from collections.abc import Callable
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


@dataclasses.dataclass
class Invoked:
    """What a command did in-process: the fields of ``subprocess.CompletedProcess`` the tests read."""
    returncode: int
    stdout: str
    stderr: str


def invoke(main: Callable[[list[str]], None], *argv: str, cwd: str | Path | None = None) -> Invoked:
    """Call a console command's ``main(argv)`` in this process, as its script would run it in ``cwd``.

    Its exit status is the code of the ``SystemExit`` it ends with (0 if it returns) and its output is
    what it printed.  A process is only needed for what only a process shows (an entry point, a
    signal, a fresh interpreter); the rest is tested here, without ~2 s of imports per call.  Hydra
    apps are fine in-process (:func:`simspam.config.compose` clears Hydra's global state before each
    composition); what a run changes in the process -- the working directory, ``sys.argv`` (set by
    ``simspam.cli``) and the root logger (Hydra's job logging) -- is put back afterwards, so this works
    in module-scoped fixtures too.  Output a child process writes (``simspam-design``'s sweep) is not
    in ``stdout``/``stderr``."""
    out, err = io.StringIO(), io.StringIO()
    root = logging.getLogger()
    handlers, level, argv0, here = root.handlers[:], root.level, sys.argv, os.getcwd()
    try:
        if cwd is not None:
            os.chdir(cwd)
        sys.argv = [getattr(main, "__module__", "main"), *argv]
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            try:
                main(list(argv))
                code = 0
            except SystemExit as exc:
                code = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
    finally:
        for handler in root.handlers:
            if handler not in handlers:
                handler.close()
        root.handlers[:] = handlers
        root.setLevel(level)
        sys.argv = argv0
        os.chdir(here)
    return Invoked(code, out.getvalue(), err.getvalue())


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
