"""What a report is, as data: a :class:`Report` of headline :class:`Card` s, :class:`Section` s
of prose, figures and :class:`Table` s, and its :class:`Provenance`.

Why data and not HTML: the same report is rendered as an offline web page
(:mod:`simspam.report.html`) and exported figure by figure as slide images
(:mod:`simspam.report.images`), and each renderer decides how its output is escaped and laid
out.  The builders (:mod:`~simspam.report.run_report`, :mod:`~simspam.report.compare_report`,
:mod:`~simspam.report.sweep_report`, :mod:`~simspam.report.validation_report`) only decide what
is said: every string they put here is plain text -- never markup -- and table cells are
already formatted (:mod:`simspam.viz.units`).
"""
from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from ..viz import units

if TYPE_CHECKING:  # the model holds figures; only the renderers draw them
    import plotly.graph_objects as go

__all__ = ["Card", "Provenance", "Report", "Section", "Table"]


@dataclass(frozen=True)
class Card:
    """One headline number: ``value`` (a number, or text such as a scenario's name) in ``unit``
    (see :mod:`simspam.viz.units`), with an optional interval ``low`` to ``high`` (in the same
    unit, named by ``interval``) and a ``note``."""

    label: str
    value: object
    unit: str = ""
    low: float | None = None
    high: float | None = None
    interval: str = "90 % interval"
    note: str = ""

    @property
    def text(self) -> str:
        return units.card(self.value, self.unit)

    @property
    def interval_text(self) -> str | None:
        if self.low is None or self.high is None:
            return None
        return f"{self.interval}: {units.card(self.low, self.unit)} to {units.card(self.high, self.unit)}"


@dataclass(frozen=True)
class Table:
    """A small table of text cells.  ``prose`` lists the columns that hold sentences (shown
    left-aligned; numbers and the first column follow the page's table style)."""

    header: Sequence[str]
    rows: Sequence[Sequence[str]]
    prose: frozenset[int] = frozenset()
    name: str = ""


@dataclass
class Section:
    """One titled block: ``text`` (paragraphs separated by blank lines), figures, tables."""

    heading: str
    text: str = ""
    figures: list[go.Figure] = field(default_factory=list)
    tables: list[Table] = field(default_factory=list)


#: The provenance rows every report shows first, in this order (``n/a`` when not recorded).
PROVENANCE_ORDER = (("version", "simspam version"), ("seed", "Seed"), ("command", "Command"), ("created", "Created"))


@dataclass(frozen=True)
class Provenance:
    """How the results were made: ``rows`` of (label, text) and the resolved configuration."""

    rows: Sequence[tuple[str, str]]
    config_yaml: str | None = None

    @classmethod
    def of(cls, provenance: Mapping[str, object] | None) -> Provenance:
        """From a summary's ``provenance``: version, seed, command and creation time first,
        then every other entry by its key; lists are joined by spaces, and nested mappings
        (a second copy of the configuration) are left out -- the configuration is shown once,
        as YAML."""
        prov = dict(provenance or {})
        rows = [(label, _text(prov.get(key, "n/a"))) for key, label in PROVENANCE_ORDER]
        known = {key for key, _ in PROVENANCE_ORDER} | {"config_yaml"}
        rows += [(str(k), _text(v)) for k, v in prov.items() if k not in known and not isinstance(v, Mapping)]
        config = prov.get("config_yaml")
        return cls(rows, str(config) if config else None)


def _text(value: object) -> str:
    if isinstance(value, (list, tuple)):
        return " ".join(str(v) for v in value)
    return "" if value is None else str(value)


@dataclass
class Report:
    """A whole report; :attr:`figures` lists its figures in page order with their section."""

    title: str
    sections: list[Section]
    provenance: Provenance
    subtitle: str | None = None
    description: str | None = None
    cards: list[Card] = field(default_factory=list)

    @property
    def figures(self) -> list[tuple[int, Section, go.Figure]]:
        """``(section number from 1, section, figure)`` for every figure, in page order."""
        return [(i, s, f) for i, s in enumerate(self.sections, start=1) for f in s.figures]
