"""The documentation is generated from the code where it can be, and kept in step with it."""
from __future__ import annotations

import re

import pytest

from simspam import docgen as doc
from simspam.levers import REGISTRY
from simspam.core.columns import DAILY, EVENTS
from simspam.metrics.outcomes import HEADLINE

DOCS = doc.docs_dir()


def _read(name: str) -> str:
    path = DOCS / name
    if not path.is_file():
        pytest.skip(f"docs/{name} is not shipped here (installed package without the checkout)")
    return path.read_text(encoding="utf-8")


def test_generated_blocks_are_current():
    # the same as `python -m simspam.docgen --check`, in-process
    assert doc.check() == [], "run: python -m simspam.docgen --write"
    assert doc.main(["--check"]) == 0


def test_generator_is_deterministic():
    assert doc.parameter_tables() == doc.parameter_tables()
    assert doc.lever_tables() == doc.lever_tables()
    assert doc.outputs_tables() == doc.outputs_tables()


def test_check_detects_a_stale_block(tmp_path):
    for name in {fname for fname, _ in doc.BLOCKS.values()}:
        (tmp_path / name).write_text(_read(name), encoding="utf-8")
    assert doc.check(tmp_path) == []
    model = tmp_path / "model.md"
    model.write_text(model.read_text(encoding="utf-8").replace("`params.isps.dprime`", "`params.isps.dprim`"),
                     encoding="utf-8")
    assert doc.main(["--check", "--docs", str(tmp_path)]) == 1
    assert doc.main(["--write", "--docs", str(tmp_path)]) == 0
    assert doc.check(tmp_path) == []
    assert model.read_text(encoding="utf-8") == _read("model.md")


def test_every_declared_parameter_is_in_the_model_doc():
    text = _read("model.md")
    for prefix, _, declared in doc._sections(doc.schema.SimConfig):
        for name, _, _ in declared:
            key = f"{prefix}.{name}" if prefix else name
            assert f"`{key}`" in text, key


def test_every_output_column_is_documented():
    text = _read("outputs.md")
    for name in [*DAILY, *EVENTS, *HEADLINE]:
        assert re.search(rf"`{re.escape(name)}`", text), name


def test_every_lever_type_is_in_the_model_doc():
    text = _read("model.md")
    for kind in REGISTRY:
        assert f"`type: {kind}`" in text, kind                  # generated field table
        assert re.search(rf"^\| `{re.escape(kind)}` \|", text, flags=re.M), kind   # hand-written mechanism row


def test_calibration_targets_are_in_the_project():
    text = _read("calibration_targets.md")
    for key in ("E1", "E8", "S1", "S8", "I1", "I7", "C1", "C4", "L1", "L6", "K1", "K5"):
        assert re.search(rf"^\| {key} \|", text, flags=re.M), key
    # every source a parameter cites is a key of that list (or EST / '-')
    keys = set(re.findall(r"^\| ([A-Z]\d+) \|", text, flags=re.M))
    for _, _, declared in doc._sections(doc.schema.SimConfig):
        for name, _, meta in declared:
            for src in str(meta.get("source", "")).split(","):
                src = src.strip()
                if re.fullmatch(r"[A-Z]\d+", src):
                    assert src in keys, (name, src)
