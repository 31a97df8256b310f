"""User-facing errors.

Bad input must produce exactly one clear line that names the offending key and
what is allowed, and exit code 2 (the convention of argparse and most Unix tools
for usage errors).  Everything the builder rejects is raised as ``ConfigError``;
the command line turns it into that line, the Python API lets it propagate.
"""
from __future__ import annotations

import argparse
import functools
import os
import sys
from collections.abc import Callable

EXIT_BAD_INPUT = 2


class ConfigError(ValueError):
    """Invalid configuration: ``key`` is the dotted path, ``allowed`` says what would be valid and
    ``suggestion`` is the closest valid spelling of what was written (a key in the same dotted
    form as ``key``, or a name: a scenario, an option, a lever type, a country), if one is close.

    One line: ``KEY: PROBLEM (did you mean 'SUGGESTION'? allowed: ALLOWED)``; both notes are
    optional.  :mod:`simspam.config.check` raises almost all of them."""

    def __init__(self, key: str, problem: str, allowed: str | None = None, suggestion: str | None = None):
        self.key = key
        self.problem = problem
        self.allowed = allowed
        self.suggestion = suggestion
        notes = []
        if suggestion:
            notes.append(f"did you mean {suggestion!r}?")
        if allowed:
            notes.append(f"allowed: {allowed}")
        text = f"{key}: {problem}"
        if notes:
            text += f" ({' '.join(notes)})"
        super().__init__(text)

    def __reduce__(self):   # picklable across worker processes despite the extra arguments
        return (type(self), (self.key, self.problem, self.allowed, self.suggestion))

    def one_line(self) -> str:
        return "simspam: error: " + " ".join(str(self).split())


class ArgumentParser(argparse.ArgumentParser):
    """argparse with the project's rule for bad input: one line naming the problem, exit code 2,
    nothing written (argparse's own error prints the usage first, on lines of its own)."""

    def error(self, message: str):
        print(f"{self.prog}: error: {' '.join(message.split())} (see {self.prog} --help)", file=sys.stderr)
        raise SystemExit(EXIT_BAD_INPUT)


def quiet_on_closed_pipe(main: Callable[..., None]) -> Callable[..., None]:
    """Let a command's output be piped into ``head`` or ``less`` and cut short without a
    traceback.  A reader that closes the pipe early is not an error of the command (every file
    it writes is already complete: writes are atomic), so it ends quietly, as ``ls | head``
    does.  Python's documented recipe: point stdout at /dev/null so the interpreter's final
    flush does not raise again, and exit with 1 (the convention for a truncated pipeline)."""

    @functools.wraps(main)
    def wrapper(*args, **kwargs):
        try:
            result = main(*args, **kwargs)
            sys.stdout.flush()   # a piped stdout is block-buffered: the reader's close shows here
            return result
        except BrokenPipeError:
            devnull = os.open(os.devnull, os.O_WRONLY)
            os.dup2(devnull, sys.stdout.fileno())
            raise SystemExit(1) from None

    return wrapper
