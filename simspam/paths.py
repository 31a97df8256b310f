"""Where the project's data folders live, in a clone and in an installed wheel.

The repository keeps ``conf/``, ``scenarios/``, ``experiments/`` and ``dashboards/``
at its top level, where users edit them.  A wheel cannot install top-level folders,
so the build copies them into ``simspam/_bundled/`` (see ``pyproject.toml``).  Every
lookup goes through :func:`data_dir`, which prefers the bundled copy and falls back
to the checkout, so the same code works from a clone, an editable install and a wheel.
"""
from __future__ import annotations

from pathlib import Path

PACKAGE_DIR = Path(__file__).resolve().parent
_BUNDLED = PACKAGE_DIR / "_bundled"
_CHECKOUT = PACKAGE_DIR.parent


def data_dir(name: str) -> Path:
    """Return the folder ``name`` (``conf``, ``scenarios``, ...), bundled copy first."""
    for root in (_BUNDLED, _CHECKOUT):
        candidate = root / name
        if candidate.is_dir():
            return candidate
    raise FileNotFoundError(f"simspam data folder {name!r} not found in {_BUNDLED} or {_CHECKOUT}")


def conf_dir() -> Path:
    return data_dir("conf")


def scenarios_dir() -> Path:
    return data_dir("scenarios")
