"""The report of a comparison of policy scenarios.

A comparison runs several named policy scenarios and a ``baseline`` on the
same seeds (common random numbers) and condenses them into tidy tables
(``runs``, ``series``, ``comparison``, ``cost_effectiveness``,
``country_series``, ``relocations``, ``cooperation_edges`` and, for some designs,
``factorial`` and ``priority``) plus a ``summary`` dict. This module
turns those into one self-contained page for a policymaker: headline cards,
then one section per question, each with a sentence or two of plain language
and the numbers that answer it, and the provenance needed to rerun the
experiment. It works on tables only, so the page can be rebuilt from saved
outputs, and returns the report as data (:class:`simspam.report.model.Report`).
Sections whose table is missing (or empty) are left out.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd

from ..metrics.outcomes import describe
from ..results.comparison import BASELINE
from ..viz import units
from ..viz.compare_figures import (
    cost_effectiveness_figure,
    interaction_heatmap,
    outcome_bands_figure,
    outcome_info,
    paired_difference_figure,
    priority_figure,
    runs_table_figure,
    series_bands_figure,
)
from ..viz.world_figures import (
    cooperation_network_figure,
    country_centroids,
    country_map_figure,
    relocation_flows_figure,
)
from .cards import card, label_from_name
from .model import Card, Provenance, Report, Section, Table

__all__ = ["build_compare_report", "headline_cards", "SECTION_HEADINGS"]

#: Section headings in page order (the factorial one is replaced by
#: "How the levers combine" when the design lacks legislation or cooperation).
SECTION_HEADINGS: dict[str, str] = {
    "scenarios": "The policies compared",
    "bands": "What each policy buys",
    "paired": "Against the baseline, seed by seed",
    "series": "Over time",
    "map": "Where spam comes from, and where it lands",
    "network": "Who can ask whom for assistance",
    "relocations": "Where spammers moved",
    "factorial": "Does cooperation only pay where there is legislation?",
    "priority": "Where to act next",
    "cost": "Cost-effectiveness",
    "runs": "Runs",
}
_FACTORIAL_GENERIC = "How the levers combine"

_BAND_OUTCOMES = ("spam_delivered", "social_cost")
_PAIRED_OUTCOMES = ("spam_delivered", "consumer_hours", "social_cost", "spammer_revenue")
_SERIES_COLUMNS = ("delivered", "spam_share")
_PRIORITY_OUTCOMES = ("spam_delivered", "social_cost")
#: The yearly charts show the baseline and at most this many other scenarios.
MAX_SERIES_SCENARIOS = 6
#: At most this many scenarios get a cooperation-network figure of their own.
MAX_NETWORK_FIGURES = 4


# --------------------------------------------------------------------------
# small helpers
# --------------------------------------------------------------------------


def _table(tables: Mapping[str, object] | None, name: str) -> pd.DataFrame | None:
    """The table ``name`` if it is present and has rows, else None.

    Returned with a fresh 0..n-1 index (a copy; the caller's table is not
    touched): tables concatenated from several sources may repeat index
    labels, and label lookups after ``idxmax`` must find one row.
    """
    if not tables:
        return None
    df = tables.get(name)
    if df is None or not isinstance(df, pd.DataFrame) or df.empty:
        return None
    return df.reset_index(drop=True)


def _q(name: object) -> str:
    """A scenario name quoted in running text (escaped by the renderer)."""
    return f"\u201c{name}\u201d"


def _lower(label: str) -> str:
    return label[:1].lower() + label[1:]


def _fmt(value: object, unit: str, *, signed: bool = False) -> str:
    return units.quantity(value, unit, signed=signed, points="percentage points")


def _magnitude(value: float, unit: str) -> str:
    """An unsigned amount for sentences that already say "cuts" or "raises"."""
    return _fmt(abs(value), unit)


def _change(value: float, unit: str, what: str) -> str:
    """ "cuts <what> by 5.0 M messages" / "raises <what> by ..." / "leaves <what> unchanged"."""
    if not math.isfinite(value) or value == 0:
        return f"leaves {what} unchanged"
    return f"{'cuts' if value < 0 else 'raises'} {what} by {_magnitude(value, unit)}"


def _outcomes(comparison: pd.DataFrame, wanted: Sequence[str], fallback: int = 0) -> list[str]:
    have = list(dict.fromkeys(comparison["outcome"].astype(str)))
    chosen = [o for o in wanted if o in have]
    return chosen or have[:fallback]


def _baseline_of(comparison: pd.DataFrame | None, runs: pd.DataFrame | None) -> str:
    for df in (comparison, runs):
        if df is not None and "scenario" in df.columns and BASELINE in set(df["scenario"].astype(str)):
            return BASELINE
    if comparison is not None and "mean_diff" in comparison.columns:
        blank = pd.to_numeric(comparison["mean_diff"], errors="coerce").isna().groupby(comparison["scenario"]).all()
        cands = [str(s) for s, b in blank.items() if b]
        if len(cands) == 1:
            return cands[0]
    return BASELINE


def _scenario_order(tables: Mapping[str, object], baseline: str) -> list[str]:
    """Baseline first, then the order in which scenarios appear in the comparison (or runs)."""
    names: list[str] = []
    for key in ("comparison", "runs", "series"):
        df = _table(tables, key)
        if df is not None and "scenario" in df.columns:
            names.extend(df["scenario"].astype(str))
    names = list(dict.fromkeys(names))
    if baseline in names:
        names.remove(baseline)
        names.insert(0, baseline)
    return names


def _rows(comparison: pd.DataFrame, outcome: str) -> pd.DataFrame:
    return comparison.loc[comparison["outcome"].astype(str) == outcome]


def _num(df: pd.DataFrame, col: str) -> pd.Series:
    if col not in df.columns:
        return pd.Series(np.nan, index=df.index, dtype=float)
    return pd.to_numeric(df[col], errors="coerce")


# --------------------------------------------------------------------------
# headline and provenance
# --------------------------------------------------------------------------


#: Cards the comparison's summary is known to carry: key -> (label, unit).
_HEADLINE_LABELS: dict[str, tuple[str, str]] = {
    "runs": ("Simulation runs", ""),
    "failed_runs": ("Failed runs", ""),
    "best_scenario": ("Largest cut in spam delivered", ""),
    "spam_averted_by_best": ("Spam delivered averted by it (mean)", ""),
    "p_best_beats_baseline": ("Seeds on which it beats the baseline", "share"),
}


def _headline(headline: Mapping[str, object] | None, best: Sequence[Card] = ()) -> list[Card]:
    """The cards of the comparison's summary headline.

    A number whose key ends in ``_m`` is in millions (e.g. ``spam_averted_m``):
    it is multiplied out and the suffix dropped from the label, so the card
    reads "12.3 M" under "Spam averted" rather than "12.3" under "Spam averted m".
    A key starting with ``p_`` is a probability, shown as a percentage.
    Text values (e.g. ``best_scenario``) are shown as they are.
    ``best`` (from :func:`headline_cards`) come first and replace the summary's
    entries about the best scenario, which carry no interval.
    """
    out = list(best)
    replaced = {"best_scenario", "spam_averted_by_best", "p_best_beats_baseline"} if best else set()
    for name, value in (headline or {}).items():
        key = str(name)
        if key in replaced:
            continue
        if isinstance(value, Mapping):
            out.append(card(key, value))
        elif key in _HEADLINE_LABELS:
            label, unit = _HEADLINE_LABELS[key]
            out.append(Card(label, value, unit))
        elif key.startswith("p_") and not isinstance(value, str):
            out.append(Card(label_from_name(key), value, "share"))
        elif key.endswith("_m") and len(key) > 2 and not isinstance(value, (bool, str)) and value is not None:
            try:
                x = float(value)  # type: ignore[arg-type]
            except (TypeError, ValueError):
                out.append(card(key, value))
                continue
            out.append(Card(label_from_name(key[:-2]), x * 1e6))
        else:
            out.append(card(key, value))
    return out


def headline_cards(
    comparison: pd.DataFrame | None, cost_effectiveness: pd.DataFrame | None, baseline: str
) -> list[Card]:
    """The three numbers a policymaker asks first, for the scenario that averts most spam
    delivered (mean paired difference against ``baseline``), each with its interval:

    * spam averted: mean over seeds, 90 % confidence interval of the paired difference;
    * consumer hours saved: the same, for ``consumer_hours``;
    * cost per million messages averted: median over seeds, with the 5th to 95th
      percentile over seeds (``cost_effectiveness``).

    Empty when no scenario has a paired difference.
    """
    if comparison is None or not {"scenario", "outcome", "mean_diff"} <= set(comparison.columns):
        return []
    rows = _rows(comparison, "spam_delivered")
    rows = rows.loc[(rows["scenario"].astype(str) != baseline) & _num(rows, "mean_diff").notna()]
    if rows.empty:
        return []
    best = rows.loc[_num(rows, "mean_diff").idxmin()]
    name = str(best["scenario"])
    cards: list[Card] = [Card("Largest cut in spam delivered", name)]

    def averted(outcome: str, label: str) -> None:
        r = _rows(comparison, outcome)
        r = r.loc[r["scenario"].astype(str) == name]
        if r.empty:
            return
        md, lo, hi = (float(_num(r, c).iloc[0]) for c in ("mean_diff", "ci_low", "ci_high"))
        cards.append(Card(label, -md, describe(outcome).unit, low=-hi, high=-lo, interval="90 % CI"))

    averted("spam_delivered", f"Spam delivered averted by {_q(name)} (mean)")
    averted("consumer_hours", f"Consumer hours saved by {_q(name)} (mean)")
    ce = cost_effectiveness
    if ce is not None and {"scenario", "cost_per_m_averted"} <= set(ce.columns):
        r = ce.loc[ce["scenario"].astype(str) == name]
        if not r.empty:
            cards.append(Card(
                f"Cost per million messages averted by {_q(name)} (median)",
                float(_num(r, "cost_per_m_averted").iloc[0]), "USD",
                low=float(_num(r, "cost_per_m_low").iloc[0]), high=float(_num(r, "cost_per_m_high").iloc[0]),
                interval="90 % of seeds"))
    if "p_better" in best.index and math.isfinite(float(pd.to_numeric(best["p_better"], errors="coerce"))):
        cards.append(Card("Seeds on which it beats the baseline", float(best["p_better"]), "share"))
    return cards


def _seed_text(seeds: object) -> object:
    """``[1, 2, ..., 20]`` -> ``"1 to 20 (20 seeds)"``; other lists listed in full."""
    if isinstance(seeds, (list, tuple)) and seeds:
        try:
            ints = [int(s) for s in seeds]
        except (TypeError, ValueError):
            return seeds
        if len(ints) > 2 and ints == list(range(ints[0], ints[0] + len(ints))):
            return f"{ints[0]} to {ints[-1]} ({len(ints)} seeds)"
        return f"{' '.join(str(i) for i in ints)} ({len(ints)} seeds)"
    return seeds


def _provenance(provenance: Mapping[str, object] | None) -> Provenance:
    """The comparison records ``seeds`` (a list); the panel shows it as its "Seed" row."""
    prov = dict(provenance or {})
    if "seed" not in prov and "seeds" in prov:
        prov["seed"] = _seed_text(prov.pop("seeds"))
    return Provenance.of(prov)


# --------------------------------------------------------------------------
# sections
# --------------------------------------------------------------------------


def _scenarios_section(
    descriptions: Mapping[str, object], order: Sequence[str], baseline: str, design: str, levers: Sequence[str],
    analogues: Mapping[str, object] | None = None,
) -> Section | None:
    """Name and description of every scenario that has one (a where-to-act
    design names its scenarios after countries, which have no description)."""
    names = [n for n in order if n in descriptions] + [n for n in descriptions if n not in order]
    names = [n for n in names if str(descriptions.get(n) or "").strip()]
    text = (
        f"Every scenario was simulated on the same random seeds as the baseline, {_q(baseline)}; everything on "
        "this page is measured against it."
    )
    if design == "where_to_act":
        what = " and ".join(_q(lv) for lv in levers) if levers else "the policy"
        text += (
            f" Each of the other scenarios is named after the one country that adopts {what} on its own, "
            "everything else staying as in the baseline."
        )
    elif design == "factorial":
        text += (
            " The other scenarios are every combination of the levers, named after the levers switched on "
            "(each lever as in its own scenario below)."
        )
    if not names and design != "where_to_act":
        return None
    tables = []
    if names:
        analogues = analogues or {}
        with_analogue = any(str(analogues.get(n) or "").strip() for n in names)
        header = ["Scenario", "What it changes"] + (["Real-world analogue"] if with_analogue else [])
        rows = [[n, str(descriptions.get(n)).strip()] + ([str(analogues.get(n) or "").strip()] if with_analogue else [])
                for n in names]
        tables.append(Table(header, rows, prose=frozenset({1, 2}), name="scenarios"))
    return Section(SECTION_HEADINGS["scenarios"], text, tables=tables)


def _bands_section(comparison: pd.DataFrame, baseline: str, order: Sequence[str]) -> Section:
    outcomes = _outcomes(comparison, _BAND_OUTCOMES, fallback=2)
    facts = ""
    if outcomes:
        o = outcomes[0]
        label, unit, lower_better = outcome_info(o)
        rows = _rows(comparison, o)
        med = _num(rows, "median")
        scen = rows["scenario"].astype(str)
        base = med[scen == baseline]
        others = med[(scen != baseline) & med.notna()]
        if len(base) and math.isfinite(float(base.iloc[0])) and len(others):
            best_idx = others.idxmin() if lower_better else others.idxmax()
            facts = (
                f" {label} in the baseline: a median of {_fmt(base.iloc[0], unit)} over the whole run; "
                f"the {'lowest' if lower_better else 'highest'} median is under "
                f"{_q(scen.loc[best_idx])}, {_fmt(others.loc[best_idx], unit)}."
            )
    n_seeds = _num(comparison, "n").max()
    seeds = f"the {n_seeds:.0f} seeds" if math.isfinite(n_seeds) else "the seeds"
    return Section(
        SECTION_HEADINGS["bands"],
        "What each policy delivers over the whole simulated period. The dot is the median over "
        f"{seeds} (the typical outcome) and the bar spans the middle 90 % of seeds: how differently things "
        "could turn out by luck alone. The baseline is the black diamond and the dashed line." + facts,
        [outcome_bands_figure(comparison, o, baseline=baseline, order=order) for o in outcomes],
    )


def _paired_facts(comparison: pd.DataFrame, baseline: str, outcome: str) -> str:
    rows = _rows(comparison, outcome)
    rows = rows.loc[(rows["scenario"].astype(str) != baseline) & _num(rows, "mean_diff").notna()]
    if rows.empty:
        return ""
    label, unit, lower_better = outcome_info(outcome)
    averted = _num(rows, "averted")
    if averted.isna().all():
        averted = -_num(rows, "mean_diff") if lower_better else _num(rows, "mean_diff")
    diffs = _num(rows, "mean_diff")
    spread = pd.concat([diffs, _num(rows, "ci_low"), _num(rows, "ci_high")]).abs()
    if (spread.fillna(0) == 0).all():
        return (
            f" No policy changes {_lower(label)} on any seed: those runs match the baseline's exactly, so "
            "within the simulated period the policies make no difference to it."
        )
    if not (averted.max() > 0):
        return f" No policy improves on the baseline's {_lower(label)} on average."
    best = rows.loc[averted.idxmax()]
    md, lo, hi = float(best["mean_diff"]), float(best.get("ci_low", np.nan)), float(best.get("ci_high", np.nan))
    verb = "cuts" if md < 0 else "raises"
    if math.isfinite(lo) and math.isfinite(hi) and (lo > 0 or hi < 0):
        a, b = sorted((abs(lo), abs(hi)))
        noun = "a cut" if md < 0 else "a rise"
        interval = f"90 % interval: {noun} of {_magnitude(a, '' if unit != 'USD' else unit)} to {_magnitude(b, unit)}"
    else:
        interval = f"90 % interval {_fmt(lo, unit, signed=True)} to {_fmt(hi, unit, signed=True)}"
    text = (
        f" Largest improvement in {_lower(label)}: {_q(best['scenario'])} {verb} it by "
        f"{_magnitude(md, unit)} on average ({interval})"
    )
    pb = float(pd.to_numeric(pd.Series([best.get("p_better", np.nan)]), errors="coerce").iloc[0])
    if math.isfinite(pb):
        text += f" and beats the baseline on {units.percent(pb)} of seeds"
    text += "."
    if math.isfinite(lo) and math.isfinite(hi) and lo <= 0 <= hi:
        text += " Its interval still crosses zero, so the seeds do not settle whether it helps."
    return text


def _variance_sentence(comparison: pd.DataFrame, outcomes: Sequence[str], baseline: str) -> str:
    keep = comparison["outcome"].astype(str).isin(outcomes) & (comparison["scenario"].astype(str) != baseline)
    rows = comparison.loc[keep]
    vr = _num(rows, "variance_reduction")
    vr = vr[np.isfinite(vr) & (vr > 0)]
    if vr.empty:
        return ""
    return (
        f" Here pairing made the intervals as narrow as about {float(vr.median()):,.1f} times as many "
        "unpaired seeds would have (median over the charts)."
    )


def _paired_section(comparison: pd.DataFrame, baseline: str, order: Sequence[str]) -> Section | None:
    outcomes = _outcomes(comparison, _PAIRED_OUTCOMES, fallback=4)
    if not outcomes:
        return None
    text = (
        "How much each policy changes things compared with the baseline, worked out seed by seed. Every policy "
        "was run on the same seeds as the baseline, so each pair of runs met the same spammers and the same "
        "luck, and their difference is down to the policy: the dark bar is the 90 % interval of that paired "
        "difference, and the light bar below it is the interval the same runs would give if they were compared "
        "as unrelated samples, wider because it keeps the luck in. A dark bar that does not cross the zero line "
        "is a change the seeds agree on."
        + _variance_sentence(comparison, outcomes, baseline)
        + _paired_facts(comparison, baseline, outcomes[0])
    )
    return Section(
        SECTION_HEADINGS["paired"],
        text,
        [paired_difference_figure(comparison, o, baseline=baseline, order=order) for o in outcomes],
    )


def _series_section(
    series: pd.DataFrame, comparison: pd.DataFrame | None, baseline: str, order: Sequence[str]
) -> Section | None:
    columns = [c for c in _SERIES_COLUMNS if c in series.columns]
    if not columns:
        return None
    facts = ""
    if "delivered" in series.columns and "year" in series.columns:
        s = series.loc[series["scenario"].astype(str) == baseline]
        if not s.empty:
            by_year = s.groupby("year")["delivered"].median().sort_index()
            if len(by_year) >= 2:
                facts = (
                    f" In the baseline, the typical yearly total of spam reaching inboxes goes from "
                    f"{_fmt(by_year.iloc[0], 'messages')} in {int(by_year.index[0])} to "
                    f"{_fmt(by_year.iloc[-1], 'messages')} in {int(by_year.index[-1])}."
                )
    shown, note = _series_subset(series, comparison, baseline)
    return Section(
        SECTION_HEADINGS["series"],
        "Year by year: when a policy starts to bite and whether its effect lasts. Each line is the median over "
        "seeds and the shaded band covers 80 % of them (10th to 90th percentile). Click a name in the legend to "
        "hide or show it." + note + facts,
        [series_bands_figure(series, c, baseline=baseline, order=order, scenarios=shown) for c in columns],
    )


def _series_subset(
    series: pd.DataFrame, comparison: pd.DataFrame | None, baseline: str
) -> tuple[list[str] | None, str]:
    """With many scenarios the yearly chart becomes a tangle: keep the baseline
    and the :data:`MAX_SERIES_SCENARIOS` that cut delivered spam most."""
    names = list(dict.fromkeys(series["scenario"].astype(str)))
    others = [n for n in names if n != baseline]
    if len(others) <= MAX_SERIES_SCENARIOS:
        return None, ""
    ranked = others
    if comparison is not None and {"averted", "outcome"} <= set(comparison.columns):
        rows = _rows(comparison, "spam_delivered")
        av = dict(zip(rows["scenario"].astype(str), _num(rows, "averted")))
        ranked = sorted(others, key=lambda n: -av[n] if math.isfinite(av.get(n, np.nan)) else math.inf)
    keep = ranked[:MAX_SERIES_SCENARIOS]
    return [baseline, *keep], (
        f" With {len(others)} scenarios the chart shows the baseline and the {len(keep)} that cut delivered spam "
        "most; the others are in the charts above."
    )


def _factorial_facts(factorial: pd.DataFrame, outcome: str, factors: Sequence[str]) -> str:
    if not {"legislation", "cooperation"} <= set(factors):
        return ""
    rows = factorial.loc[factorial["outcome"].astype(str) == outcome]
    eff = dict(zip(rows["term"].astype(str), _num(rows, "effect")))
    t = "legislation:cooperation" if "legislation:cooperation" in eff else "cooperation:legislation"
    main, inter = eff.get("cooperation", np.nan), eff.get(t, np.nan)
    if not (math.isfinite(main) and math.isfinite(inter)):
        return ""
    label, unit, _ = outcome_info(outcome)
    with_law, without = main + inter, main - inter
    text = (
        f" Switching on cooperation {_change(with_law, unit, _lower(label))} where legislation is in place, "
        f"and {_change(without, unit, 'it')} where it is not"
        + (" (averaged over the other levers)." if len(factors) > 2 else ".")
    )
    row = rows.loc[rows["term"].astype(str) == t]
    if not row.empty:
        lo, hi = float(_num(row, "ci_low").iloc[0]), float(_num(row, "ci_high").iloc[0])
        if math.isfinite(lo) and math.isfinite(hi):
            if lo > 0 or hi < 0:
                text += " The gap is larger than the seed-to-seed noise: the two levers do depend on each other."
            else:
                text += (
                    " The gap is within the seed-to-seed noise (its 90 % interval includes zero), so the runs give "
                    "no clear evidence that cooperation depends on legislation."
                )
    return text


def _factorial_section(factorial: pd.DataFrame) -> Section | None:
    if not {"outcome", "term", "effect"} <= set(factorial.columns):
        return None
    have = list(dict.fromkeys(factorial["outcome"].astype(str)))
    outcome = next((o for o in ("spam_delivered", *have) if o in have), None)
    if outcome is None:
        return None
    rows = factorial.loc[factorial["outcome"].astype(str) == outcome]
    factors = [t for t in dict.fromkeys(rows["term"].astype(str)) if ":" not in t]  # the design's order
    if not factors:
        return None
    heading = SECTION_HEADINGS["factorial"] if {"legislation", "cooperation"} <= set(factors) else _FACTORIAL_GENERIC
    figures = [interaction_heatmap(factorial, outcome, factors)]
    if outcome != "social_cost" and "social_cost" in have:
        figures.append(interaction_heatmap(factorial, "social_cost", factors))
    text = (
        "Every combination of the levers was simulated, so their effects can be separated. On the diagonal, the "
        "effect of switching one lever on (averaged over all settings of the others); off the diagonal, how much "
        "two levers reinforce each other (blue, they do more together than apart) or get in each other's way "
        "(red). A value of zero off the diagonal means the two simply add up."
        + _factorial_facts(factorial, outcome, factors)
    )
    return Section(heading, text, figures)


def _priority_facts(rows: pd.DataFrame, outcome: str, levers: Sequence[str | None]) -> list[str]:
    label, unit, lower_better = outcome_info(outcome)
    facts = []
    for lv in levers:
        sub = rows if lv is None else rows.loc[rows["lever"].astype(str) == lv]
        gain = -_num(sub, "mean_diff") if lower_better else _num(sub, "mean_diff")
        if not gain.notna().any():
            continue
        best = sub.loc[gain.idxmax()]
        g = float(gain.max())
        what = f"with {str(lv).replace('_', ' ')}" if lv else "acting"
        if g > 0:
            change = "a fall" if lower_better else "a rise"
            facts.append(f"{best['country']} {what} ({change} in {_lower(label)} of {_fmt(g, unit)})")
        else:
            facts.append(f"no single country {what} improves {_lower(label)} on average")
    return facts


def _priority_section(priority: pd.DataFrame) -> Section | None:
    if not {"country", "outcome", "mean_diff"} <= set(priority.columns):
        return None
    have = list(dict.fromkeys(priority["outcome"].astype(str)))
    outcomes = [o for o in _PRIORITY_OUTCOMES if o in have] or have[:1]
    levers: list[str | None] = (
        list(dict.fromkeys(priority["lever"].astype(str))) if "lever" in priority.columns else [None]
    )
    figures, facts = [], []
    for outcome in outcomes:
        rows = priority.loc[priority["outcome"].astype(str) == outcome]
        figures += [priority_figure(priority, outcome, lever=lv) for lv in levers]
        facts += _priority_facts(rows, outcome, levers)
    text = (
        "If only one more country acted, where would it help most? Each bar is how much the outcome falls "
        "worldwide, against the baseline, when that single country adopts the policy on its own, with its "
        "90 % interval. Pale bars have intervals that include zero: the seeds do not agree that acting there "
        "makes a difference."
    )
    if facts:
        text += " Top of the list: " + "; ".join(facts) + "."
    return Section(SECTION_HEADINGS["priority"], text, figures)


def _cost_section(ce: pd.DataFrame) -> Section | None:
    if not {"scenario", "averted_m", "delta_cost"} <= set(ce.columns):
        return None
    facts = []
    cpm = _num(ce, "cost_per_m_averted")
    if cpm.notna().any():
        best = ce.loc[cpm.idxmin()]
        facts.append(
            f"The cheapest way to keep spam out of inboxes is {_q(best['scenario'])}, at "
            f"{_fmt(best['cost_per_m_averted'], 'USD')} per million messages averted."
        )
    if "on_frontier" in ce.columns:
        front = ce.loc[ce["on_frontier"].fillna(False).astype(bool)]
        if not front.empty:
            front = front.assign(_a=_num(front, "averted_m")).sort_values("_a")
            listed = [_q(s) for s in front["scenario"].astype(str)]
            if len(listed) > 8:
                listed = listed[:8] + [f"and {len(listed) - 8} more"]
            names = ", ".join(listed)
            facts.append(f"On the frontier, from least to most spam averted: {names}.")
        else:
            facts.append("No policy averts any spam here, so none is on the frontier.")
    return Section(
        SECTION_HEADINGS["cost"],
        "What each policy costs on top of the baseline (investigators, ISP measures, campaigns, legitimate mail "
        "lost) against the spam it keeps out of inboxes, both as means over seeds. Policies on the dashed "
        "frontier are the sensible choices: for each of them, no other policy is both cheaper and more "
        "effective. Grey circles are dominated: another policy does more for less. "
        + " ".join(facts),
        [cost_effectiveness_figure(ce)],
    )


def _runs_section(runs: pd.DataFrame, baseline: str) -> Section:
    total = len(runs)
    failed = int((runs["status"].astype(str) != "ok").sum()) if "status" in runs.columns else 0
    n_scen = runs["scenario"].nunique() if "scenario" in runs.columns else 0
    text = f"{total} simulation runs across {n_scen} scenarios; "
    if failed == 0:
        text += "all succeeded."
    else:
        text += (
            f"{failed} {'run' if failed == 1 else 'runs'} failed and {'is' if failed == 1 else 'are'} not in the "
            "charts above (the errors are listed below). A policy compared on fewer seeds than the others has "
            "wider intervals."
        )
    return Section(SECTION_HEADINGS["runs"], text, [runs_table_figure(runs, baseline=baseline)])


def _shown_scenarios(names: Sequence[str], comparison: pd.DataFrame | None, baseline: str) -> tuple[list[str], str]:
    """The baseline and at most :data:`MAX_SERIES_SCENARIOS` others (those that cut delivered
    spam most), so drop-downs stay short; and a sentence saying so when some are left out."""
    frame = pd.DataFrame({"scenario": list(names)})
    shown, note = _series_subset(frame, comparison, baseline)
    return (list(names) if shown is None else shown), note


def _map_section(country_series: pd.DataFrame, comparison: pd.DataFrame | None, baseline: str,
                 order: Sequence[str]) -> Section | None:
    if not {"scenario", "year", "country", "spam_sent", "spam_received"} <= set(country_series.columns):
        return None
    names = [n for n in order if n in set(country_series["scenario"].astype(str))]
    shown, note = _shown_scenarios(names, comparison, baseline)
    facts = ""
    base = country_series.loc[(country_series["scenario"].astype(str) == baseline)
                              & (country_series["country"].astype(str) != "ROW")]
    if not base.empty:
        tot = base.groupby(["seed", "country"] if "seed" in base.columns else ["country"])[
            ["spam_sent", "spam_received"]].sum()
        tot = tot.groupby("country").median() if "seed" in base.columns else tot
        net = (tot["spam_received"] - tot["spam_sent"]).sort_values()
        if len(net) and net.iloc[-1] > 0:
            facts = (f" In the baseline, {net.index[-1]} receives the most spam beyond what is sent from it "
                     f"({_fmt(net.iloc[-1], 'messages')} over the run), and {net.index[0]} sends the most beyond "
                     "what it receives.")
    return Section(
        SECTION_HEADINGS["map"],
        "Spam is sent from servers and infected machines in one country and lands in another. The map shades each "
        "country by the spam sent from it or received in it per year (median over seeds); pick a scenario and "
        "what to show in the menu, and step through the years with the slider or Play. A country that receives "
        "far more than it sends depends on action abroad. The rest of the world (ROW) has no outline and is "
        "not shown." + note + facts,
        [country_map_figure(country_series, baseline=baseline, scenarios=shown)],
    )


def _network_section(edges: pd.DataFrame | None, country_series: pd.DataFrame | None, baseline: str,
                     order: Sequence[str]) -> Section | None:
    """One before/after map per scenario whose channels change during the run (or the baseline's
    if none does), at most :data:`MAX_NETWORK_FIGURES`."""
    if edges is None and country_series is None:
        return None
    e = edges if edges is not None else pd.DataFrame(columns=["scenario", "when", "a", "b", "channel"])
    if not {"scenario", "when", "a", "b", "channel"} <= set(e.columns):
        return None
    countries = (sorted(set(country_series["country"].astype(str))) if country_series is not None
                 and "country" in country_series.columns else None)

    def pairs(scen: str, when: str) -> set:
        sub = e.loc[(e["scenario"].astype(str) == scen) & (e["when"] == when)]
        return set(zip(sub["a"], sub["b"], sub["channel"]))

    changed = [n for n in order if pairs(n, "start") != pairs(n, "end")]
    shown = changed[:MAX_NETWORK_FIGURES] or [baseline]
    text = (
        "A regulator can only ask another country for help with a case through a channel: a common enforcement "
        "network or a bilateral memorandum of understanding (MoU), with both countries having an anti-spam law "
        "and the powers to cooperate across borders. Each line is a pair of countries that can ask each other, "
        "coloured by the channel; left at the start, right at the end of the run. "
    )
    if changed:
        facts = []
        for n in changed[:MAX_NETWORK_FIGURES]:
            facts.append(f"{_q(n)} goes from {len(pairs(n, 'start'))} to {len(pairs(n, 'end'))} pairs")
        text += "Scenarios whose channels change: " + "; ".join(facts) + "."
        if len(changed) > MAX_NETWORK_FIGURES:
            text += f" ({len(changed) - MAX_NETWORK_FIGURES} more change too and are not drawn.)"
    else:
        text += "No scenario changes who can ask whom during the run; the baseline's channels are shown."
    centroids = country_centroids()
    return Section(SECTION_HEADINGS["network"], text,
                   [cooperation_network_figure(e, n, centroids=centroids, countries=countries) for n in shown])


def _relocations_section(relocations: pd.DataFrame, runs: pd.DataFrame | None, comparison: pd.DataFrame | None,
                         baseline: str, order: Sequence[str]) -> Section | None:
    if not {"scenario", "from_country", "to_country", "kind", "moves"} <= set(relocations.columns):
        return None
    n_runs = None
    if runs is not None and {"scenario", "status"} <= set(runs.columns):
        ok = runs.loc[runs["status"].astype(str) == "ok"]
        n_runs = ok.groupby(ok["scenario"].astype(str)).size().to_dict()
    names = [n for n in order if n in set(relocations["scenario"].astype(str))]
    shown, note = _shown_scenarios(names, comparison, baseline)
    facts = ""
    r = relocations.loc[relocations["from_country"].astype(str) != relocations["to_country"].astype(str)]
    base = r.loc[r["scenario"].astype(str) == baseline]
    if not base.empty:
        n = (n_runs or {}).get(baseline) or base["seed"].nunique()
        top = base.groupby(["from_country", "to_country"])["moves"].sum().sort_values(ascending=False)
        (a, b), v = top.index[0], float(top.iloc[0]) / max(int(n), 1)
        facts = f" In the baseline the busiest route is from {a} to {b}, {v:,.1f} moves per run."
    return Section(
        SECTION_HEADINGS["relocations"],
        "Spammers move where enforcement is weaker: operators move their home to escape prosecution, and their "
        "servers to where hosting is cheap and outbound controls lax. Each band is the mean number of moves per "
        "run from a country on the left to one on the right (the busiest routes only); hover a band to see "
        "whether operators or servers moved. Pick a scenario in the menu: a policy that closes one haven can "
        "push spammers to the next." + note + facts,
        [relocation_flows_figure(relocations, baseline=baseline, scenarios=shown, runs_per_scenario=n_runs)],
    )


def _sections(tables: Mapping[str, object], summary: Mapping, baseline: str) -> list[Section]:
    comparison = _table(tables, "comparison")
    series = _table(tables, "series")
    factorial = _table(tables, "factorial")
    priority = _table(tables, "priority")
    ce = _table(tables, "cost_effectiveness")
    runs = _table(tables, "runs")
    country_series = _table(tables, "country_series")
    relocations = _table(tables, "relocations")
    edges = _table(tables, "cooperation_edges")
    order = _scenario_order(tables, baseline)

    sections: list[Section | None] = []
    descriptions = summary.get("scenarios") or {}
    if not isinstance(descriptions, Mapping):
        descriptions = {}
    design = str(summary.get("design") or "")
    levers = []
    if priority is not None and "lever" in priority.columns:
        levers = list(dict.fromkeys(priority["lever"].astype(str)))
    analogues = summary.get("analogues") or {}
    if not isinstance(analogues, Mapping):
        analogues = {}
    sections.append(
        _scenarios_section({str(k): v for k, v in descriptions.items()}, order, baseline, design, levers,
                           {str(k): v for k, v in analogues.items()})
    )
    if comparison is not None and {"scenario", "outcome"} <= set(comparison.columns):
        sections.append(_bands_section(comparison, baseline, order))
        sections.append(_paired_section(comparison, baseline, order))
    if series is not None:
        sections.append(_series_section(series, comparison, baseline, order))
    if country_series is not None:
        sections.append(_map_section(country_series, comparison, baseline, order))
    if edges is not None or (country_series is not None and "cooperation_edges" in tables):
        sections.append(_network_section(edges, country_series, baseline, order))
    if relocations is not None:
        sections.append(_relocations_section(relocations, runs, comparison, baseline, order))
    if factorial is not None:
        sections.append(_factorial_section(factorial))
    if priority is not None:
        sections.append(_priority_section(priority))
    if ce is not None:
        sections.append(_cost_section(ce))
    if runs is not None:
        sections.append(_runs_section(runs, baseline))
    return [s for s in sections if s is not None]


def _subtitle(tables: Mapping[str, object], baseline: str, design: str) -> str | None:
    runs = _table(tables, "runs")
    comparison = _table(tables, "comparison")
    src = runs if runs is not None else comparison
    if src is None or "scenario" not in src.columns:
        return None
    n = len([s for s in dict.fromkeys(src["scenario"].astype(str)) if s != baseline])
    if design == "factorial":
        text = f"Every combination of the levers: {n} bundles compared with the baseline"
    elif design == "where_to_act":
        text = f"Where to act: {n} {'country' if n == 1 else 'countries'}, each acting alone, against the baseline"
    else:
        text = f"{n} {'policy' if n == 1 else 'policies'} compared with the baseline"
    if baseline != BASELINE:
        text += f" ({_q(baseline)})"
    if runs is not None and "seed" in runs.columns:
        ok = runs if "status" not in runs.columns else runs.loc[runs["status"].astype(str) == "ok"]
        text += f", on {ok['seed'].nunique()} common seeds"
    return text


def build_compare_report(tables: Mapping[str, pd.DataFrame | None] | None, summary: Mapping | None) -> Report:
    """The report of a comparison, from its tables and summary (nothing is rendered or written).

    ``tables`` maps names to DataFrames: ``runs``, ``series``, ``comparison``,
    ``cost_effectiveness``, ``country_series``, ``relocations``, ``cooperation_edges``,
    and optionally ``factorial`` and ``priority``; a missing, None or empty table drops
    its section (an empty ``cooperation_edges`` next to a ``country_series`` means no
    channels anywhere, and is drawn as such). ``summary`` carries
    ``headline`` (name -> value, for the cards), ``provenance`` and
    ``scenarios`` (name -> description), ``analogues`` (name -> real-world analogue),
    and, as the comparison writes them,
    ``baseline`` (the reference scenario's name; else ``"baseline"`` or the
    scenario without paired differences) and ``design`` (``scenarios``,
    ``factorial`` or ``where_to_act``, which tunes the wording).
    """
    tables = tables or {}
    summary = summary or {}
    baseline = str(summary.get("baseline") or _baseline_of(_table(tables, "comparison"), _table(tables, "runs")))
    return Report(
        title="simspam policy comparison",
        sections=_sections(tables, summary, baseline),
        provenance=_provenance(summary.get("provenance")),
        cards=_headline(summary.get("headline"),
                        headline_cards(_table(tables, "comparison"), _table(tables, "cost_effectiveness"), baseline)),
        subtitle=_subtitle(tables, baseline, str(summary.get("design") or "")),
        description=(
            "Each policy scenario was simulated many times, on the same random seeds as the baseline (common "
            "random numbers), so the differences shown come from the policy rather than from luck. Ranges are "
            "90 % intervals over seeds unless a chart says otherwise."
        ),
    )
