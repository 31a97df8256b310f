"""User-facing errors.

Bad input must produce exactly one clear line that names the offending key and
what is allowed, and exit code 2 (the convention of argparse and most Unix tools
for usage errors).  Everything the builder rejects is raised as ``ConfigError``;
the command line turns it into that line, the Python API lets it propagate.
"""
from __future__ import annotations

EXIT_BAD_INPUT = 2


class ConfigError(ValueError):
    """Invalid configuration: ``key`` is the dotted path, ``allowed`` says what would be valid."""

    def __init__(self, key: str, problem: str, allowed: str | None = None):
        self.key = key
        self.problem = problem
        self.allowed = allowed
        text = f"{key}: {problem}"
        if allowed:
            text += f" (allowed: {allowed})"
        super().__init__(text)

    def one_line(self) -> str:
        return "simspam: error: " + " ".join(str(self).split())
