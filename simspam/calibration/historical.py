"""The historical scenario, 2001-2010: the real timeline as levers and events.

    python -m simspam.calibration.historical            # print scenarios/historical.yaml
    python -m simspam.calibration.historical --write    # (re)write it, and the table in docs/historical.md
    python -m simspam.calibration.historical --check    # exit 1 if either is out of date

``scenarios/historical.yaml`` is generated, never edited by hand, so that it cannot
drift from the country table it replays.  Two kinds of entries:

* **From the table** (``conf/world/world_2004.csv``, sources in ``world_2004.md``): every
  law whose ``law_in_force`` date, and every ``law_changes`` item, falls in the period;
  the London Action Plan, EU contact network (CNSA) and Seoul-Melbourne joins; the
  bilateral MoUs; the OECD Recommendation of 2006 for the OECD members (and later
  accessions); the EU consumer-protection cooperation (CPC) network of 2006 for the EU
  members (and later accessions).  Each table-derived lever reproduces what a run starting
  after that date gets from the table (same regime, sanction, powers, investigators,
  cross-border powers; networks with a contact point, grant factor 1 and no extra
  information sharing; MoUs with grant factor 1), except where the table's values
  describe a later enforcer (then the lever uses documented estimates, marked ``est.``).
* **Hand-written** (:data:`EXOGENOUS`, below, each with its source): filters improving,
  sender authentication, waves of botnet malware, the McColo takedown, and the second
  steps of two laws (the US SAFE WEB Act; Japan's 2008 revision) that the table records
  only in its notes.

Every entry is preceded by a comment: the date, who, what, and the source (the table's
source key expanded from ``world_2004.md``, or the reference given here).  Dates and
values the table marks as estimates are flagged ``est.`` (:data:`DATE_NOTES`).
"""
from __future__ import annotations

import argparse
import csv
import datetime as dt
import re
import sys
import textwrap
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..paths import conf_dir, scenarios_dir

START = dt.date(2001, 1, 1)
END = dt.date(2010, 12, 31)
TABLE = "world_2004.csv"
WIDTH = 110

REGIME_WORDS = {"opt-out": "opt-out", "opt-in": "opt-in"}

# ---------------------------------------------------------------------------- table facts

# Dates in the period that conf/world/world_2004.md marks as estimated or judged (section
# "Estimates and judgements"), keyed by (what, ISO3 or group, date).  A test checks that
# every key still matches an entry the table generates, so a table edit cannot leave a
# stale note behind.
DATE_NOTES: dict[tuple[str, str, str], str] = {
    ("law", "NLD", "2001-09-01"): "est.: the basis (right to object under the Wbp) and its in-force date are from memory",
    ("law", "NLD", "2004-05-19"): "est. day: May 2004 is sourced, the 19th is from memory",
    ("law", "KOR", "2001-07-01"): "est. day: the source gives only the year of the 2001 revision",
    ("law", "JPN", "2002-07-01"): "est. day: from memory (the act passed in April 2002)",
    ("law", "ZAF", "2002-08-30"): "est. day: from memory",
    ("law", "ESP", "2002-10-12"): "in-force day unverified",
    ("law", "ROU", "2002-01-01"): "est.: only the year is known",
    ("law", "POL", "2003-03-10"): "in-force day unverified",
    ("law", "UKR", "2005-08-09"): "judgement (Resolution 720 read as opt-in for bulk messages) and est. day (August 2005 "
                                   "is sourced)",
    ("law", "VNM", "2008-09-01"): "est. day: Decree 90/2008 is dated 2008-08-13 and took effect about 15 days later",
    ("lap", "founders", "2004-10-11"): "only USA and GBR are confirmed founders; AUS, CAN, NLD, ESP, KOR, JPN are "
                                       "est. (the list of the 19 founding bodies was not retrieved)",
    ("lap", "CHN", "2006-07-01"): "est. day: July 2006 is sourced",
    ("smmou", "all", "2005-04-01"): "est. day: April 2005 is sourced",
    ("mou", "AUS-KOR", "2003-10-01"): "est. day: October 2003 is sourced",
    ("mou", "AUS-GBR-USA", "2004-07-01"): "est. day: July 2004 is sourced",
    ("mou", "ESP-USA", "2005-02-01"): "est. day: February 2005 is sourced",
    ("oecd", "ISR", "2010-09-07"): "est. day: the invitation of 2010-05-10 is sourced, the accession day is from memory",
}

# Laws in the period whose enforcement values the table does not describe: the table's
# sanction / powers / investigators / cross-border columns are 2004 values, so they are
# empty for laws adopted later, and for NLD they describe OPTA, the enforcer of the 2004
# opt-in rule, not the data-protection authority of the 2001 opt-out.  Estimates (est.).
LAW_ESTIMATES: dict[tuple[str, str], dict[str, Any]] = {
    ("NLD", "2001-09-01"): dict(sanction="fine", investigation_powers=0.3, investigators=1, cross_border=False,
                                why="data-protection authority (CBP) acting on the right to object: weak powers, "
                                    "few staff; no cross-border basis, as the table judges for NLD"),
    ("UKR", "2005-08-09"): dict(sanction="fine", investigation_powers=0.2, investigators=1, cross_border=False,
                                why="Cabinet resolution enforced through administrative fines; no dedicated enforcer"),
    ("CHN", "2006-03-30"): dict(sanction="fine", investigation_powers=0.4, investigators=5, cross_border=False,
                                why="MII Order 38: administrative fines, MII with the ISC reporting centre"),
    ("RUS", "2006-07-01"): dict(sanction="fine", investigation_powers=0.3, investigators=2, cross_border=False,
                                why="Advertising Law art. 18 enforced by the antimonopoly service (FAS) with fines"),
    ("HKG", "2007-12-22"): dict(sanction="fine", investigation_powers=0.6, investigators=5, cross_border=False,
                                why="UEMO: OFTA enforcement notices, fines for breaching them (prison only for the "
                                    "fraud-related offences of Part 3, not the route against commercial e-mail)"),
    ("VNM", "2008-09-01"): dict(sanction="fine", investigation_powers=0.2, investigators=2, cross_border=False,
                                why="Decree 90/2008: administrative fines by the information ministry and VNCERT"),
    ("JPN", "2008-12-01"): dict(sanction="fine", investigation_powers=0.6, investigators=5, cross_border=True,
                                why="Law No. 54 of 2008: opt-in, higher fines and, from memory, a provision to give "
                                    "information to foreign enforcement authorities (hence cross-border powers)"),
    ("ISR", "2008-12-01"): dict(sanction="fine", investigation_powers=0.2, investigators=1, cross_border=False,
                                why="Communications Law amendment 40: fines and statutory damages, enforced mostly "
                                    "by private suits"),
}

# Parameters of the table-derived cooperation levers that the table does not give (est.).
OECD_INFO_SHARING = 0.5
CPC_INFO_SHARING = 0.5


# ---------------------------------------------------------------------------- hand-written events

@dataclass
class Entry:
    """One lever or event of the scenario, with the comment that precedes it."""

    name: str
    date: str
    section: str              # "levers" or "events"
    spec: dict[str, Any]      # type and fields, in output order (start is added)
    what: str                 # one sentence: who does what
    source: str               # the reference
    note: str = ""            # estimates, judgements
    order: int = 5            # tie-break on equal dates: laws, networks, MoUs, the rest
    group: str = ""           # "law", "network", "mou", "exogenous" (for tests and docs)
    countries: list[str] = field(default_factory=list)
    est: str = ""             # what is estimated, in a few words (docs/historical.md's table)


# Non-table events.  Values flagged est. are modelling estimates awaiting calibration.
EXOGENOUS: list[Entry] = [
    Entry("bayesian_filters", "2003-01-01", "levers",
          {"type": "filter_improvement", "countries": ["ALL"], "jump": 0.3, "research_rate": 0.0},
          "Statistical (Bayesian) content filters spread: a one-off gain in filter quality everywhere.",
          "P. Graham, 'A Plan for Spam' (Aug 2002), http://www.paulgraham.com/spam.html ; SpamAssassin 2.5x with "
          "its Bayesian classifier (early 2003) and Mozilla's junk-mail filter (2002)",
          "est.: the date (deployment spread over 2002-2003) and the jump; ordinary filter research after it is "
          "params.isps.research_rate", group="exogenous", est="date, jump"),
    Entry("before_spam_malware", "2001-01-01", "levers",
          {"type": "malware_lull", "end": "2003-01-09", "countries": ["ALL"], "strength": 0.8},
          "Before the first worms written to turn consumer machines into spam proxies, spam went out from "
          "hosted servers, open relays and open proxies: few machines are recruited for spam, and the run "
          "starts with a fifth of the infected stock that the parameters give for 2004.",
          "LURHQ, 'Sobig.a and the Spam You Received Today' (Apr 2003): Sobig.A (Jan 2003) as the first "
          "mass-mailing worm built to install spam proxies ; targets I1 and I7 (botnets sent 80-90% of spam "
          "only by 2008; the US, with its hosting industry, relayed 42-57% in 2004)",
          "est.: the strength (how rare spam malware was before 2003)", group="exogenous", est="strength"),
    Entry("proxy_worms", "2003-01-09", "levers",
          {"type": "malware_wave", "end": "2004-06-30", "countries": ["ALL"], "surge": 1.0},
          "Mass-mailing worms that install spam proxies on consumer machines (Sobig.A-F in 2003, Bagle and "
          "MyDoom in early 2004): the infection hazard doubles.",
          "LURHQ, 'Sobig.a and the Spam You Received Today' (Apr 2003) ; F-Secure, Sobig.F description "
          "(first seen 2003-08-19, built to stop on 2003-09-10) ; Symantec, W32.Mydoom.A@mm (2004-01-26)",
          "est.: start = Sobig.A's first sighting (from memory), end and surge are estimates", group="exogenous",
          est="dates, surge"),
    Entry("isp_port25_codes", "2005-01-01", "levers",
          {"type": "isp_code", "countries": ["OECD"], "strength": 0.5},
          "ISPs in OECD countries adopt the anti-abuse practices that MAAWG (founded 2004) and national codes "
          "recommend: blocking outbound port 25 on consumer lines, terminating spamming customers, shared "
          "blocklists.  Hosted spam servers there become costly, and spam moves to botnets and to hosts abroad.",
          "MAAWG, founded 2004, 'Managing Port 25 for Residential or Dynamic IP Space: Benefits of Adoption and "
          "Risks of Inaction' (2005) ; OECD Anti-Spam Toolkit (2006), ISP best practices ; Sophos: the US share of "
          "relayed spam fell from 42% (2004) to 15% (2008) (table `relay_share_2004`/`_2008`, targets I7)",
          "est.: the date (adoption spread over 2004-2006) and the strength (half of the ISPs)",
          group="exogenous", est="date, strength"),
    Entry("au_isp_spam_code", "2006-07-16", "levers",
          {"type": "isp_code", "countries": ["AUS"], "strength": 1.0},
          "Australia's Internet Industry Spam Code of Practice, registered by the regulator under the Spam Act, "
          "binds its ISPs to these practices.",
          "Internet Industry Association, 'Internet Industry Spam Code of Practice' (registered by ACMA under "
          "s. 117 of the Telecommunications Act 1997, 2006)",
          "est.: the day it took effect (from memory) and full strength", group="exogenous", est="day"),
    Entry("spf_sender_id", "2004-05-25", "levers",
          {"type": "sender_authentication", "countries": ["ALL"], "gain": 0.15},
          "Sender authentication starts: SPF and Microsoft's Caller ID merge into Sender ID; large mailbox "
          "providers begin checking published records.",
          "SPF and Sender ID: announcement of the merged Sender ID specification (May 2004) ; IETF RFC 4408 (SPF) "
          "and RFC 4406 (Sender ID), April 2006",
          "est.: the day (from memory) and the gain", group="exogenous", est="day, gain"),
    Entry("storm", "2007-01-17", "levers",
          {"type": "malware_wave", "end": "2008-09-30", "countries": ["ALL"], "surge": 1.0},
          "The Storm worm builds a peer-to-peer spam botnet; with Srizbi, Rustock and Mega-D, botnets send most "
          "spam by 2008.",
          "F-Secure weblog, 'Storm Worm' (19 Jan 2007) ; Holz et al., 'Measurements and Mitigation of "
          "Peer-to-Peer-based Botnets: A Case Study on Storm Worm', LEET 2008 ; targets I1, I2 (Marshal 2008: six "
          "botnets sent 85% of spam, Storm 21%)",
          "est.: start from memory (the storm-themed e-mails of 17-19 Jan 2007), end and surge are estimates",
          group="exogenous", est="dates, surge"),
    Entry("dkim", "2007-05-01", "levers",
          {"type": "sender_authentication", "countries": ["ALL"], "gain": 0.3},
          "DKIM is standardised (DomainKeys and Identified Internet Mail merged): signed mail lets filters trust "
          "reputations of sending domains.",
          "IETF RFC 4871, 'DomainKeys Identified Mail (DKIM) Signatures' (May 2007) ; RFC 4870 (Yahoo! "
          "DomainKeys, 2004)",
          "est.: the day (RFC month) and the gain, which replaces the 2004 value (authentication gains do not add)",
          group="exogenous", est="day, gain"),
    Entry("conficker", "2008-11-21", "levers",
          {"type": "malware_wave", "end": "2009-12-31", "countries": ["ALL"], "surge": 0.5},
          "Conficker infects millions of machines (variants A to E, Nov 2008 - Apr 2009; E installs the Waledac "
          "spam bot).",
          "P. Porras, H. Saidi, V. Yegneswaran, 'An Analysis of Conficker's Logic and Rendezvous Points', SRI "
          "International, Mar 2009 (Conficker.A from 2008-11-20)",
          "est.: start (day from memory), end and surge", group="exogenous", est="dates, surge"),
    Entry("mccolo", "2008-11-11", "events",
          {"type": "takedown", "countries": ["USA"], "target": "both", "rebuild_days": 30},
          "McColo, a San Jose hosting provider of spam operations and botnet command servers (Srizbi, Rustock, "
          "Mega-D), is cut off by its upstream providers; world spam falls by about two thirds for weeks.",
          "B. Krebs, 'Major Source of Online Scams and Spams Knocked Offline', Washington Post Security Fix, "
          "2008-11-11 ; as in scenarios/takedowns.yaml",
          "est.: rebuild_days (the bundled takedowns scenario's value; spam volumes recovered over 2-4 months)",
          group="exogenous", est="rebuild_days"),
]

# The US SAFE WEB Act is in the table's notes, not its dated columns: the FTC's cross-border
# powers (table: cross_border_powers 0 for USA) start on 2006-12-22.
SAFE_WEB = ("USA", "2006-12-22", "the US SAFE WEB Act (signed 2006-12-22) gives the FTC powers to share "
            "information with, and assist, foreign authorities")

# The EU consumer-protection cooperation (CPC) regulation: the table's `cross_border_powers`
# section dates the cross-border basis of NLD, SWE, POL (and the other EU spam enforcers
# without one) to it.
CPC_DATE = "2006-12-29"
CPC_SOURCE = ("Regulation (EC) No 2006/2004 on consumer protection cooperation (its annex lists art. 13 of "
              "Directive 2002/58/EC; mutual assistance from 2006-12-29) ; conf/world/world_2004.md, "
              "`cross_border_powers`")
OECD_DATE = "2006-04-13"
OECD_SOURCE = ("target K3: OECD Recommendation on Cross-Border Co-operation in the Enforcement of Laws against "
               "Spam, 13 Apr 2006 (single national contact points, information-sharing powers)")


# ---------------------------------------------------------------------------- reading the table

def _table_rows(path: Path | None = None) -> list[dict[str, str]]:
    path = path or conf_dir() / "world" / TABLE
    with open(path, newline="", encoding="utf-8") as fh:
        return [{k: (v or "").strip() for k, v in r.items()} for r in csv.DictReader(fh)]


def source_texts(path: Path | None = None) -> dict[str, str]:
    """Source key -> its first reference (up to the first URL), from world_2004.md."""
    path = path or conf_dir() / "world" / "world_2004.md"
    out: dict[str, str] = {}
    if not path.is_file():
        return out
    for line in path.read_text(encoding="utf-8").splitlines():
        m = re.match(r"^- \*\*([A-Z][A-Z0-9-]*)\*\*(?: \([^)]*\))?: (.*)$", line)
        if m:
            text = re.split(r"(?:,|\s*URL:)? https?://", m.group(2))[0].strip().rstrip(" ,;")
            out[m.group(1)] = text
    return out


def _in_period(date: str) -> bool:
    return bool(date) and START < dt.date.fromisoformat(date) <= END


def _src(keys: list[str], texts: dict[str, str]) -> str:
    parts = [f"{k} ({texts[k]})" if k in texts else k for k in keys]
    return " ; ".join(parts) + " -- conf/world/world_2004.md"


def _row_key(row: dict[str, str], prefix: str) -> list[str]:
    return [k for k in row["source"].split(";") if k.startswith(prefix)]


def _slug(date: str) -> str:
    return date.replace("-", "_")


def law_entries(rows: list[dict[str, str]], texts: dict[str, str]) -> list[Entry]:
    """A legislation lever for every law in force, or changed, within the period."""
    out = []
    for r in rows:
        iso = r["iso3"]
        items = []
        if r["law_2004"] != "none" and _in_period(r["law_in_force"]):
            items.append((r["law_in_force"], r["law_2004"], "law_in_force"))
        for item in filter(None, (s.strip() for s in r["law_changes"].split(";"))):
            date, _, regime = item.partition(":")
            if _in_period(date):
                items.append((date, regime.strip(), "law_changes"))
        for date, regime, column in items:
            est = LAW_ESTIMATES.get((iso, date))
            if est is None and r["sanction"] != "none":
                values = dict(sanction=r["sanction"], investigation_powers=float(r["investigation_powers"]),
                              investigators=int(float(r["investigators"])),
                              cross_border=float(r["cross_border_powers"]) > 0)
                how = ("sanction, powers, investigators and cross-border powers from the table (its 2004 "
                       "enforcement values; powers and staff are est. there)")
            elif est is not None:
                values = {k: v for k, v in est.items() if k != "why"}
                how = "sanction, powers, investigators and cross-border powers est.: " + est["why"]
            else:
                raise ValueError(f"{iso} {date}: the table gives no enforcement values; add it to LAW_ESTIMATES")
            if iso == SAFE_WEB[0] and date < SAFE_WEB[1]:
                values["cross_border"] = False
            note = "; ".join(filter(None, [DATE_NOTES.get(("law", iso, date), ""), how]))
            kind = "adopts" if column == "law_in_force" else "changes to"
            what = f"{r['name']} ({iso}) {kind} an {regime} law (table `{column}`)"
            if column == "law_changes" and r["law_2004"] == regime and not _in_period(r["law_in_force"]):
                what += "; the regime does not change (a codification), the lever only logs it"
            spec = {"type": "legislation", "countries": [iso], "regime": regime, **values}
            est_what = ", ".join(filter(None, ["date" if ("law", iso, date) in DATE_NOTES else "",
                                               "enforcement values" if est is not None else ""]))
            out.append(Entry(f"law_{iso.lower()}_{_slug(date)}", date, "levers", spec, what + ".",
                             _src(_row_key(r, "L-"), texts), note, order=0, group="law", countries=[iso],
                             est=est_what))
    # the second step of the US law: cross-border powers
    iso, date, what = SAFE_WEB
    r = next((r for r in rows if r["iso3"] == iso), None)
    if r is not None and _in_period(date):
        spec = {"type": "legislation", "countries": [iso], "regime": r["law_2004"], "sanction": r["sanction"],
                "investigation_powers": float(r["investigation_powers"]),
                "investigators": int(float(r["investigators"])), "cross_border": True}
        out.append(Entry(f"safe_web_{iso.lower()}", date, "levers", spec, f"{iso}: {what}; the law is otherwise "
                         "unchanged (logged as a second law_adopted).", _src(["L-US"], texts) + " (table notes: "
                         "'cross_border 0 until US SAFE WEB Act 2006-12-22')", order=0, group="law",
                         countries=[iso]))
    return out


def _members(rows, column: str, date: str | None = None) -> dict[str, list[str]]:
    """join date -> ISO3 codes with that date in ``column`` (in table order), within the period."""
    out: dict[str, list[str]] = {}
    for r in rows:
        d = r.get(column, "")
        if _in_period(d) and (date is None or d == date):
            out.setdefault(d, []).append(r["iso3"])
    return out


def _founded(rows, column: str, date: str) -> list[tuple[str, list[str]]]:
    """A body founded on ``date``: (date, members) in date order -- everyone whose ``column``
    is on or before it, then each later accession in the period."""
    joins = {date: [r["iso3"] for r in rows if r[column] and r[column] <= date]}
    for d, isos in _members(rows, column).items():
        if d > date:
            joins.setdefault(d, []).extend(isos)
    return sorted(joins.items())


def network_entries(rows: list[dict[str, str]], texts: dict[str, str]) -> list[Entry]:
    out = []
    names = {"LAP": ("lap_join", "the London Action Plan", "C-LAP"),
             "CNSA": ("cnsa_join", "the EU Contact Network of Spam Enforcement Authorities (CNSA)", "C-CNSA"),
             "SMMOU": ("seoul_melbourne_join", "the Seoul-Melbourne multilateral anti-spam MoU", "C-SMMOU")}
    for net, (column, title, key) in names.items():
        for date, isos in sorted(_members(rows, column).items()):
            keys = [key] + (["C-LAP2006"] if net == "LAP" and date >= "2006-01-01" else [])
            if net == "LAP":
                tag = ("lap", "founders", date) if date == "2004-10-11" else ("lap", isos[0], date)
            else:
                tag = (net.lower(), "all", date)
            spec = {"type": "cooperation_network", "countries": isos, "network": net, "contact_point": True,
                    "info_sharing": 0.0, "grant_powers": False}
            out.append(Entry(f"{net.lower()}_{_slug(date)}", date, "levers", spec,
                             f"{', '.join(isos)} join{'s' if len(isos) == 1 else ''} {title} (table `{column}`): "
                             "a channel with contact points; "
                             "no new legal powers.", _src(keys, texts),
                             "; ".join(filter(None, [DATE_NOTES.get(tag, ""), "the values a run starting later "
                                                     "gets from the table (contact point, grant factor 1)"])),
                             order=1, group="network", countries=isos,
                             est="members, day" if tag == ("lap", "founders", date) else
                             "day" if tag in DATE_NOTES else ""))
    # OECD Recommendation: members at the date, and later accessions in the period
    for date, isos in _founded(rows, "oecd_join", OECD_DATE):
        first = date == OECD_DATE
        spec = {"type": "cooperation_network", "countries": isos, "network": "OECD", "contact_point": True,
                "info_sharing": OECD_INFO_SHARING, "grant_powers": False}
        what = ("The OECD Recommendation on cross-border enforcement cooperation against spam: OECD members "
                "designate single contact points and share information.  Modelled as a network of the members "
                "(table `oecd_join`) with contact points and information sharing, but without `grant_powers`: the "
                "Recommendation asked members to give their enforcers cross-border powers, and those came with "
                "dated national acts replayed on their own dates (US SAFE WEB Act, the EU CPC regulation, "
                "Japan's 2008 revision)." if first else
                f"{', '.join(isos)} {'accedes' if len(isos) == 1 else 'accede'} to the OECD (table `oecd_join`), "
                "adhering to its 2006 anti-spam Recommendation: joins the OECD network.")
        out.append(Entry("oecd_recommendation" if first else f"oecd_{'_'.join(i.lower() for i in isos)}_{_slug(date)}",
                         date, "levers", spec, what, OECD_SOURCE if first else _src(["M-OECD"], texts) + " ; "
                         + OECD_SOURCE.split(":")[0],
                         "; ".join(filter(None, [DATE_NOTES.get(("oecd", isos[0], date), "") if not first else "",
                                                 f"est.: info_sharing {OECD_INFO_SHARING}"])),
                         order=1, group="network", countries=isos,
                         est="info_sharing" + ("" if first else ", day")))
    # EU CPC network: EU members at the date, and later accessions in the period
    for date, isos in _founded(rows, "eu_join", CPC_DATE):
        first = date == CPC_DATE
        spec = {"type": "cooperation_network", "countries": isos, "network": "CPC", "contact_point": True,
                "info_sharing": CPC_INFO_SHARING, "grant_powers": True}
        what = ("The EU consumer-protection cooperation (CPC) network starts: single liaison offices and a duty of "
                "mutual assistance, which gives the EU members' spam enforcers a cross-border basis "
                "(`grant_powers`: members with a law get cross-border powers)." if first else
                f"{', '.join(isos)} {'joins' if len(isos) == 1 else 'join'} the EU (table `eu_join`) and with it "
                "the CPC network.")
        out.append(Entry("eu_cpc_network" if first else f"eu_cpc_{'_'.join(i.lower() for i in isos)}_{_slug(date)}",
                         date, "levers", spec, what, CPC_SOURCE + ("" if first else " ; " + _src(["M-EU"], texts)),
                         f"est.: info_sharing {CPC_INFO_SHARING}; which EU enforcers gained a basis is the table's "
                         "judgement", order=1, group="network", countries=isos, est="info_sharing"))
    return out


def mou_entries(rows: list[dict[str, str]], texts: dict[str, str]) -> list[Entry]:
    """Bilateral MoUs dated in the period; pairs of one date that link every member of a
    group (a plurilateral MoU expanded into pairs) become one lever for the group."""
    codes = [r["iso3"] for r in rows]
    by_date: dict[str, set[tuple[str, str]]] = {}
    sources: dict[tuple[str, str], set[str]] = {}   # keys both rows cite
    for r in rows:
        for item in filter(None, (s.strip() for s in r["mous"].split(";"))):
            partner, _, date = item.partition("@")
            if partner in codes and _in_period(date):
                pair = tuple(sorted((r["iso3"], partner)))
                by_date.setdefault(date, set()).add(pair)
                keys = set(_row_key(r, "C-"))
                sources[pair] = sources[pair] & keys if pair in sources else keys
    out = []
    for date in sorted(by_date):
        pairs = by_date[date]
        members = sorted({c for p in pairs for c in p}, key=codes.index)
        complete = {tuple(sorted((a, b))) for i, a in enumerate(members) for b in members[i + 1:]}
        groups = [members] if pairs == complete else [sorted(p, key=codes.index) for p in sorted(pairs)]
        for g in groups:
            gp = {tuple(sorted((a, b))) for i, a in enumerate(g) for b in g[i + 1:]}
            common = set.intersection(*(sources[p] for p in gp))
            keys = sorted(k for k in common if k not in ("C-LAP", "C-LAP2006", "C-CNSA", "C-SMMOU", "C-LAPMOU"))
            tag = ("mou", "-".join(sorted(g)), date)
            spec = {"type": "bilateral_mou", "countries": g}
            out.append(Entry(f"mou_{'_'.join(c.lower() for c in g)}_{_slug(date)}", date, "levers", spec,
                             f"Enforcement MoU between {', '.join(g)} (table `mous`): a slower channel than a "
                             "network, grant factor 1.", _src(keys, texts),
                             DATE_NOTES.get(tag, ""), order=2, group="mou", countries=g,
                             est="day" if tag in DATE_NOTES else ""))
    return out


def entries(rows: list[dict[str, str]] | None = None) -> list[Entry]:
    """Every entry of the scenario, in date order (ties: laws, networks, MoUs, the rest)."""
    rows = rows if rows is not None else _table_rows()
    texts = source_texts()
    out = law_entries(rows, texts) + network_entries(rows, texts) + mou_entries(rows, texts) + list(EXOGENOUS)
    for e in out:
        if not (dt.date.fromisoformat(e.date) <= END):
            raise ValueError(f"{e.name}: {e.date} is after the period")
    return sorted(out, key=lambda e: (e.date, e.order, e.name))


# ---------------------------------------------------------------------------- YAML

def _scalar(v: Any) -> str:
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, float):
        return repr(v)
    if isinstance(v, list):
        return "[" + ", ".join(_scalar(x) for x in v) + "]"
    return str(v)


def _comment(text: str, indent: str) -> list[str]:
    return textwrap.wrap(text, WIDTH - len(indent) - 2, initial_indent=indent + "# ",
                         subsequent_indent=indent + "#   ", break_on_hyphens=False, break_long_words=False)


def _entry_lines(e: Entry) -> list[str]:
    ind = "  "
    lines = [""]
    lines += _comment(f"{e.date} -- {e.what}", ind)
    lines += _comment(f"Source: {e.source}", ind)
    if e.note:
        lines += _comment(f"Note: {e.note}", ind)
    lines.append(f"{ind}{e.name}:")
    spec = dict(e.spec)
    lines.append(f"{ind}  type: {spec.pop('type')}")
    lines.append(f"{ind}  start: {e.date}")
    if "end" in spec:
        lines.append(f"{ind}  end: {spec.pop('end')}")
    for k, v in spec.items():
        lines.append(f"{ind}  {k}: {_scalar(v)}")
    return lines


HEADER = """\
# GENERATED by `python -m simspam.calibration.historical --write` from conf/world/world_2004.csv and the
# events listed in simspam/calibration/historical.py.  Do not edit by hand: edit the table or the module and
# regenerate (tests/test_historical.py checks that this file is current).
#
# The historical scenario (issue 5): the real timeline of 2001-01-01 to 2010-12-31 on the default world, for
# calibrating the model to the published figures of 2001-2010 (docs/calibration_targets.md) and validating it.
# A run of this scenario starts on 2001-01-01 with only the laws, memberships and MoUs the table dates on or
# before that day, and users scaled back from 2004 by world.user_growth; everything later happens because an
# entry below replays it:
#   * every anti-spam law that came into force, or changed, in the period (the table's `law_in_force` and
#     `law_changes`): EU transpositions of Directive 2002/58/EC, CAN-SPAM and the US SAFE WEB Act, the
#     Australian Spam Act, Japan, Korea, China, Russia, Hong Kong, ...;
#   * enforcement cooperation: the London Action Plan and its members' join dates, the EU contact network
#     (CNSA) of 2005, the Seoul-Melbourne MoU, bilateral MoUs, the OECD Recommendation of 2006 and the EU
#     consumer-protection cooperation network of 2006;
#   * what happened to the ecosystem: Bayesian filters, sender authentication (SPF/Sender ID, DKIM), waves of
#     botnet malware (proxy worms 2003, Storm 2007, Conficker 2008) and the McColo takedown of 2008.
# Table-derived entries reproduce what a run starting after their date gets from the table; values marked
# est. are modelling estimates (calibration candidates).  Sending costs falling over time are not an entry:
# they are the model's exponential trend params.spammers.cost_decline, counted from the run's start (2001),
# as are the growth of spam capacity (params.spammers.capacity_growth), of users (world.user_growth) and
# ordinary filter research (params.isps.research_rate).
"""


def render(rows: list[dict[str, str]] | None = None) -> str:
    es = entries(rows)
    n_law = sum(e.group == "law" for e in es)
    lines = [HEADER.rstrip("\n"), "name: historical",
             "description: 'The real timeline of 2001-2010 on the default world: "
             f"{n_law} law adoptions and changes, enforcement networks and MoUs with their join dates, filters "
             "improving, botnet malware waves and the McColo takedown (generated from the country table).'",
             "analogue: The world from the EU ePrivacy Directive (2002) to the eve of the Rustock takedown (2011).",
             f"start: {START.isoformat()}", f"end: {END.isoformat()}"]
    for section in ("levers", "events"):
        lines.append(f"{section}:")
        for e in es:
            if e.section == section:
                lines += _entry_lines(e)
    return "\n".join(lines) + "\n"


# ---------------------------------------------------------------------------- the timeline in docs/

BEGIN, END_MARK = "<!-- BEGIN GENERATED TIMELINE -->", "<!-- END GENERATED TIMELINE -->"


def _cell(text: str) -> str:
    return " ".join(str(text).split()).replace("|", "\\|")


def timeline_table(es: list[Entry] | None = None) -> str:
    """The timeline as a Markdown table (date, where, what, source, est.) for docs/historical.md."""
    es = es if es is not None else entries()
    lines = ["| date | where | what | source | est. |", "|---|---|---|---|---|"]
    for e in es:
        where = ", ".join(e.spec.get("countries", [])).replace("ALL", "all countries")
        what = re.split(r"(?<=\.)\s", e.what, maxsplit=1)[0].rstrip(".")
        if e.spec["type"] != "legislation":
            what = f"`{e.spec['type']}`: " + what
        keys = re.findall(r"\b[LCM]-[A-Z0-9]+\b", e.source)
        first = e.source.split(" ; ")[0]
        cite = "; ".join(keys) + " (world_2004.md)" if keys and re.match(r"[LCM]-", first) else first
        lines.append(f"| {e.date} | {_cell(where)} | {_cell(what)} | {_cell(cite)} | {e.est} |")
    return "\n".join(lines) + "\n"


def docs_path() -> Path:
    """docs/historical.md of the checkout (not shipped in a wheel)."""
    return Path(__file__).resolve().parents[2] / "docs" / "historical.md"


def _docs_text() -> str | None:
    """docs/historical.md with its generated block refreshed (None if there is no such file)."""
    p = docs_path()
    if not p.is_file():
        return None
    text = p.read_text(encoding="utf-8")
    i, j = text.find(BEGIN), text.find(END_MARK)
    if i < 0 or j < i:
        raise ValueError(f"{p}: markers {BEGIN} / {END_MARK} not found")
    return text[: i + len(BEGIN)] + "\n" + timeline_table() + text[j:]


def path() -> Path:
    return scenarios_dir() / "historical.yaml"


def check() -> bool:
    """True when scenarios/historical.yaml (and docs/historical.md's table, if present) are current."""
    p = path()
    if not (p.is_file() and p.read_text(encoding="utf-8") == render()):
        return False
    docs = _docs_text()
    return docs is None or docs == docs_path().read_text(encoding="utf-8")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m simspam.calibration.historical", description=__doc__.splitlines()[0])
    mode = ap.add_mutually_exclusive_group()
    mode.add_argument("--write", action="store_true", help="(re)write scenarios/historical.yaml")
    mode.add_argument("--check", action="store_true", help="exit 1 if scenarios/historical.yaml is out of date")
    args = ap.parse_args(argv)
    if args.check:
        if not check():
            print(f"out of date: {path()} or {docs_path()}  (run: python -m simspam.calibration.historical --write)",
                  file=sys.stderr)
            return 1
        return 0
    text = render()
    if args.write:
        for p, new in ((path(), text), (docs_path(), _docs_text())):
            if new is not None and (not p.is_file() or p.read_text(encoding="utf-8") != new):
                p.write_text(new, encoding="utf-8")
                print(f"updated {p}")
        return 0
    sys.stdout.write(text)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
