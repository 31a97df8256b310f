"""Headline figures of a run, computed from the tidy tables (never from live objects)."""
from __future__ import annotations

import pandas as pd

HEADLINES = {
    "spam_sent": "spam sent over the run (messages)",
    "spam_delivered": "spam delivered to inboxes over the run (messages)",
    "spam_share_first_year": "spam share of all mail received in the first year (%)",
    "spam_share_last_year": "spam share of all mail received in the last year (%)",
    "delivered_per_day_last_year": "spam delivered per day in the last year (messages)",
    "consumer_hours": "consumer time lost over the run (hours)",
    "social_cost": "social cost over the run (USD)",
    "spammer_revenue": "spammers' revenue over the run (USD)",
    "fraud_loss": "consumers' fraud losses over the run (USD)",
    "active_spammers_end": "active spam operations on the last day",
    "enforcement_actions": "cases won over the run",
    "arrests": "operators arrested",
    "relocations": "operations that moved home or infrastructure",
    "assistance_requests": "mutual-assistance requests",
    "assistance_granted": "mutual-assistance requests granted",
    "infected_machines_end": "infected machines on the last day",
    "isp_cost": "ISPs' filtering, outbound-control, blocklist and clean-up costs over the run (USD)",
    "enforcement_cost": "regulators' investigator costs over the run (USD)",
    "campaign_cost": "awareness-campaign costs over the run (USD)",
    "legit_lost_cost": "value of legitimate mail lost to filters over the run (USD)",
}


def _share(df: pd.DataFrame) -> float:
    spam = df["spam_received"].sum()
    total = spam + df["legit_sent"].sum()
    return float(100.0 * spam / total) if total else 0.0


def headline(daily: pd.DataFrame, events: pd.DataFrame, value_lost_legit: float = 1.0) -> dict[str, float]:
    dates = daily["date"]
    first = daily[dates < dates.min() + pd.Timedelta(days=365)]
    last = daily[dates > dates.max() - pd.Timedelta(days=365)]
    last_day = daily[dates == dates.max()]
    kinds = events["kind"].value_counts() if len(events) else pd.Series(dtype=int)
    n_last_days = last["date"].nunique()
    return {
        "spam_sent": int(daily["spam_sent"].sum()),
        "spam_delivered": int(daily["delivered"].sum()),
        "spam_share_first_year": _share(first),
        "spam_share_last_year": _share(last),
        "delivered_per_day_last_year": float(last["delivered"].sum() / max(n_last_days, 1)),
        "consumer_hours": float(daily["consumer_hours"].sum()),
        "social_cost": float(daily["social_cost"].sum()),
        "spammer_revenue": float(daily["spammer_revenue"].sum()),
        "fraud_loss": float(daily["fraud_loss"].sum()),
        "active_spammers_end": int(last_day["active_spammers"].sum()),
        "enforcement_actions": int(daily["cases_won"].sum()),
        "arrests": int(kinds.get("arrest", 0)),
        "relocations": int(kinds.get("relocation_home", 0) + kinds.get("relocation_infra", 0)),
        "assistance_requests": int(daily["assistance_requests"].sum()),
        "assistance_granted": int(daily["assistance_granted"].sum()),
        "infected_machines_end": int(last_day["infected_machines"].sum()),
        "isp_cost": float(daily["isp_cost"].sum()),
        "enforcement_cost": float(daily["enforcement_cost"].sum()),
        "campaign_cost": float(daily["campaign_cost"].sum()),
        "legit_lost_cost": float(daily["legit_lost"].sum()) * value_lost_legit,
    }
