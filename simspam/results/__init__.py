"""The on-disk contract of simspam's results folders: runs, comparisons and sweeps.

What a folder holds, how each file is written and read, and how to tell one kind of folder
from another is decided here and nowhere else:

* :mod:`~simspam.results.atomic`      -- every file is replaced atomically (readers never see half a file);
* :mod:`~simspam.results.tables`      -- tables as Parquet, summaries as JSON;
* :mod:`~simspam.results.run`         -- a run's folder (``simspam``);
* :mod:`~simspam.results.comparison`  -- a comparison's folder (``simspam-compare``);
* :mod:`~simspam.results.sweep`       -- a sweep's folder (``simspam --multirun``, ``simspam-design``): its
  jobs, their collection into one runs table and outcomes aligned on run id, its provenance;
* :mod:`~simspam.results.folders`     -- what kind of folder a path is.

The completion marker is the same for every kind: ``summary.json`` is written last, so a
folder with a ``summary.json`` holds a complete run or comparison.  Files that belong to
the folder but are made by higher layers (the HTML report) are handed in as *extras*:
callables that return the file's content, called and written before ``summary.json``.
That keeps this layer free of the report (and of Plotly): writing tables never imports
either.
"""
from .folders import EXPECTED, detect
from .run import read_run, write_run
from .tables import read_json, read_table, write_json, write_table

__all__ = ["EXPECTED", "detect", "read_json", "read_run", "read_table", "write_json", "write_run", "write_table"]
