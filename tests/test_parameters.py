"""Every number that shapes behaviour is a declared parameter (unit, range, source), and
every declared parameter is read by the model.

The model's modules (core, agents, levers) may hold module-level numbers only when they
are numerical devices or the shape of the data, each listed here with its reason; a new
behavioural constant must go into the schema instead (and docs/model.md's table of
what is left, section 3.5, says why each of these is not a parameter)."""
from __future__ import annotations

import ast
import dataclasses
import re
from pathlib import Path

from simspam.config import schema

ROOT = Path(__file__).resolve().parents[1]
MODEL = [ROOT / "simspam" / d for d in ("core", "agents", "levers")]

# name -> why it may stay in the code
ALLOWED = {
    "TERMS_DAYS": "numerical: days of Poisson terms computed at once",
    "_SMALL_MU": "numerical: exact Poisson table below this mean",
    "_KMAX": "numerical: Poisson table length",
    "_INV_K": "numerical: derived from _KMAX",
    "_INV_K_LIST": "numerical: derived from _KMAX",
    "_LOOP_CELLS": "numerical: loop or table, same numbers",
    "MAX_ISPS": "the shape of the world table",
    "REFERENCE_GDP": "normalisation of GDP in the world table",
}


def _numeric(node: ast.AST) -> bool:
    """A number, or an expression or container built only from numbers."""
    if isinstance(node, ast.Constant):
        return isinstance(node.value, (int, float)) and not isinstance(node.value, bool)
    if isinstance(node, (ast.UnaryOp, ast.BinOp)):
        return all(_numeric(n) for n in ast.iter_child_nodes(node) if not isinstance(n, (ast.operator, ast.unaryop)))
    if isinstance(node, (ast.List, ast.Tuple)):
        return bool(node.elts) and all(_numeric(e) for e in node.elts)
    if isinstance(node, ast.Call):  # np.array([...]), np.arange(1, K), float(...)
        return bool(node.args) and all(_numeric(a) or isinstance(a, ast.Name) for a in node.args)
    return False


def test_no_behavioural_constants_hide_in_the_model_code():
    found = {}
    for folder in MODEL:
        for path in sorted(folder.glob("*.py")):
            for node in ast.parse(path.read_text(encoding="utf-8")).body:
                if isinstance(node, (ast.Assign, ast.AnnAssign)) and _numeric(node.value):
                    targets = node.targets if isinstance(node, ast.Assign) else [node.target]
                    for t in targets:
                        if isinstance(t, ast.Name) and t.id not in ALLOWED:
                            found[t.id] = f"{path.relative_to(ROOT)}:{node.lineno}"
    assert not found, f"numbers outside the schema (declare them with P(...) or list them with a reason): {found}"


def _declared(dc, prefix=""):
    for f in dataclasses.fields(dc):
        default = f.default_factory() if f.default_factory is not dataclasses.MISSING else f.default
        if dataclasses.is_dataclass(default):
            yield from _declared(type(default), f"{prefix}{f.name}.")
        elif f.metadata:
            yield f"{prefix}{f.name}", f


def test_every_model_parameter_is_read_by_the_model():
    """A declared parameter nobody reads would be documentation of a model that does not run."""
    code = "\n".join(p.read_text(encoding="utf-8") for folder in MODEL for p in folder.glob("*.py"))
    code += (ROOT / "simspam" / "metrics" / "summary.py").read_text(encoding="utf-8")
    calibration = "\n".join(p.read_text(encoding="utf-8") for p in (ROOT / "simspam" / "calibration").glob("*.py"))
    unread = []
    for key, f in _declared(schema.Params, "params."):
        name = key.rsplit(".", 1)[1]
        if not re.search(rf"\.{name}\b", code) and not re.search(rf"\b{name}\b", calibration):
            unread.append(key)
    assert not unread, f"declared but never read: {unread}"


def test_every_parameter_has_unit_range_and_source():
    missing = []
    for key, f in _declared(schema.SimConfig):
        meta = f.metadata
        if not meta.get("doc") or not meta.get("unit") or not meta.get("source"):
            missing.append(key)
        numeric = f.type in ("float", "int", float, int) or "list[float]" in str(f.type)
        if numeric and meta.get("lo") is None and meta.get("hi") is None and key not in ("design.row",):
            missing.append(key + " (range)")
    assert not missing, missing


def test_a_cap_that_binds_is_logged_once_when_it_starts_to_bind():
    """Caps shape results, so a run says when one binds: an event cap_binding naming the
    parameter, at the transition into binding (not every day it keeps binding)."""
    from conftest import TINY

    import simspam

    res = simspam.simulate(simspam.compose(TINY + ["years=2", "params.spammers.potential_entrants=1",
                                                   "params.spammers.entry_rate=50",
                                                   "params.botnets.max_load=1.0",
                                                   "params.botnets.messages_per_bot=10"]))
    caps = res.events[res.events["kind"] == "cap_binding"]
    assert {"params.spammers.potential_entrants", "params.botnets.max_load"} <= set(caps["detail"])
    assert (caps["value"] > 0).all()
    # every binding spell is logged once: fewer events than the days or rounds it binds
    assert len(caps) < 40
    loose = simspam.simulate(simspam.compose(TINY + ["years=2", "params.spammers.potential_entrants=100000"]))
    assert "params.spammers.potential_entrants" not in set(loose.events.loc[loose.events["kind"] == "cap_binding", "detail"])
