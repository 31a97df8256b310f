"""Markdown tables of every declared parameter, lever field and output column.

    python -m simspam.docgen            # print all tables to stdout
    python -m simspam.docgen --write    # refresh the generated blocks in docs/
    python -m simspam.docgen --check    # exit 1 if docs/ is out of date

The tables are generated from the declarations themselves -- ``P(...)`` and
``choice(...)`` metadata in :mod:`simspam.config.schema` and :mod:`simspam.levers`,
the ``DAILY`` / ``EVENTS`` column table in :mod:`simspam.core.columns` and the
outcome catalogue in :mod:`simspam.metrics.outcomes` -- so the documentation cannot
drift from the code.  It reads every layer's declarations, so it sits at the top of the
layers (``docs/architecture.md``), beside the commands.  Generated text sits between marker
comments in ``docs/model.md`` (parameters, levers) and ``docs/outputs.md``
(outputs); everything outside the markers is hand-written and left alone.

Output is deterministic: no dates, no environment-dependent values.
"""
from __future__ import annotations

import argparse
import dataclasses
import re
import sys
import typing
from pathlib import Path
from typing import Any, Iterable

from .config import schema

# ---------------------------------------------------------------------------- markers

BLOCKS = {
    # block name: (file under docs/, generator name)
    "SCHEDULE": ("model.md", "schedule_list"),
    "PARAMETERS": ("model.md", "parameter_tables"),
    "LEVERS": ("model.md", "lever_tables"),
    "OUTPUTS": ("outputs.md", "outputs_tables"),
}


def begin_marker(block: str) -> str:
    return f"<!-- BEGIN GENERATED {block} -->"


def end_marker(block: str) -> str:
    return f"<!-- END GENERATED {block} -->"


# ---------------------------------------------------------------------------- formatting

SECTION_TITLES = {
    "": "Run",
    "world": "World",
    "params.spammers": "Spam operations",
    "params.isps": "ISPs",
    "params.consumers": "Consumers",
    "params.botnets": "Botnets",
    "params.regulators": "Regulators and cases",
}

# Meanings of lever fields that carry no P(...)/choice(...) metadata in the code.  The
# field's own metadata always wins; these only fill the gap (and say so in the table).
FALLBACK_DOCS = {
    "description": "Free text shown in reports; not used by the simulation.",
    "cooperation_network.network": "Name of the network.  Joining an existing one (LAP, CNSA, SMMOU from the world "
                                   "table, or one an earlier lever created) merges into it.",
    "cooperation_network.contact_point": "Members have a single national contact point; without one, requests take "
                                         "params.regulators.no_contact_point_factor times as long (2).",
    "cooperation_network.grant_powers": "Also give cross-border powers to members that have a law.",
    "legislation.cross_border": "Give the regulator cross-border powers (needed for any mutual assistance).",
    "case.against": "ISO3 code or bloc: the target is the largest active operation homed there.",
}
FALLBACK_RANGES = {
    "case.against": "ISO3 or bloc",
    "cooperation_network.network": "a name",
}


def _cell(text: Any) -> str:
    """One Markdown table cell: pipes escaped, whitespace collapsed."""
    return " ".join(str(text).split()).replace("|", "\\|")


def _num(x: Any) -> str:
    """Compact, deterministic rendering of a number."""
    if isinstance(x, bool):
        return "true" if x else "false"
    if isinstance(x, int):
        return str(x)
    if isinstance(x, float):
        if x == 0:
            return "0"
        s = f"{x:.6g}"
        return re.sub(r"e([+-])0*(\d+)", lambda m: "e" + ("-" if m.group(1) == "-" else "") + m.group(2), s)
    return str(x)


def _value(v: Any) -> str:
    if v is None:
        return "(none)"
    if isinstance(v, (list, tuple)):
        return "`[" + ", ".join(_num(x) for x in v) + "]`"
    if isinstance(v, str):
        return f"`{v}`" if v else '`""`'
    return f"`{_num(v)}`"


def _range(meta: dict, default: Any, hint: Any = None, key: str = "") -> str:
    choices = meta.get("choices")
    if choices:
        return ", ".join(f"`{c}`" for c in choices)
    lo, hi = meta.get("lo"), meta.get("hi")
    if lo is None and hi is None:
        if key in FALLBACK_RANGES:
            return FALLBACK_RANGES[key]
        if hint is bool or isinstance(default, bool):
            return "`true`, `false`"
        return "-"
    lo_s = _num(lo) if lo is not None else "-inf"
    hi_s = _num(hi) if hi is not None else "inf"
    body = f"[{lo_s}, {hi_s}]"
    if meta.get("integer"):
        body = "integer " + body
    if isinstance(default, list):
        body = "each " + body
    return body


def _table(rows: Iterable[tuple[str, ...]], header: tuple[str, ...]) -> str:
    lines = ["| " + " | ".join(header) + " |", "|" + "|".join("---" for _ in header) + "|"]
    for r in rows:
        lines.append("| " + " | ".join(_cell(c) for c in r) + " |")
    return "\n".join(lines)


PARAM_HEADER = ("key", "default", "range", "unit", "source", "meaning")
RUN_HEADER = ("key", "default run", "declared", "range", "unit", "source", "meaning")


# ---------------------------------------------------------------------------- schedule

def schedule_list() -> str:
    """The day's phases, in order: the labels of ``Simulation.STEP_PLAN`` (the sequence the day
    loop runs) and the first paragraph of each phase method's docstring."""
    from .core.sim import Simulation

    return "\n".join(f"{i}. **{label}**: {text}" for i, (label, text) in enumerate(Simulation.describe_plan(), 1)) + "\n"


# ---------------------------------------------------------------------------- parameters

def _sections(cls: type, prefix: str = "") -> list[tuple[str, type, list[tuple[str, Any, dict]]]]:
    """(dotted prefix, dataclass, declared fields) for ``cls`` and every nested config, in field order."""
    out = []
    declared = schema.declared(cls)
    if declared:
        out.append((prefix, cls, declared))
    for f in dataclasses.fields(cls):
        if f.metadata or f.default_factory is dataclasses.MISSING:
            continue
        sub = f.default_factory()
        if dataclasses.is_dataclass(sub):
            out.extend(_sections(type(sub), f"{prefix}.{f.name}" if prefix else f.name))
    return out


def _default_run() -> dict:
    """The configuration the default run uses (``simspam`` with no overrides): composed exactly as
    the command line composes it, so the tables show what runs -- the calibrated values of
    ``conf/params/calibrated.yaml`` where the fit set them -- and not only the declarations."""
    from omegaconf import OmegaConf

    from .config.compose import compose

    return OmegaConf.to_container(compose([]), resolve=True)


def _lookup(config: dict, key: str) -> Any:
    for part in key.split("."):
        config = config[part]
    return config


def _run_value(used: Any, declared: Any) -> str:
    """The default run's value, marked when it is not the declared one (the fit set it)."""
    if used == declared or (isinstance(used, float) and isinstance(declared, (int, float))
                            and float(declared) == used):
        return _value(used)
    shown = f"{used:.4g}" if isinstance(used, float) else str(used)
    return f"**`{shown}`** (fitted)"


def parameter_tables() -> str:
    """One Markdown table per configuration section (run, world, params.*): the value the default
    run uses (fitted values in bold), the declared default beside it, range, unit, source."""
    parts = []
    config = _default_run()
    for prefix, cls, declared in _sections(schema.SimConfig):
        title = SECTION_TITLES.get(prefix, prefix)
        where = f"`{prefix}.*`" if prefix else "top-level keys"
        rows = []
        for name, default, meta in declared:
            key = f"{prefix}.{name}" if prefix else name
            rows.append((f"`{key}`", _run_value(_lookup(config, key), default), _value(default),
                         _range(meta, default), meta.get("unit") or "-", meta.get("source") or "-",
                         meta.get("doc") or ""))
        parts.append(f"### {title} ({where}, `{cls.__name__}`)\n\n" + _table(rows, RUN_HEADER))
    return "\n\n".join(parts) + "\n"


# ---------------------------------------------------------------------------- levers

def _lever_rows(cls: type, names: list[str], kind: str | None) -> list[tuple[str, ...]]:
    hints = typing.get_type_hints(cls)
    by_name = {f.name: f for f in dataclasses.fields(cls)}
    rows = []
    for name in names:
        f = by_name[name]
        meta = dict(f.metadata or {})
        if f.default_factory is not dataclasses.MISSING:
            default = f.default_factory()
        else:
            default = f.default
        fb_key = f"{kind}.{name}" if kind else name
        doc = meta.get("doc") or FALLBACK_DOCS.get(fb_key) or FALLBACK_DOCS.get(name, "")
        # P(...) defaults source to "EST"; for a date, a list of countries or a name that says
        # nothing (they are scenario choices, not estimates), so only numeric fields show it.
        numeric = meta.get("lo") is not None or meta.get("hi") is not None
        source = (meta.get("source") or "-") if numeric else "-"
        rows.append((f"`{name}`", _value(default), _range(meta, default, hints.get(name), fb_key),
                     meta.get("unit") or "-", source, doc))
    return rows


def _doc_first_paragraph(obj: Any) -> str:
    doc = obj.__doc__ or ""
    if isinstance(obj, type) and doc.startswith(obj.__name__ + "("):  # dataclass's generated signature
        return ""
    para = doc.strip().split("\n\n")[0]
    return " ".join(para.split())


def lever_tables() -> str:
    """The fields every lever shares, then one table per registered lever or event type."""
    from .levers import REGISTRY
    from .levers.base import Lever

    base_names = [f.name for f in dataclasses.fields(Lever) if f.name != "name"]
    parts = ["### Fields of every lever and event\n\n"
             "Keys under `scenario.levers.<name>` or `scenario.events.<name>`, besides `type`.  "
             "`<name>` is the entry's own label.\n\n" + _table(_lever_rows(Lever, base_names, None), PARAM_HEADER)]
    modules: dict[str, list[tuple[str, type]]] = {}
    for kind, cls in REGISTRY.items():
        modules.setdefault(cls.__module__, []).append((kind, cls))
    for module_name, members in modules.items():
        module = sys.modules[module_name]
        heading = (module.__doc__ or module_name).strip().splitlines()[0].rstrip(".")
        parts.append(f"### {heading}")
        for kind, cls in members:
            own = [f.name for f in dataclasses.fields(cls) if f.name not in base_names and f.name != "name"]
            text = f"#### `type: {kind}`"
            intro = _doc_first_paragraph(cls)
            if intro:
                text += "\n\n" + intro.replace("``", "`")
            if own:
                text += "\n\n" + _table(_lever_rows(cls, own, kind), PARAM_HEADER)
            else:
                text += "\n\nNo fields beyond the common ones."
            parts.append(text)
    return "\n\n".join(parts) + "\n"


# ---------------------------------------------------------------------------- outputs

# Key columns that the table builder (simspam.metrics.tables.daily_table) adds in front of DAILY.
DAILY_KEYS = {
    "date": ("datetime64[ms]", "date", "the simulated day (one row per day and country)"),
    "country": ("string", "ISO3", "the country the row is about"),
}


def outputs_tables() -> str:
    """Columns of daily.parquet and events.parquet, and the headline keys of summary.json."""
    from .core.columns import DAILY, EVENTS
    from .metrics.outcomes import CATALOGUE, HEADLINE

    header = ("column", "dtype", "unit", "meaning")
    daily = [(f"`{k}`", f"`{d}`", u, m) for k, (d, u, m) in {**DAILY_KEYS, **DAILY}.items()]
    events = [(f"`{k}`", f"`{d}`", u, m) for k, (d, u, m) in EVENTS.items()]
    heads = [(f"`{k}`", CATALOGUE[k].unit, CATALOGUE[k].better, CATALOGUE[k].meaning) for k in HEADLINE]
    return ("### `daily.parquet`\n\nOne row per simulated day and country.\n\n" + _table(daily, header)
            + "\n\n### `events.parquet`\n\nOne row per event, sorted by time (ties in the order they happened).\n\n"
            + _table(events, header)
            + "\n\n### `summary.json`: `headline`\n\n" + _table(heads, ("key", "unit", "better", "meaning")) + "\n")


# ---------------------------------------------------------------------------- files

def docs_dir() -> Path:
    """The checkout's docs/ folder (simspam/docgen.py -> ../docs)."""
    return Path(__file__).resolve().parents[1] / "docs"


def generate(block: str) -> str:
    return globals()[BLOCKS[block][1]]()


def replace_block(text: str, block: str, content: str) -> str:
    """``text`` with the part between the block's markers replaced by ``content``."""
    begin, end = begin_marker(block), end_marker(block)
    i, j = text.find(begin), text.find(end)
    if i < 0 or j < 0 or j < i:
        raise ValueError(f"markers {begin} / {end} not found (in that order)")
    return text[: i + len(begin)] + "\n" + content.rstrip("\n") + "\n" + text[j:]


def _updated(docs: Path) -> dict[Path, tuple[str, str]]:
    """file -> (current text, text with every generated block refreshed)."""
    out: dict[Path, tuple[str, str]] = {}
    for block, (fname, _) in BLOCKS.items():
        path = docs / fname
        if path not in out:
            text = path.read_text(encoding="utf-8")
            out[path] = (text, text)
        old, new = out[path]
        out[path] = (old, replace_block(new, block, generate(block)))
    return out


def check(docs: Path | None = None) -> list[str]:
    """Names of out-of-date generated blocks (empty when docs/ is current)."""
    docs = docs or docs_dir()
    stale = []
    for block, (fname, _) in BLOCKS.items():
        path = docs / fname
        if not path.is_file():
            stale.append(f"{fname}: missing")
            continue
        text = path.read_text(encoding="utf-8")
        try:
            if replace_block(text, block, generate(block)) != text:
                stale.append(f"{fname}: {block}")
        except ValueError as exc:
            stale.append(f"{fname}: {exc}")
    return stale


def write(docs: Path | None = None) -> list[Path]:
    """Refresh every generated block; return the files that changed."""
    docs = docs or docs_dir()
    changed = []
    for path, (old, new) in _updated(docs).items():
        if new != old:
            path.write_text(new, encoding="utf-8")
            changed.append(path)
    return changed


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m simspam.docgen", description=__doc__.splitlines()[0])
    mode = ap.add_mutually_exclusive_group()
    mode.add_argument("--write", action="store_true", help="refresh the generated blocks in docs/")
    mode.add_argument("--check", action="store_true", help="exit 1 if docs/ is out of date")
    ap.add_argument("--docs", type=Path, default=None, help="docs folder (default: the checkout's docs/)")
    args = ap.parse_args(argv)
    if args.check:
        stale = check(args.docs)
        for s in stale:
            print(f"out of date: {s}  (run: python -m simspam.docgen --write)", file=sys.stderr)
        return 1 if stale else 0
    if args.write:
        for path in write(args.docs):
            print(f"updated {path}")
        return 0
    sys.stdout.write("## Day loop\n\n" + schedule_list() + "\n## Parameters\n\n" + parameter_tables() + "\n## Levers and events\n\n" + lever_tables()
                     + "\n## Outputs\n\n" + outputs_tables())
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
