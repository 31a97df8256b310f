"""The HTML report for one simulation run.

Turns a run's tidy outputs (``daily`` per-country table, ``events`` log and
``summary`` dict) into one self-contained page for a policymaker: headline
numbers first, then one section per question (how much spam, where from,
who profits, what harm, what enforcement did), each with a plain-language
sentence or two, and the provenance needed to reproduce the run at the end.
Works on tables only, so it can be regenerated from saved outputs.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path

import pandas as pd

from simspam.report.html import Section, render_page, write_atomic
from simspam.viz.run_figures import (
    ROW_CODE,
    TIMELINE_EXCLUDED_KINDS,
    country_table_figure,
    economy_figure,
    enforcement_figure,
    events_timeline_figure,
    harm_figure,
    human_number,
    message_flow_figure,
    monthly_global,
    origin_and_received_maps,
    spam_share_figure,
)

__all__ = ["build_run_report", "write_run_report"]


def _total(daily: pd.DataFrame | None, col: str) -> float:
    if daily is None or daily.empty or col not in daily:
        return 0.0
    return float(daily[col].sum())


def _pct(num: float, den: float) -> str:
    return f"{100.0 * num / den:.1f} %" if den > 0 else "n/a"


def _top_country(daily: pd.DataFrame | None, col: str) -> str | None:
    """Largest mapped country (not ROW) by the run total of ``col``."""
    if daily is None or daily.empty or col not in daily:
        return None
    tot = daily.loc[daily["country"] != ROW_CODE].groupby("country")[col].sum()
    if tot.empty or tot.max() <= 0:
        return None
    return f"{tot.idxmax()} ({_pct(float(tot.max()), _total(daily, col))} of the total)"


def _share_sentence(daily: pd.DataFrame | None) -> str:
    if daily is None or daily.empty:
        return ""
    m = monthly_global(daily, ["spam_received", "legit_sent"])
    share = (100.0 * m["spam_received"] / (m["spam_received"] + m["legit_sent"]).where(lambda s: s > 0)).dropna()
    if share.empty:
        return ""
    first, last = float(share.iloc[0]), float(share.iloc[-1])
    return (
        f" In this run it went from {first:.1f} % in {share.index[0]:%B %Y} "
        f"to {last:.1f} % in {share.index[-1]:%B %Y}."
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
            "How much of email is spam",
            "The share of all email reaching consumers that is spam, month by month: the single best summary "
            "of whether policy is working. Lower is better." + _share_sentence(daily),
            [spam_share_figure(daily)],
        ),
        Section(
            "What happens to spam",
            "Each spam message is either stopped by the network it is sent from, caught by the recipient's "
            "filter, or delivered to an inbox. The top edge of the chart is the total volume; the bands show "
            f"how the work is shared. Over the run, {_pct(delivered, all_spam)} of spam was delivered.",
            [message_flow_figure(daily)],
        ),
        Section(
            "Where spam comes from, and where it lands",
            "The first map shades countries by the spam sent from servers and infected machines located there; "
            "the second by the spam addressed to people living there. Use the slider or Play to step through the "
            "years. Countries that receive far more than they send depend on action abroad, which is why "
            "cross-border cooperation matters. The rest of the world (ROW) is not on the maps." + map_facts,
            [origin_map, received_map],
        ),
        Section(
            "The spam business",
            "Spammers' revenue per month and how many are active. Policies that cut revenue (payment blocking, "
            "fines, takedowns) should push both down; if revenue falls but spammers stay, they may be moving "
            f"elsewhere. Total revenue over the run: {human_number(_total(daily, 'spammer_revenue'), money=True)}.",
            [economy_figure(daily)],
        ),
        Section(
            "Harm to people and the economy",
            "Time consumers lose dealing with spam, and the estimated social cost (lost time, fraud and "
            f"filtering costs, in US dollars). Over the run: {human_number(_total(daily, 'consumer_hours'))} hours "
            f"and {human_number(_total(daily, 'social_cost'), money=True)}.",
            [harm_figure(daily)],
        ),
        Section(
            "Enforcement and international cooperation",
            "Cases opened against spammers and how they ended, and requests for help sent to other countries' "
            "authorities and how many were granted; below, the sanctions actually imposed. "
            f"Over the run {human_number(_total(daily, 'cases_won'))} of "
            f"{human_number(_total(daily, 'cases_opened'))} cases were won, and "
            f"{_pct(_total(daily, 'assistance_granted'), req)} of assistance requests were granted.",
            [enforcement_figure(daily, events)],
        ),
        Section(
            "Timeline of events",
            "When laws were adopted, policy levers switched on or off, and enforcement actions taken. Hover over "
            "a point for the countries involved and details. Spammers entering and leaving the market are not "
            f"shown. {human_number(n_events)} events are in the log.",
            [events_timeline_figure(events)],
        ),
        Section(
            "Countries",
            "The countries from which most spam was sent over the whole run, with how much spam their own "
            "people received, how much of that reached inboxes, complaints filed, and cases won.",
            [country_table_figure(daily)],
        ),
    ]


def build_run_report(daily: pd.DataFrame, events: pd.DataFrame | None, summary: Mapping | None) -> str:
    """The full HTML page for one run, as a string (nothing is written)."""
    summary = summary or {}
    scenario = summary.get("scenario") or {}
    name = scenario.get("name") or "unnamed scenario"
    return render_page(
        f"simspam run report: {name}",
        _sections(daily, events),
        summary.get("provenance") or {},
        headline=summary.get("headline") or {},
        description=scenario.get("description") or None,
    )


def write_run_report(
    path: str | os.PathLike[str],
    daily: pd.DataFrame,
    events: pd.DataFrame | None,
    summary: Mapping | None,
) -> Path:
    """Render the run report and write it atomically to ``path``.

    The page is rendered completely in memory before anything touches the
    disk, so a failure while building figures leaves no file (and leaves a
    previous report at ``path`` intact). Missing parent directories are
    created.
    """
    page = build_run_report(daily, events, summary)
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    return write_atomic(target, page)
