"""The calibrated default's headline figures are pinned: any drift fails here.

A model change that moves them is either a bug or a deliberate change; for the latter,
rewrite the baseline with ``tests/baselines/update_calibrated_headline.py`` (the only
thing that writes it) and say why in the commit.  A later change that worsens the fit
shows up here first, and in ``simspam-validate``'s hit rate.
"""
from __future__ import annotations

import importlib.util
import json
import math
from pathlib import Path

BASELINE = Path(__file__).parent / "baselines" / "calibrated_headline.json"
RTOL = 1e-6   # same platform: bit-identical in practice; the tolerance only absorbs libm differences


def _updater():
    spec = importlib.util.spec_from_file_location("update_baseline", BASELINE.parent / "update_calibrated_headline.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def drift(pinned: dict, now: dict, rtol: float = RTOL) -> list[str]:
    out = []
    for seed, figures in pinned.items():
        for key, old in figures.items():
            new = now.get(seed, {}).get(key)
            if new is None:
                out.append(f"seed {seed} {key}: missing now")
            elif not math.isclose(new, old, rel_tol=rtol, abs_tol=1e-9):
                out.append(f"seed {seed} {key}: pinned {old:.8g}, now {new:.8g} ({(new - old) / (abs(old) or 1):+.2%})")
    return out


def test_calibrated_headline_matches_the_pinned_baseline():
    pinned = json.loads(BASELINE.read_text())
    now = _updater().headline_figures()
    problems = drift(pinned["headline"], now)
    assert not problems, ("calibrated default drifted from tests/baselines/calibrated_headline.json "
                          "(if intended, run tests/baselines/update_calibrated_headline.py):\n" + "\n".join(problems))


def test_drift_detects_a_small_change():
    """The comparison itself must fail on a change well above the tolerance."""
    pinned = {"0": {"spam_sent": 1.0e15, "arrests": 3.0}}
    assert drift(pinned, {"0": {"spam_sent": 1.0e15, "arrests": 3.0}}) == []
    assert drift(pinned, {"0": {"spam_sent": 1.0e15 * (1 + 1e-4), "arrests": 3.0}})
    assert drift(pinned, {"0": {"spam_sent": 1.0e15}})
