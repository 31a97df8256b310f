"""Tidy tables from a finished simulation: daily (day x country) and events."""
from __future__ import annotations

import numpy as np
import pandas as pd

from ..core.columns import DAILY, EVENTS


def daily_table(sim) -> pd.DataFrame:
    D, C = sim.n_days, sim.world.n
    dates = pd.date_range(pd.Timestamp(sim.start), periods=D, freq="D").values.astype("datetime64[ms]")
    cols = {
        "date": np.repeat(dates, C),
        "country": pd.array(np.tile(np.array(sim.world.codes, dtype=object), D), dtype="string"),
    }
    for name, (dtype, _, _) in DAILY.items():
        cols[name] = sim.rec[name].reshape(-1).astype(dtype, copy=False)
    return pd.DataFrame(cols)


def events_table(sim) -> pd.DataFrame:
    rows = sim.event_rows
    if rows:
        t, kind, country, partner, spammer, value, detail = map(list, zip(*rows))
    else:
        t = kind = country = partner = spammer = value = detail = []
    t = np.asarray(t, dtype=float)
    start = np.datetime64(sim.start.isoformat(), "ms")
    dates = start + (np.floor(t) * 86_400_000).astype("timedelta64[ms]") if len(t) else np.array([], dtype="datetime64[ms]")
    df = pd.DataFrame({
        "time": t,
        "date": dates,
        "kind": pd.array(kind, dtype="string"),
        "country": pd.array(country, dtype="string"),
        "partner": pd.array(partner, dtype="string"),
        "spammer": np.asarray(spammer, dtype=np.int64),
        "value": np.asarray(value, dtype=float),
        "detail": pd.array(detail, dtype="string"),
    })
    assert list(df.columns) == list(EVENTS)
    # stable order: by time, then in the order they were logged
    return df.sort_values("time", kind="stable").reset_index(drop=True)
