"""The outcome catalogue: every outcome a run reports, declared once.

For each outcome: its name (the key in ``summary.json``'s ``headline`` and the column in
the comparison and sweep tables), its unit, which direction is better, a human label for
figures, cards and tables, the sentence that documents it (``docs/outputs.md``), and how it
is computed from a run's tidy tables (``daily``, ``events``).

Why one catalogue: the list of outcomes used to exist four times (the run summary, the
runner's outcome columns, the comparison figures' labels and units, the docs), and a new
outcome had to be added to each by hand -- or quietly went missing from some.  Now the
summary (:mod:`simspam.metrics.summary`), the runner and the comparison
(:mod:`simspam.experiments`), the sweep collection (:mod:`simspam.results.sweep`), the
figures, reports and the dashboard all read this module.

Units are a small vocabulary the formatter (:mod:`simspam.viz.units`) knows: ``USD``,
``%`` (a percentage, 0 to 100), ``hours``, and count nouns (``messages``,
``operations``...), which figures print after a number and cards leave to the label.
"""
from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from functools import cached_property

import pandas as pd

__all__ = [
    "CATALOGUE", "COMPARED", "COST_PARTS", "HEADLINE", "POLICY_COST", "YEARLY",
    "Outcome", "RunView", "describe", "outcome_row", "yearly_series",
]


class RunView:
    """The slices of a run's tables that outcomes are computed from, each computed once:
    the whole ``daily`` table, its first and last 365 days, its last day, and the count of
    each event kind."""

    def __init__(self, daily: pd.DataFrame, events: pd.DataFrame, value_lost_legit: float = 1.0):
        self.daily = daily
        self.events = events
        self.value_lost_legit = value_lost_legit

    @cached_property
    def first_year(self) -> pd.DataFrame:
        dates = self.daily["date"]
        return self.daily[dates < dates.min() + pd.Timedelta(days=365)]

    @cached_property
    def last_year(self) -> pd.DataFrame:
        dates = self.daily["date"]
        return self.daily[dates > dates.max() - pd.Timedelta(days=365)]

    @cached_property
    def last_day(self) -> pd.DataFrame:
        dates = self.daily["date"]
        return self.daily[dates == dates.max()]

    @cached_property
    def kinds(self) -> pd.Series:
        return self.events["kind"].value_counts() if len(self.events) else pd.Series(dtype=int)

    def total(self, column: str) -> float:
        return float(self.daily[column].sum())

    def count(self, column: str) -> int:
        return int(self.daily[column].sum())

    def events_of(self, *kinds: str) -> int:
        return int(sum(self.kinds.get(k, 0) for k in kinds))


def spam_share(df: pd.DataFrame) -> float:
    """Spam's share of all mail reaching consumers (%), as a ratio of totals: large mail
    markets weigh as much as they do in reality.  0 when there is no mail at all."""
    spam = df["spam_received"].sum()
    total = spam + df["legit_sent"].sum()
    return float(100.0 * spam / total) if total else 0.0


@dataclass(frozen=True)
class Outcome:
    """One outcome: ``better`` is ``"lower"`` or ``"higher"``; ``compute`` is None for an
    outcome derived from other outcomes (``policy_cost``) or for a yearly series column;
    ``short`` is a label that fits an axis (the label itself when empty)."""

    name: str
    unit: str
    better: str
    label: str
    meaning: str
    compute: Callable[[RunView], float | int] | None = None
    short: str = ""

    @property
    def lower_is_better(self) -> bool:
        return self.better != "higher"


def _per_day_last_year(v: RunView) -> float:
    last = v.last_year
    return float(last["delivered"].sum() / max(last["date"].nunique(), 1))


_ALL = (
    Outcome("spam_sent", "messages", "lower", "Spam sent",
            "spam sent over the run (messages)", lambda v: v.count("spam_sent")),
    Outcome("spam_delivered", "messages", "lower", "Spam delivered to inboxes",
            "spam delivered to inboxes over the run (messages)", lambda v: v.count("delivered")),
    Outcome("spam_share_first_year", "%", "lower", "Spam share of email in the first year",
            "spam share of all mail received in the first year (%)", lambda v: spam_share(v.first_year)),
    Outcome("spam_share_last_year", "%", "lower", "Spam share of email in the last year",
            "spam share of all mail received in the last year (%)", lambda v: spam_share(v.last_year)),
    Outcome("delivered_per_day_last_year", "messages", "lower", "Spam delivered per day in the last year",
            "spam delivered per day in the last year (messages)", _per_day_last_year),
    Outcome("consumer_hours", "hours", "lower", "Consumer time lost to spam",
            "consumer time lost over the run (hours)", lambda v: v.total("consumer_hours")),
    Outcome("social_cost", "USD", "lower", "Social cost of spam",
            "social cost over the run (USD)", lambda v: v.total("social_cost")),
    Outcome("spammer_revenue", "USD", "lower", "Spammer revenue",
            "spammers' revenue over the run (USD)", lambda v: v.total("spammer_revenue")),
    Outcome("fraud_loss", "USD", "lower", "Consumers' fraud losses",
            "consumers' fraud losses over the run (USD)", lambda v: v.total("fraud_loss")),
    Outcome("active_spammers_end", "operations", "lower", "Active spam operations at the end",
            "active spam operations on the last day", lambda v: int(v.last_day["active_spammers"].sum())),
    Outcome("enforcement_actions", "actions", "higher", "Enforcement actions",
            "cases won over the run", lambda v: v.count("cases_won")),
    Outcome("arrests", "arrests", "higher", "Operators arrested",
            "operators arrested", lambda v: v.events_of("arrest")),
    Outcome("relocations", "moves", "lower", "Spam operations that moved",
            "operations that moved home or infrastructure", lambda v: v.events_of("relocation_home", "relocation_infra")),
    Outcome("assistance_requests", "requests", "higher", "Mutual-assistance requests",
            "mutual-assistance requests", lambda v: v.count("assistance_requests")),
    Outcome("assistance_granted", "requests", "higher", "Mutual-assistance requests granted",
            "mutual-assistance requests granted", lambda v: v.count("assistance_granted")),
    Outcome("infected_machines_end", "machines", "lower", "Infected machines at the end",
            "infected machines on the last day", lambda v: int(v.last_day["infected_machines"].sum())),
    Outcome("isp_cost", "USD", "lower", "ISPs' costs",
            "ISPs' filtering, outbound-control, blocklist and clean-up costs over the run (USD)",
            lambda v: v.total("isp_cost")),
    Outcome("enforcement_cost", "USD", "lower", "Regulators' investigator costs",
            "regulators' investigator costs over the run (USD)", lambda v: v.total("enforcement_cost")),
    Outcome("campaign_cost", "USD", "lower", "Awareness-campaign costs",
            "awareness-campaign costs over the run (USD)", lambda v: v.total("campaign_cost")),
    Outcome("legit_lost_cost", "USD", "lower", "Legitimate mail lost to filters",
            "value of legitimate mail lost to filters over the run (USD)",
            lambda v: v.total("legit_lost") * v.value_lost_legit),
    Outcome("policy_cost", "USD", "lower", "Cost of the policies",
            "ISP, enforcement and campaign costs and the value of legitimate mail lost, over the run (USD): "
            "the sum of the four cost outcomes"),
)

#: Every outcome by name.
CATALOGUE: Mapping[str, Outcome] = {o.name: o for o in _ALL}
#: The keys of ``summary.json``'s ``headline``, in the order they are written.
HEADLINE: tuple[str, ...] = tuple(o.name for o in _ALL if o.compute is not None)
#: The outcomes compared across runs: a column each of a comparison's ``runs`` table and a
#: sweep's ``outcomes`` table, rows of ``comparison``, ``factorial`` and ``sensitivity``.
COMPARED: tuple[str, ...] = ("spam_sent", "spam_delivered", "spam_share_last_year", "consumer_hours",
                             "social_cost", "spammer_revenue", "active_spammers_end", "enforcement_actions")
#: The costs a policy adds, summed into :data:`POLICY_COST`.
COST_PARTS: tuple[str, ...] = ("isp_cost", "enforcement_cost", "campaign_cost", "legit_lost_cost")
POLICY_COST = "policy_cost"

#: The columns of a comparison's yearly ``series`` table (global totals per year; the share
#: is the year's spam share of all mail received, %).
YEARLY: Mapping[str, Outcome] = {o.name: o for o in (
    Outcome("spam_sent", "messages", "lower", "Spam sent", "spam sent in the year (messages)"),
    Outcome("delivered", "messages", "lower", "Spam delivered to inboxes", "spam delivered in the year (messages)",
            short="Spam delivered"),
    Outcome("consumer_hours", "hours", "lower", "Consumer time lost to spam", "consumer time lost in the year (hours)",
            short="Time lost"),
    Outcome("social_cost", "USD", "lower", "Social cost of spam", "social cost in the year (USD)", short="Social cost"),
    Outcome("spam_share", "%", "lower", "Spam share of email", "spam share of all mail received in the year (%)",
            short="Spam share"),
)}


def describe(name: str) -> Outcome:
    """The outcome (or yearly series column) called ``name``; an unknown name gets a label
    made from it, no unit, and "lower is better" (true of nearly every harm the model measures)."""
    if name in CATALOGUE:
        return CATALOGUE[name]
    if name in YEARLY:
        return YEARLY[name]
    text = str(name).replace("_", " ").strip()
    return Outcome(str(name), "", "lower", text[:1].upper() + text[1:], text)


def outcome_row(headline: Mapping[str, float], *, cost_parts: bool = True) -> dict[str, float]:
    """A run's row of outcomes from its summary's headline: the :data:`COMPARED` outcomes,
    ``policy_cost`` and (with ``cost_parts``) the :data:`COST_PARTS` it sums.  A cost part
    missing from an older summary counts as 0 in ``policy_cost``."""
    row = {name: headline[name] for name in COMPARED}
    row[POLICY_COST] = float(sum(headline.get(k, 0.0) for k in COST_PARTS))
    if cost_parts:
        for k in COST_PARTS:
            row[k] = headline[k]
    return row


def yearly_series(daily: pd.DataFrame) -> pd.DataFrame:
    """The :data:`YEARLY` columns of one run: one row per calendar year."""
    sums = ["spam_sent", "delivered", "spam_received", "legit_sent", "consumer_hours", "social_cost"]
    g = daily.groupby(daily["date"].dt.year)[sums].sum()
    g["spam_share"] = 100.0 * g["spam_received"] / (g["spam_received"] + g["legit_sent"])
    return g.drop(columns=["spam_received", "legit_sent"]).reset_index(names="year")
