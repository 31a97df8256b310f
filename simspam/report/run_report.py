"""The HTML report for one simulation run.

Turns a run's tidy outputs (``daily`` per-country table, ``events`` log and
``summary`` dict) into one self-contained page for a policymaker: headline
numbers first, then one section per question (how much spam, where from,
who profits, what harm, what enforcement did), each with a plain-language
sentence or two, and the provenance needed to reproduce the run at the end.
Works on tables only, so it can be regenerated from saved outputs, and returns
the report as data (:class:`simspam.report.model.Report`); rendering is someone else's job.
"""

from __future__ import annotations

from collections.abc import Mapping

import pandas as pd

from ..viz import units
from ..viz.run_figures import (
    ROW_CODE,
    TIMELINE_EXCLUDED_KINDS,
    country_table_figure,
    economy_figure,
    enforcement_figure,
    events_timeline_figure,
    harm_figure,
    message_flow_figure,
    monthly_global,
    origin_and_received_maps,
    spam_share_figure,
)
from .cards import cards
from .model import Provenance, Report, Section

__all__ = ["RUN_SECTIONS", "build_run_report"]

#: Section headings in page order.
RUN_SECTIONS = (
    "How much of email is spam",
    "What happens to spam",
    "Where spam comes from, and where it lands",
    "The spam business",
    "Harm to people and the economy",
    "Enforcement and international cooperation",
    "Timeline of events",
    "Countries",
)


def _total(daily: pd.DataFrame | None, col: str) -> float:
    if daily is None or daily.empty or col not in daily:
        return 0.0
    return float(daily[col].sum())


def _top_country(daily: pd.DataFrame | None, col: str) -> str | None:
    """Largest mapped country (not ROW) by the run total of ``col``."""
    if daily is None or daily.empty or col not in daily:
        return None
    tot = daily.loc[daily["country"] != ROW_CODE].groupby("country")[col].sum()
    if tot.empty or tot.max() <= 0:
        return None
    return f"{tot.idxmax()} ({units.ratio(float(tot.max()), _total(daily, col))} of the total)"


def _share_sentence(daily: pd.DataFrame | None) -> str:
    if daily is None or daily.empty:
        return ""
    m = monthly_global(daily, ["spam_received", "legit_sent"])
    share = (100.0 * m["spam_received"] / (m["spam_received"] + m["legit_sent"]).where(lambda s: s > 0)).dropna()
    if share.empty:
        return ""
    first, last = float(share.iloc[0]), float(share.iloc[-1])
    return (
        f" In this run it went from {units.quantity(first, '%')} in {share.index[0]:%B %Y} "
        f"to {units.quantity(last, '%')} in {share.index[-1]:%B %Y}."
    )


def _sections(daily: pd.DataFrame | None, events: pd.DataFrame | None) -> list[Section]:
    sent_blocked = _total(daily, "blocked_outbound")
    filtered = _total(daily, "filtered")
    delivered = _total(daily, "delivered")
    all_spam = sent_blocked + filtered + delivered
    origin_map, received_map = origin_and_received_maps(daily)
    top_origin = _top_country(daily, "spam_sent")
    top_target = _top_country(daily, "spam_received")
    req = _total(daily, "assistance_requests")
    n_events = 0
    if events is not None and not events.empty and "kind" in events:
        n_events = int((~events["kind"].isin(TIMELINE_EXCLUDED_KINDS)).sum())

    map_facts = ""
    if top_origin and top_target:
        map_facts = f" Over the whole run the largest source was {top_origin}; the largest target was {top_target}."

    return [
        Section(
            RUN_SECTIONS[0],
            "The share of all email reaching consumers that is spam, month by month: the single best summary "
            "of whether policy is working. Lower is better." + _share_sentence(daily),
            [spam_share_figure(daily)],
        ),
        Section(
            RUN_SECTIONS[1],
            "Each spam message is either stopped by the network it is sent from, caught by the recipient's "
            "filter, or delivered to an inbox. The top edge of the chart is the total volume; the bands show "
            f"how the work is shared. Over the run, {units.ratio(delivered, all_spam)} of spam was delivered.",
            [message_flow_figure(daily)],
        ),
        Section(
            RUN_SECTIONS[2],
            "The first map shades countries by the spam sent from servers and infected machines located there; "
            "the second by the spam addressed to people living there. Use the slider or Play to step through the "
            "years. Countries that receive far more than they send depend on action abroad, which is why "
            "cross-border cooperation matters. The rest of the world (ROW) is not on the maps." + map_facts,
            [origin_map, received_map],
        ),
        Section(
            RUN_SECTIONS[3],
            "Spammers' revenue per month and how many are active. Policies that cut revenue (payment blocking, "
            "fines, takedowns) should push both down; if revenue falls but spammers stay, they may be moving "
            f"elsewhere. Total revenue over the run: {units.quantity(_total(daily, 'spammer_revenue'), 'USD')}.",
            [economy_figure(daily)],
        ),
        Section(
            RUN_SECTIONS[4],
            "Time consumers lose dealing with spam, and the estimated social cost (lost time, fraud and "
            f"filtering costs, in US dollars). Over the run: {units.quantity(_total(daily, 'consumer_hours'), 'hours')} "
            f"and {units.quantity(_total(daily, 'social_cost'), 'USD')}.",
            [harm_figure(daily)],
        ),
        Section(
            RUN_SECTIONS[5],
            "Cases opened against spammers and how they ended, and requests for help sent to other countries' "
            "authorities and how many were granted; below, the sanctions actually imposed. "
            f"Over the run {units.number(_total(daily, 'cases_won'))} of "
            f"{units.number(_total(daily, 'cases_opened'))} cases were won, and "
            f"{units.ratio(_total(daily, 'assistance_granted'), req)} of assistance requests were granted.",
            [enforcement_figure(daily, events)],
        ),
        Section(
            RUN_SECTIONS[6],
            "When laws were adopted, policy levers switched on or off, and enforcement actions taken. Hover over "
            "a point for the countries involved and details. Spammers entering and leaving the market are not "
            f"shown. {units.number(n_events)} events are in the log.",
            [events_timeline_figure(events)],
        ),
        Section(
            RUN_SECTIONS[7],
            "The countries from which most spam was sent over the whole run, with how much spam their own "
            "people received, how much of that reached inboxes, complaints filed, and cases won.",
            [country_table_figure(daily)],
        ),
    ]


def build_run_report(daily: pd.DataFrame, events: pd.DataFrame | None, summary: Mapping | None) -> Report:
    """The report of one run, from its tables and summary (nothing is rendered or written)."""
    summary = summary or {}
    scenario = summary.get("scenario") or {}
    name = scenario.get("name") or "unnamed scenario"
    return Report(
        title=f"simspam run report: {name}",
        sections=_sections(daily, events),
        provenance=Provenance.of(summary.get("provenance")),
        cards=cards(summary.get("headline")),
        description=scenario.get("description") or None,
    )
