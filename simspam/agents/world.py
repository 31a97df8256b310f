"""The world: countries, their users, laws, memberships and ISP markets, from a CSV table.

The table (``conf/world/world_2004.csv``, documented in ``world_2004.md``) is data a
user may edit or extend with a row.  It is parsed strictly: a malformed cell is a
one-line :class:`ConfigError` naming the row and column.

Dates in the table become *day indices* relative to the run's start (negative: before
the start; ``inf``: never).  A law counts as in force at the start only if its
``law_in_force`` date (blank: long before 2001) is on or before the start.  In the
status-quo world only arrangements in force on the
first day are active; later dates in the table (law changes, join dates) are what the
historical scenario replays as levers.
"""
from __future__ import annotations

import csv
import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from ..config.check import check_choice, check_date, check_name, check_number, check_shares, unknown_name
from ..errors import ConfigError
from ..paths import conf_dir

LAW_CODES = {"none": 0, "opt-out": 1, "opt-in": 2}
SANCTION_CODES = {"none": 0, "fine": 1, "prison": 2}
NETWORK_COLUMNS = {"LAP": "lap_join", "CNSA": "cnsa_join", "SMMOU": "seoul_melbourne_join"}
MEMBERSHIP_COLUMNS = {"EU": "eu_join", "OECD": "oecd_join", "APEC": "apec_join", **NETWORK_COLUMNS}
REQUIRED = ["iso3", "name", "internet_users_m", "gdp_pc_usd", "law_2004", "sanction", "investigation_powers",
            "cross_border_powers", "investigators", "mous", "isp_shares", "source"]
MAX_ISPS = 5
REFERENCE_GDP = 30000.0  # USD per capita at which every income factor of the model is 1


@dataclass
class World:
    """Countries as parallel arrays (index = country id), plus membership dates."""

    codes: list[str]
    names: list[str]
    users: np.ndarray            # e-mail users on world.users_date (the table's date)
    gdp: np.ndarray              # USD per capita
    law: np.ndarray              # 0 none, 1 opt-out, 2 opt-in, in force at the start
    sanction: np.ndarray         # 0 none, 1 fine, 2 prison
    powers: np.ndarray           # investigation powers, 0..1
    cross_border: np.ndarray     # bool
    investigators: np.ndarray    # int
    isp_share: np.ndarray        # (C, MAX_ISPS), rows sum to 1
    join_day: dict[str, np.ndarray]   # bloc or network -> day index (inf: never)
    mou_day: np.ndarray          # (C, C) day index a bilateral MoU starts (inf: none)
    law_changes: list[list[tuple[float, int]]]  # per country: (day, regime) after the start
    relay_share_2004: np.ndarray  # % or nan
    start: dt.date
    source: list[str] = field(default_factory=list)

    @property
    def n(self) -> int:
        return len(self.codes)

    @property
    def relative_income(self) -> np.ndarray:
        """GDP per capita over ``REFERENCE_GDP``: the base of every income elasticity (consumers'
        purchases, where operations live and host their servers, broadband exposure), so that
        all of them are declared against the same income."""
        return self.gdp / REFERENCE_GDP

    def index(self, code: str, key: str = "countries") -> int:
        return self.codes.index(check_name(key, code, self.codes, "country", "ISO3 codes " + ", ".join(self.codes)))

    def bloc_names(self) -> list[str]:
        return ["ALL", "LAW", "NOLAW", *self.join_day]

    def resolve(self, targets: list[str], day: float, key: str, law: np.ndarray | None = None) -> np.ndarray:
        """Boolean mask of countries named directly or through blocs (membership as of ``day``;
        LAW / NOLAW by ``law``, the laws in force then, or the start's laws if not given)."""
        law = self.law if law is None else law
        mask = np.zeros(self.n, dtype=bool)
        for t in targets:
            t = str(t)
            if t == "ALL":
                mask[:] = True
            elif t == "LAW":
                mask |= law > 0
            elif t == "NOLAW":
                mask |= law == 0
            elif t in self.join_day:
                mask |= self.join_day[t] <= day
            elif t in self.codes:
                mask[self.codes.index(t)] = True
            else:
                raise unknown_name(key, t, [*self.bloc_names(), *self.codes], "country or bloc",
                                   "blocs " + ", ".join(self.bloc_names()) + "; ISO3 codes " + ", ".join(self.codes))
        return mask


def _float(row: dict, col: str, where: str, lo: float = 0.0, hi: float = float("inf"), blank=None) -> float:
    raw = (row.get(col) or "").strip()
    if raw == "" and blank is not None:
        return blank
    return float(check_number(f"{where}.{col}", raw.split(" ")[0], {"lo": lo, "hi": hi}))


def _day(raw: str, start: dt.date, key: str) -> float:
    raw = (raw or "").strip()
    if raw == "":
        return np.inf
    return float((check_date(key, raw[:10], "YYYY-MM-DD or empty") - start).days)


def table_path(name: str) -> Path:
    path = Path(name)
    if not path.is_absolute():
        path = conf_dir() / "world" / name
    if not path.is_file():
        known = ", ".join(p.name for p in (conf_dir() / "world").glob("*.csv"))
        raise ConfigError("world.table", f"file {name!r} not found", f"a CSV in conf/world ({known}) or an absolute path")
    return path


def load_world(table: str, countries: list[str], start: dt.date, email_share: float) -> World:
    """Read and check the country table; keep ``countries`` (all if empty)."""
    path = table_path(table)
    with open(path, newline="", encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    if not rows:
        raise ConfigError("world.table", f"{path.name} has no rows", "a CSV with one row per country")
    missing = [c for c in REQUIRED if c not in rows[0]]
    if missing:
        raise ConfigError("world.table", f"{path.name} lacks columns {missing}", ", ".join(REQUIRED))
    all_codes = [r["iso3"].strip() for r in rows]
    if countries:
        for c in countries:
            check_name("world.countries", c, all_codes, "country", "ISO3 codes " + ", ".join(all_codes))
        rows = [r for r in rows if r["iso3"].strip() in set(countries)]
    codes = [r["iso3"].strip() for r in rows]
    n = len(codes)
    users = np.empty(n)
    gdp = np.empty(n)
    law = np.zeros(n, dtype=np.int64)
    sanction = np.zeros(n, dtype=np.int64)
    powers = np.zeros(n)
    cross = np.zeros(n, dtype=bool)
    investigators = np.zeros(n, dtype=np.int64)
    share = np.zeros((n, MAX_ISPS))
    relay = np.full(n, np.nan)
    join = {b: np.full(n, np.inf) for b in MEMBERSHIP_COLUMNS}
    mou = np.full((n, n), np.inf)
    changes: list[list[tuple[float, int]]] = []
    for i, r in enumerate(rows):
        where = f"world.table[{codes[i]}]"
        users[i] = _float(r, "internet_users_m", where, 0.0, 5000.0) * 1e6 * email_share
        gdp[i] = _float(r, "gdp_pc_usd", where, 1.0, 1e6)
        regime = check_choice(f"{where}.law_2004", r["law_2004"].strip(), LAW_CODES, "regime")
        # law_2004 is the regime of early 2004, in force since law_in_force: a run that starts
        # earlier (the historical scenario, 2001) starts without it, and replays its adoption.
        since = (r.get("law_in_force") or "").strip()
        law[i] = LAW_CODES[regime] if not since or _day(since, start, f"{where}.law_in_force") <= 0 else 0
        s = check_choice(f"{where}.sanction", r["sanction"].strip(), SANCTION_CODES, "sanction")
        sanction[i] = SANCTION_CODES[s]
        powers[i] = _float(r, "investigation_powers", where, 0.0, 1.0)
        cross[i] = _float(r, "cross_border_powers", where, 0.0, 1.0) > 0
        investigators[i] = int(_float(r, "investigators", where, 0.0, 1e5))
        parts = [p for p in r["isp_shares"].split(";") if p.strip()]
        if not 1 <= len(parts) <= MAX_ISPS:
            raise ConfigError(f"{where}.isp_shares", f"has {len(parts)} entries", f"1 to {MAX_ISPS} shares separated by ';'")
        vals = np.array([_float({"s": p}, "s", f"{where}.isp_shares", 0.0, 1.0) for p in parts])
        check_shares(f"{where}.isp_shares", list(vals))
        share[i, : len(vals)] = vals / vals.sum()
        relay[i] = _float(r, "relay_share_2004", where, 0.0, 100.0, blank=np.nan)
        for bloc, col in MEMBERSHIP_COLUMNS.items():
            join[bloc][i] = _day(r.get(col, ""), start, f"{where}.{col}")
        ch = []
        for item in (r.get("law_changes") or "").split(";"):
            item = item.strip()
            if not item:
                continue
            date, _, reg = item.partition(":")
            reg = check_choice(f"{where}.law_changes", reg.strip().split(" ")[0], LAW_CODES, f"regime (in {item!r})")
            ch.append((_day(date, start, f"{where}.law_changes"), LAW_CODES[reg]))
        changes.append(ch)
    for i, r in enumerate(rows):
        for item in (r.get("mous") or "").split(";"):
            item = item.strip()
            if not item:
                continue
            partner, _, date = item.partition("@")
            if partner in codes:
                j = codes.index(partner)
                d = _day(date, start, f"world.table[{codes[i]}].mous")
                mou[i, j] = mou[j, i] = min(mou[i, j], d)
    return World(codes=codes, names=[r["name"].strip() for r in rows], users=users, gdp=gdp, law=law,
                 sanction=sanction, powers=powers, cross_border=cross, investigators=investigators,
                 isp_share=share, join_day=join, mou_day=mou, law_changes=changes, relay_share_2004=relay,
                 start=start, source=[r["source"] for r in rows])
