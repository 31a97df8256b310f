"""The HTML report for a comparison of policy scenarios.

A comparison runs several named policy scenarios and a ``baseline`` on the
same seeds (common random numbers) and condenses them into tidy tables
(``runs``, ``series``, ``comparison``, ``cost_effectiveness`` and, for some
designs, ``factorial`` and ``priority``) plus a ``summary`` dict. This module
turns those into one self-contained page for a policymaker: headline cards,
then one section per question, each with a sentence or two of plain language
and the numbers that answer it, and the provenance needed to rerun the
experiment. It works on tables only, so the page can be rebuilt from saved
outputs. Sections whose table is missing (or empty) are left out.
"""

from __future__ import annotations

import html
import math
import os
from collections.abc import Mapping, Sequence
from pathlib import Path

import numpy as np
import pandas as pd

from simspam.report.html import Section, render_page, write_atomic
from simspam.viz.compare_figures import (
    BASELINE,
    LEVERS,
    cost_effectiveness_figure,
    interaction_heatmap,
    outcome_bands_figure,
    outcome_info,
    paired_difference_figure,
    priority_figure,
    runs_table_figure,
    series_bands_figure,
)
from simspam.viz.run_figures import human_number

__all__ = ["build_compare_report", "write_compare_report", "SECTION_HEADINGS"]

#: Section headings in page order (the factorial one is replaced by
#: "How the levers combine" when the design lacks legislation or cooperation).
SECTION_HEADINGS: dict[str, str] = {
    "scenarios": "The policies compared",
    "bands": "What each policy buys",
    "paired": "Against the baseline, seed by seed",
    "series": "Over time",
    "factorial": "Does cooperation only pay where there is legislation?",
    "priority": "Where to act next",
    "cost": "Cost-effectiveness",
    "runs": "Runs",
}
_FACTORIAL_GENERIC = "How the levers combine"

_BAND_OUTCOMES = ("spam_delivered", "social_cost")
_PAIRED_OUTCOMES = ("spam_delivered", "consumer_hours", "social_cost", "spammer_revenue")
_SERIES_COLUMNS = ("delivered", "spam_share")
_KEY_OUTCOMES = ("spam_delivered", "social_cost", "consumer_hours", "spam_sent")


# --------------------------------------------------------------------------
# small helpers
# --------------------------------------------------------------------------


def _table(tables: Mapping[str, object] | None, name: str) -> pd.DataFrame | None:
    """The table ``name`` if it is present and has rows, else None."""
    if not tables:
        return None
    df = tables.get(name)
    if df is None or not isinstance(df, pd.DataFrame) or df.empty:
        return None
    return df


def _q(name: object) -> str:
    """A scenario name quoted in running text (escaped later by render_page)."""
    return f"\u201c{name}\u201d"


def _lower(label: str) -> str:
    return label[:1].lower() + label[1:]


def _fmt(value: object, unit: str, *, signed: bool = False) -> str:
    try:
        x = float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return "n/a"
    if not math.isfinite(x):
        return "n/a"
    plus = "+" if signed and x > 0 else ""
    if unit == "%":
        return f"{plus}{x:.1f} {'percentage points' if signed else '%'}"
    if unit == "USD":
        return plus + human_number(x, money=True)
    text = plus + human_number(x)
    return f"{text} {unit}" if unit else text


def _magnitude(value: float, unit: str) -> str:
    """An unsigned amount for sentences that already say "cuts" or "raises"."""
    return _fmt(abs(value), unit)


def _pct(x: float) -> str:
    return f"{100.0 * x:.0f} %" if math.isfinite(x) else "n/a"


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


def _headline(headline: Mapping[str, object] | None) -> dict[str, object]:
    """Headline entries ready for :func:`simspam.report.html.format_headline`.

    A number whose key ends in ``_m`` is in millions (e.g. ``spam_averted_m``):
    it is multiplied out and the suffix dropped from the label, so the card
    reads "12.3 M" under "Spam averted" rather than "12.3" under "Spam averted m".
    Text values (e.g. ``best_scenario``) are shown as they are (escaped).
    """
    out: dict[str, object] = {}
    for name, value in (headline or {}).items():
        key = str(name)
        if (
            key.endswith("_m")
            and len(key) > 2
            and not isinstance(value, (Mapping, bool, str))
            and value is not None
        ):
            try:
                x = float(value)  # type: ignore[arg-type]
            except (TypeError, ValueError):
                out[key] = value
                continue
            label = key[:-2].replace("_", " ").strip()
            out[key] = {"value": x * 1e6, "label": label[:1].upper() + label[1:]}
        else:
            out[key] = value
    return out


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


def _provenance(provenance: Mapping[str, object] | None) -> dict[str, object]:
    """The comparison records ``seeds`` (a list); the panel shows it as its "Seed" row."""
    prov = dict(provenance or {})
    if "seed" not in prov and "seeds" in prov:
        prov["seed"] = _seed_text(prov.pop("seeds"))
    return prov


# --------------------------------------------------------------------------
# sections
# --------------------------------------------------------------------------


def _scenarios_section(descriptions: Mapping[str, object], order: Sequence[str]) -> Section:
    names = [n for n in order if n in descriptions] + [str(n) for n in descriptions if str(n) not in order]
    rows = "".join(
        f'<tr><td>{html.escape(str(n))}</td><td style="text-align:left">'
        f"{html.escape('' if descriptions.get(n) is None else str(descriptions.get(n)))}</td></tr>"
        for n in names
    )
    table = (
        '<table class="scenarios"><thead><tr><th>Policy scenario</th>'
        f'<th style="text-align:left">What it changes</th></tr></thead><tbody>{rows}</tbody></table>'
    )
    return Section(
        SECTION_HEADINGS["scenarios"],
        "Each scenario below was simulated on the same list of random seeds as the baseline, which keeps "
        "today's policies and adds nothing new. Everything on this page is measured against that baseline.",
        [],
        table_html=table,
    )


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
    best = rows.loc[averted.idxmax()]
    md, lo, hi = float(best["mean_diff"]), float(best.get("ci_low", np.nan)), float(best.get("ci_high", np.nan))
    verb = "cuts" if md < 0 else "raises"
    text = (
        f" Largest improvement in {_lower(label)}: {_q(best['scenario'])} {verb} it by "
        f"{_magnitude(md, unit)} on average (90 % interval {_fmt(lo, unit, signed=True)} to "
        f"{_fmt(hi, unit, signed=True)})"
    )
    pb = float(pd.to_numeric(pd.Series([best.get("p_better", np.nan)]), errors="coerce").iloc[0])
    if math.isfinite(pb):
        text += f" and beats the baseline on {_pct(pb)} of seeds"
    text += "."
    if math.isfinite(lo) and math.isfinite(hi) and lo <= 0 <= hi:
        text += " Its interval still crosses zero, so the seeds do not settle whether it helps."
    return text


def _variance_sentence(comparison: pd.DataFrame, outcomes: Sequence[str], baseline: str) -> str:
    rows = comparison.loc[comparison["outcome"].astype(str).isin(outcomes) & (comparison["scenario"].astype(str) != baseline)]
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


def _series_section(series: pd.DataFrame, baseline: str, order: Sequence[str]) -> Section | None:
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
    return Section(
        SECTION_HEADINGS["series"],
        "Year by year: when a policy starts to bite and whether its effect lasts. Each line is the median over "
        "seeds and the shaded band covers 80 % of them (10th to 90th percentile). Click a name in the legend to "
        "hide or show it." + facts,
        [series_bands_figure(series, c, baseline=baseline, order=order) for c in columns],
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
        f" Averaged over the other levers, switching on cooperation changes {_lower(label)} by "
        f"{_fmt(with_law, unit, signed=True)} where legislation is in place and by "
        f"{_fmt(without, unit, signed=True)} where it is not."
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
    mains = [t for t in dict.fromkeys(rows["term"].astype(str)) if ":" not in t]
    factors = [lv for lv in LEVERS if lv in mains] + [t for t in mains if t not in LEVERS]
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


def _priority_section(priority: pd.DataFrame) -> Section | None:
    if not {"country", "outcome", "mean_diff"} <= set(priority.columns):
        return None
    have = list(dict.fromkeys(priority["outcome"].astype(str)))
    outcome = next((o for o in ("spam_delivered", *have) if o in have), None)
    if outcome is None:
        return None
    rows = priority.loc[priority["outcome"].astype(str) == outcome]
    levers = list(dict.fromkeys(rows["lever"].astype(str))) if "lever" in rows.columns else [None]
    label, unit, lower_better = outcome_info(outcome)
    figures = [priority_figure(priority, outcome, lever=lv) for lv in levers]
    facts = []
    for lv in levers:
        sub = rows if lv is None else rows.loc[rows["lever"].astype(str) == lv]
        gain = -_num(sub, "mean_diff") if lower_better else _num(sub, "mean_diff")
        if not gain.notna().any():
            continue
        best = sub.loc[gain.idxmax()]
        g = float(gain.max())
        what = f"for {str(lv).replace('_', ' ')}" if lv else "overall"
        if g > 0:
            change = "fall" if lower_better else "rise"
            facts.append(f"{what}, {best['country']} (a {change} of {_fmt(g, unit)})")
        else:
            facts.append(f"{what}, no single country improves it on average")
    text = (
        f"If only one more country acted, where would it help most? Each bar is the {'fall' if lower_better else 'rise'} "
        f"in {_lower(label)} worldwide, against the baseline, when that single country adopts the lever, with its "
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
            names = ", ".join(_q(s) for s in front["scenario"].astype(str))
            facts.append(f"On the frontier, from least to most spam averted: {names}.")
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
    text += (
        "all succeeded."
        if failed == 0
        else f"{failed} failed and are left out of every chart above (their errors are listed below). A policy "
        "compared on fewer seeds than the others has wider intervals."
    )
    return Section(SECTION_HEADINGS["runs"], text, [runs_table_figure(runs, baseline=baseline)])


def _sections(tables: Mapping[str, object], summary: Mapping, baseline: str) -> list[Section]:
    comparison = _table(tables, "comparison")
    series = _table(tables, "series")
    factorial = _table(tables, "factorial")
    priority = _table(tables, "priority")
    ce = _table(tables, "cost_effectiveness")
    runs = _table(tables, "runs")
    order = _scenario_order(tables, baseline)

    sections: list[Section | None] = []
    descriptions = summary.get("scenarios") or {}
    if isinstance(descriptions, Mapping) and descriptions:
        sections.append(_scenarios_section({str(k): v for k, v in descriptions.items()}, order))
    if comparison is not None and {"scenario", "outcome"} <= set(comparison.columns):
        sections.append(_bands_section(comparison, baseline, order))
        sections.append(_paired_section(comparison, baseline, order))
    if series is not None:
        sections.append(_series_section(series, baseline, order))
    if factorial is not None:
        sections.append(_factorial_section(factorial))
    if priority is not None:
        sections.append(_priority_section(priority))
    if ce is not None:
        sections.append(_cost_section(ce))
    if runs is not None:
        sections.append(_runs_section(runs, baseline))
    return [s for s in sections if s is not None]


def _subtitle(tables: Mapping[str, object], baseline: str) -> str | None:
    runs = _table(tables, "runs")
    comparison = _table(tables, "comparison")
    src = runs if runs is not None else comparison
    if src is None or "scenario" not in src.columns:
        return None
    others = [s for s in dict.fromkeys(src["scenario"].astype(str)) if s != baseline]
    text = f"{len(others)} {'policy' if len(others) == 1 else 'policies'} compared with the baseline"
    if runs is not None and "seed" in runs.columns:
        ok = runs if "status" not in runs.columns else runs.loc[runs["status"].astype(str) == "ok"]
        text += f", on {ok['seed'].nunique()} common seeds"
    return text


def build_compare_report(tables: Mapping[str, pd.DataFrame | None] | None, summary: Mapping | None) -> str:
    """The full HTML page for a comparison, as a string (nothing is written).

    ``tables`` maps names to DataFrames: ``runs``, ``series``, ``comparison``,
    ``cost_effectiveness``, and optionally ``factorial`` and ``priority``; a
    missing, None or empty table drops its section. ``summary`` carries
    ``headline`` (name -> value, for the cards), ``provenance`` and
    ``scenarios`` (name -> description).
    """
    tables = tables or {}
    summary = summary or {}
    baseline = _baseline_of(_table(tables, "comparison"), _table(tables, "runs"))
    return render_page(
        "simspam policy comparison",
        _sections(tables, summary, baseline),
        _provenance(summary.get("provenance")),
        headline=_headline(summary.get("headline")),
        subtitle=_subtitle(tables, baseline),
        description=(
            "Each policy scenario was simulated many times, on the same random seeds as the baseline (common "
            "random numbers), so the differences shown come from the policy rather than from luck. Ranges are "
            "90 % intervals over seeds unless a chart says otherwise."
        ),
    )


def write_compare_report(
    path: str | os.PathLike[str],
    tables: Mapping[str, pd.DataFrame | None] | None,
    summary: Mapping | None,
) -> Path:
    """Render the comparison report and write it atomically to ``path``.

    The page is built completely in memory first, so a failure leaves no file
    (and leaves a previous report at ``path`` intact). Missing parent
    directories are created.
    """
    page = build_compare_report(tables, summary)
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    return write_atomic(target, page)
