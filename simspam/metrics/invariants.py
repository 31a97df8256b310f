"""Accounting invariants that hold on every simulated day.

Returns a list of human-readable violations (empty when all hold), so tests can
assert on it and a run can refuse to write tables that break them.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from ..core.columns import DAILY


def check_daily(daily: pd.DataFrame) -> list[str]:
    problems = []
    g = daily.groupby("date", sort=True)[["spam_sent", "blocked_outbound", "filtered", "delivered"]].sum()
    bad = g["spam_sent"] != g["blocked_outbound"] + g["filtered"] + g["delivered"]
    if bad.any():
        problems.append(f"sent != blocked + filtered + delivered on {int(bad.sum())} days (first {g.index[bad][0]})")
    bad = daily["spam_received"] != daily["filtered"] + daily["delivered"]
    if bad.any():
        problems.append(f"received != filtered + delivered in {int(bad.sum())} country-days")
    bad = daily["rejected_blocklist"] > daily["filtered"]
    if bad.any():
        problems.append(f"rejected_blocklist exceeds filtered in {int(bad.sum())} country-days")
    for name, (dtype, _, _) in DAILY.items():
        col = daily[name].to_numpy()
        if (col < 0).any():
            problems.append(f"{name} negative in {int((col < 0).sum())} rows")
        if not np.isfinite(col.astype(float)).all():
            problems.append(f"{name} not finite")
    if (daily["legit_lost"] > daily["legit_sent"]).any():
        problems.append("legit_lost exceeds legit_sent")
    if (daily["spam_sent_botnet"] > daily["spam_sent"]).any():
        problems.append("spam_sent_botnet exceeds spam_sent")
    if (daily["sales"] > daily["responses"]).any():
        problems.append("sales exceed responses")
    closed = daily[["cases_won", "cases_dropped"]].to_numpy().sum()
    if closed > daily["cases_opened"].sum():
        problems.append("more cases closed than opened")
    by = daily.groupby("country")
    if (by["assistance_granted"].cumsum() > by["assistance_requests"].cumsum()).any():
        problems.append("more assistance granted than requested")
    return problems
