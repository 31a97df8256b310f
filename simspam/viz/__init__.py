"""Figures: pure functions from tidy tables to Plotly figures, in the house style.

* :mod:`~simspam.viz.style`  -- the one registered Plotly template ("simspam") and palette;
* :mod:`~simspam.viz.units`  -- the one number-and-unit formatter (figures, cards, tables, printed summaries);
* :mod:`~simspam.viz.common` -- checking inputs and escaping text for plotly.js;
* ``run_figures``, ``compare_figures``, ``world_figures``, ``sweep_figures``, ``validation_figures``.

Kept free of simulation imports and of I/O, so figures can be rebuilt from saved outputs
(and tested on synthetic tables) without the engine.  Importing this package imports no
figure module (and so no Plotly): :mod:`~simspam.viz.units` is used by text-only callers.
"""
