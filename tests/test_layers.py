"""The layers of the package, as ``docs/architecture.md`` draws them, checked by import-linter.

The contracts live in ``pyproject.toml`` (``[tool.importlinter]``): each floor imports only the
floors below it, and no two sibling modules or packages import each other in a cycle.  They
are checked here in-process (the same check as the ``lint-imports`` command), and a second
test shows that the check is real: one import from the results floor up to the report breaks it.
"""
from __future__ import annotations

import re
from pathlib import Path

import pytest

pytest.importorskip("importlinter")

from importlinter import api  # noqa: E402,F401  (configures import-linter's adapters)
from importlinter.application import use_cases  # noqa: E402
from importlinter.configuration import settings  # noqa: E402

PYPROJECT = Path(__file__).resolve().parents[1] / "pyproject.toml"


def _lint(extra_import: tuple[str, str] | None = None) -> bool:
    """Check the contracts (``lint_imports``, what ``lint-imports`` runs), optionally with one more
    import added to the package's import graph."""
    if not PYPROJECT.is_file():
        pytest.skip("pyproject.toml is not shipped here (installed package without the checkout)")
    if extra_import is None:
        return use_cases.lint_imports(str(PYPROJECT), cache_dir=None, no_logo=True, is_debug_mode=True)
    builder = settings.GRAPH_BUILDER

    class WithExtraImport:
        def build(self, **kwargs):
            graph = builder.build(**kwargs)
            graph.add_import(importer=extra_import[0], imported=extra_import[1])
            return graph

    settings.configure(GRAPH_BUILDER=WithExtraImport())
    try:
        return use_cases.lint_imports(str(PYPROJECT), cache_dir=None, no_logo=True, is_debug_mode=True)
    finally:
        settings.configure(GRAPH_BUILDER=builder)


def test_every_layer_contract_is_kept(capsys):
    kept = _lint()
    out = capsys.readouterr().out
    assert kept, out
    assert "Contracts: 2 kept, 0 broken." in out


@pytest.mark.parametrize("importer, imported", [
    ("simspam.results.run", "simspam.report.html"),            # writing a run would pull in the report
    ("simspam.experiments.compare", "simspam.report.pages"),    # as the comparison once did
    ("simspam.metrics.outcomes", "simspam.viz.units"),
])
def test_an_import_up_the_floors_breaks_the_contract(capsys, importer, imported):
    assert not _lint((importer, imported))
    out = capsys.readouterr().out
    assert "Each floor imports only the floors below it BROKEN" in out
    assert f"{importer} -> {imported}" in out


def test_the_architecture_doc_draws_the_same_floors():
    """Every floor of the contract is named, top to bottom, in docs/architecture.md's picture."""
    doc = PYPROJECT.parent / "docs" / "architecture.md"
    if not doc.is_file():
        pytest.skip("docs/ is not shipped here")
    text = doc.read_text(encoding="utf-8")
    picture = text.split("## Layers", 1)[1].split("```", 2)[1]
    options = use_cases.read_user_options(str(PYPROJECT))
    layers = next(c for c in options.contracts_options if c["type"] == "layers")["layers"]
    rows = [line for line in picture.splitlines() if line.strip()]
    for layer, row in zip(layers, rows, strict=True):
        for module in re.split(r"[|:]", layer):
            name = module.strip().removeprefix("simspam.")
            assert re.search(rf"(?<![\w.]){re.escape(name)}\b", row), (name, row)
