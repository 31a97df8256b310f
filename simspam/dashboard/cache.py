"""The dashboard's run cache: a compact, tidy result per run key, as Parquet on disk.

A full run's tables (~110,000 daily rows per country and ~30,000 events) are far more
than the app draws.  What it keeps per run is what the figures need:

* ``series.parquet``: the global daily series of the key outcomes (one row a day);
* ``map.parquet``: spam sent from, addressed to and delivered in each country, per year;
* ``meta.json``: the key, the controls that produced it, the headline summary, the
  measured run time (the app predicts live run times from these), world, years, version.

Each run is a folder ``<root>/v1/<key>/`` written under a temporary name and renamed into
place, so a reader (the app, or another precompute worker) never sees half a run, and two
writers of the same key cannot corrupt it (the second rename fails and is dropped: same
key, same tables).
"""
from __future__ import annotations

import json
import os
import shutil
import tempfile
import threading
from collections import OrderedDict
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

FORMAT = "v1"
SERIES_SUM = ["spam_sent", "spam_received", "blocked_outbound", "filtered", "delivered", "legit_sent",
              "consumer_hours", "social_cost", "spammer_revenue", "active_spammers", "infected_machines"]
MAP_COLUMNS = ["spam_sent", "spam_received", "delivered"]


def default_cache_dir() -> Path:
    """``$XDG_CACHE_HOME/simspam/dashboard`` (``~/.cache/simspam/dashboard`` by default)."""
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "simspam" / "dashboard"


@dataclass
class Compact:
    """What the app draws for one run."""

    key: str
    series: pd.DataFrame     # date + SERIES_SUM, summed over countries
    map: pd.DataFrame        # year, country + MAP_COLUMNS
    meta: dict

    @property
    def headline(self) -> dict:
        return self.meta["headline"]


def compact(daily: pd.DataFrame, key: str, meta: dict) -> Compact:
    """Reduce a run's daily per-country table to the dashboard's compact result."""
    series = daily.groupby("date", sort=True)[SERIES_SUM].sum().reset_index()
    year = pd.DatetimeIndex(daily["date"]).year.rename("year")
    by = daily.groupby([year, daily["country"].astype(str)], sort=True)[MAP_COLUMNS].sum().reset_index()
    return Compact(key=key, series=series, map=by, meta=dict(meta, key=key))


class RunCache:
    """Compact results on disk, indexed by key; the index (all ``meta.json``) is read at start.

    Thread-safe for the app's server threads; safe across precompute processes because each run
    appears by one atomic rename."""

    def __init__(self, root: str | Path, memory: int = 64):
        self.root = Path(root).expanduser() / FORMAT
        self.root.mkdir(parents=True, exist_ok=True)
        self._lock = threading.Lock()
        self._memory: OrderedDict[str, Compact] = OrderedDict()
        self._memory_size = memory
        self.index: dict[str, dict] = {}
        self.refresh()

    def refresh(self) -> None:
        """Re-read the index from disk (precompute may have added runs)."""
        index = {}
        for meta_path in self.root.glob("*/meta.json"):
            try:
                meta = json.loads(meta_path.read_text())
            except (OSError, ValueError):
                continue      # a damaged entry is ignored, not fatal
            index[meta_path.parent.name] = meta
        with self._lock:
            self.index = index

    def __len__(self) -> int:
        return len(self.index)

    def __contains__(self, key: str) -> bool:
        return key in self.index

    def get(self, key: str) -> Compact | None:
        with self._lock:
            hit = self._memory.get(key)
            if hit is not None:
                self._memory.move_to_end(key)
                return hit
            meta = self.index.get(key)
        if meta is None:
            return None
        folder = self.root / key
        try:
            result = Compact(key, pd.read_parquet(folder / "series.parquet"), pd.read_parquet(folder / "map.parquet"), meta)
        except (OSError, ValueError):
            return None
        self._remember(result)
        return result

    def put(self, result: Compact) -> None:
        """Store ``result`` (no-op if its key is already on disk)."""
        target = self.root / result.key
        if not target.exists():
            tmp = Path(tempfile.mkdtemp(prefix=f".{result.key}.", dir=self.root))
            try:
                result.series.to_parquet(tmp / "series.parquet", index=False)
                result.map.to_parquet(tmp / "map.parquet", index=False)
                (tmp / "meta.json").write_text(json.dumps(result.meta, indent=1, default=str))
                os.chmod(tmp, 0o755)
                os.rename(tmp, target)
            except OSError:
                if not target.exists():
                    raise
            finally:
                shutil.rmtree(tmp, ignore_errors=True)
        with self._lock:
            self.index[result.key] = result.meta
        self._remember(result)

    def _remember(self, result: Compact) -> None:
        with self._lock:
            self._memory[result.key] = result
            self._memory.move_to_end(result.key)
            while len(self._memory) > self._memory_size:
                self._memory.popitem(last=False)
