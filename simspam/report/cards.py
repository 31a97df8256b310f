"""Headline cards from a summary's ``headline``: the catalogue says what each outcome is.

An outcome of :mod:`simspam.metrics.outcomes` gets its label and unit from there.  A producer
that wants to be explicit passes a mapping ``{"value": x, "unit": u, "label": l}`` (and
optionally ``low``/``high``, an interval in the same unit named by ``interval``, and a
``note``).  Any other key -- a summary written by another tool, or by an older simspam --
gets a label made from its name and a unit read from it: ``*_usd``, ``*revenue*``,
``*cost*`` are dollars; ``*_pct``/``*percent*`` percentages; ``*share*``/``*rate*``
fractions (or percentages above 1); ``*hours*`` hours.
"""
from __future__ import annotations

from collections.abc import Mapping

from ..metrics.outcomes import CATALOGUE
from ..viz.units import normalise_unit
from .model import Card

__all__ = ["card", "cards", "guess_unit", "label_from_name"]

_MONEY_WORDS = ("usd", "revenue", "cost", "dollar")
_UNIT_SUFFIXES = ("_usd", "_pct", "_percent")


def label_from_name(name: str) -> str:
    """``spammer_revenue_usd`` -> ``Spammer revenue``."""
    label = str(name)
    for suffix in _UNIT_SUFFIXES:
        if label.lower().endswith(suffix) and len(label) > len(suffix):
            label = label[: -len(suffix)]
            break
    label = label.replace("_", " ").strip()
    return label[:1].upper() + label[1:]


def guess_unit(name: str) -> str:
    """The unit a headline key's name implies, or ``""``."""
    lname = str(name).lower()
    if any(w in lname for w in _MONEY_WORDS):
        return "USD"
    if lname.endswith("_pct") or "percent" in lname:
        return "%"
    if "share" in lname or "rate" in lname:
        return "share"
    if "hours" in lname:
        return "hours"
    return ""


def card(name: str, value: object) -> Card:
    """The card of one headline entry."""
    name = str(name)
    known = CATALOGUE.get(name)
    if isinstance(value, Mapping):
        unit = value.get("unit")
        return Card(label=str(value.get("label") or (known.label if known else label_from_name(name))),
                    value=value.get("value"),
                    unit=normalise_unit(unit) if unit is not None else (known.unit if known else guess_unit(name)),
                    low=value.get("low"), high=value.get("high"),
                    interval=str(value.get("interval", "90 % interval")), note=str(value.get("note") or ""))
    if known is not None:
        return Card(known.label, value, known.unit)
    return Card(label_from_name(name), value, guess_unit(name))


def cards(headline: Mapping[str, object] | None) -> list[Card]:
    """One card per headline entry, in the headline's order."""
    return [card(str(k), v) for k, v in (headline or {}).items()]
