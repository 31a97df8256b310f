"""Published calibration targets and how to measure each one on a run's tables.

The bands live in ``conf/calibration/targets.csv`` (copied, with their sources, from the
published figures listed in ``docs/calibration_targets.md``): one row per target with a
``metric`` (a function below), an optional country, a period ``from``..``to`` and the
band ``low``..``high``.  Vendors measured at different vantage points, so the fit aims
at the band, not at one vendor's point.

Measuring reads only the tidy tables (``daily``, ``events``) and two declared
parameters (the average order value, legitimate mail per user), never live model
objects: a result folder written months ago can be re-measured.
"""
from __future__ import annotations

import csv
import datetime as dt
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from ..config.check import check_date, check_name, check_number
from ..errors import ConfigError
from ..paths import conf_dir

CAP = 5.0  # a distance beyond 5 band widths (or a zero count on a log band) counts as 5: one
           # hopeless target must not drown every other in the objective
COLUMNS = ["id", "metric", "country", "from", "to", "low", "high", "unit", "source", "what"]


@dataclass(frozen=True)
class Target:
    id: str
    metric: str
    country: str
    start: dt.date
    end: dt.date
    low: float
    high: float
    unit: str
    source: str
    what: str

    def hit(self, value: float) -> bool:
        return bool(np.isfinite(value) and self.low <= value <= self.high)

    def distance(self, value: float, inset: float = 0.0) -> float:
        """How far outside the band, in units of the band's width (0 inside).  Log-scaled for
        bands spanning a factor of 3 or more, so a volume off by 2x costs the same either way.
        ``inset`` narrows the band by that share of its width on each side: a fit that aims a
        little inside the band lands inside it with fresh seeds too, instead of on its edge."""
        if not np.isfinite(value):
            return CAP
        if self.low > 0 and self.high / self.low >= 3.0:
            v, lo, hi = np.log(max(value, 1e-12)), np.log(self.low), np.log(self.high)
        else:
            v, lo, hi = value, self.low, self.high
        width = max(hi - lo, 1e-12)
        lo, hi = lo + inset * width, hi - inset * width
        return float(min(max(lo - v, v - hi, 0.0) / width, CAP))


def targets_path() -> Path:
    return conf_dir() / "calibration" / "targets.csv"


def load_targets(path: str | Path | None = None) -> list[Target]:
    """Read the targets table strictly (a bad cell is a one-line error naming row and column)."""
    path = Path(path) if path else targets_path()
    with open(path, newline="", encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    out = []
    for i, r in enumerate(rows):
        where = f"{path.name}[{r.get('id') or i}]"
        if list(r) != COLUMNS:
            raise ConfigError(path.name, f"has columns {list(r)}", ", ".join(COLUMNS))
        check_name(f"{where}.metric", r["metric"], sorted(METRICS), "metric")
        start, end = check_date(f"{where}.from", r["from"]), check_date(f"{where}.to", r["to"])
        low, high = check_number(f"{where}.low", r["low"]), check_number(f"{where}.high", r["high"])
        if not low <= high:
            raise ConfigError(f"{where}.low", f"{low} > high {high}", "low <= high")
        out.append(Target(r["id"], r["metric"], r["country"].strip(), start, end, low, high, r["unit"],
                          r["source"], r["what"]))
    return out


# ------------------------------------------------------------------ metrics
def _window(daily: pd.DataFrame, t: Target) -> pd.DataFrame:
    d = daily[(daily["date"] >= pd.Timestamp(t.start)) & (daily["date"] <= pd.Timestamp(t.end))]
    return d[d["country"] == t.country] if t.country else d


def _days(d: pd.DataFrame) -> int:
    return max(int(d["date"].nunique()), 1)


def _ratio(a: float, b: float) -> float:
    return float(a / b) if b else float("nan")


def spam_share(daily, events, t, p):
    d = _window(daily, t)
    spam = d["spam_received"].sum()
    return 100.0 * _ratio(spam, spam + d["legit_sent"].sum())


def share_crosses_50(daily, events, t, p):
    d = _window(daily, t)
    m = d.groupby(d["date"].dt.to_period("M"))[["spam_received", "legit_sent"]].sum()
    share = m["spam_received"] / (m["spam_received"] + m["legit_sent"])
    above = share.index[share.to_numpy() > 0.5]
    if len(above) == 0:
        return float("nan")
    first = above[0]
    return first.year + (first.month - 1) / 12.0


def spam_sent_bn(daily, events, t, p):
    d = _window(daily, t)
    return d["spam_sent"].sum() / _days(d) / 1e9


def spam_sent_peak_bn(daily, events, t, p):
    d = _window(daily, t)
    per_day = d.groupby("date")["spam_sent"].sum()
    return float(per_day.groupby(per_day.index.to_period("M")).mean().max() / 1e9)


def reached_server(daily, events, t, p):
    """Share of sent spam that a receiving mail server accepts: neither stopped where it left
    nor refused at connection by a blocklist (what a sender sees; Spamalytics measured it from
    the bots).  Filter recall (I6) is measured at the provider, where a refusal counts as caught."""
    d = _window(daily, t)
    refused = d["blocked_outbound"].sum() + d["rejected_blocklist"].sum()
    return 100.0 * (1.0 - _ratio(refused, d["spam_sent"].sum()))


def sent_per_sale_m(daily, events, t, p):
    d = _window(daily, t)
    return _ratio(d["spam_sent"].sum(), d["sales"].sum()) / 1e6


def inbox_rate(daily, events, t, p):
    d = _window(daily, t)
    return 100.0 * _ratio(d["delivered"].sum(), d["spam_sent"].sum())


def click_rate(daily, events, t, p):
    d = _window(daily, t)
    return 100.0 * _ratio(d["responses"].sum(), d["delivered"].sum())


def gross_sales_musd(daily, events, t, p):
    """Sales to the country's consumers at the average order value, per year (merchants' gross)."""
    d = _window(daily, t)
    return d["sales"].sum() * p.spammers.order_value / (_days(d) / 365.25) / 1e6


def botnet_share(daily, events, t, p):
    d = _window(daily, t)
    return 100.0 * _ratio(d["spam_sent_botnet"].sum(), d["spam_sent"].sum())


def filter_recall(daily, events, t, p):
    d = _window(daily, t)
    return 100.0 * _ratio(d["filtered"].sum(), d["spam_received"].sum())


def false_positive_rate(daily, events, t, p):
    d = _window(daily, t)
    return 100.0 * _ratio(d["legit_lost"].sum(), d["legit_sent"].sum())


def origin_share(daily, events, t, p):
    everywhere = _window(daily, Target(**{**t.__dict__, "country": ""}))
    return 100.0 * _ratio(_window(daily, t)["spam_sent"].sum(), everywhere["spam_sent"].sum())


def _users(d: pd.DataFrame, p) -> float:
    """Mean e-mail users in the window (legitimate mail is legit_per_user per user per day)."""
    return float(d["legit_sent"].sum() / _days(d) / max(p.consumers.legit_per_user, 1e-12))


def _ever(count: float, users: float, share: float) -> float:
    """Share of users (%) with at least one of ``count`` events when only ``share`` of them
    ever respond (Poisson among those)."""
    return 100.0 * share * (1.0 - np.exp(-_ratio(count, users * share)))


def users_responded(daily, events, t, p):
    """Share of users who answered or clicked at least once in the window."""
    d = _window(daily, t)
    return _ever(d["responses"].sum(), _users(d, p), p.consumers.responder_share)


def users_bought(daily, events, t, p):
    """Share of users who bought at least once in the window (buyers are responders)."""
    d = _window(daily, t)
    return _ever(d["sales"].sum(), _users(d, p), p.consumers.responder_share)


def complaints_per_day(daily, events, t, p):
    d = _window(daily, t)
    return d["complaints"].sum() / _days(d)


def cases_per_year(daily, events, t, p):
    d = _window(daily, t)
    return d["cases_opened"].sum() / (_days(d) / 365.25)


def assistance_received_per_year(daily, events, t, p):
    years = ((t.end - t.start).days + 1) / 365.25
    if len(events) == 0:
        return 0.0
    e = events[(events["kind"] == "assistance_requested") & (events["partner"] == t.country)
               & (events["date"] >= pd.Timestamp(t.start)) & (events["date"] <= pd.Timestamp(t.end))]
    return len(e) / years


METRICS = {f.__name__: f for f in (
    spam_share, share_crosses_50, spam_sent_bn, spam_sent_peak_bn, reached_server, sent_per_sale_m, inbox_rate,
    click_rate, gross_sales_musd, botnet_share, filter_recall, false_positive_rate, origin_share, users_responded,
    users_bought, complaints_per_day, cases_per_year, assistance_received_per_year)}


def measure(daily: pd.DataFrame, events: pd.DataFrame, params, targets: list[Target]) -> dict[str, float]:
    """Each target's simulated value on one run (NaN where the run does not cover its period)."""
    first, last = daily["date"].min().date(), daily["date"].max().date()
    out = {}
    for t in targets:
        if t.start < first or t.end > last:
            out[t.id] = float("nan")
            continue
        out[t.id] = float(METRICS[t.metric](daily, events, t, params))
    return out
