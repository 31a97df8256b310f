"""Consumers as arrays (country x awareness class), never one object per person.

Awareness is what the education lever moves: an aware consumer exposes fewer
addresses (so spammers find fewer of them), answers spam less, complains more (and
knows where to), loses less time (own filters, quick deletion) and keeps machines
cleaner (fewer bots).  The classes' shares per country are the state; campaigns move
mass from the unaware class up, and it drifts back as campaigns fade.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass
class ConsumerRates:
    """How consumers answer delivered spam, by destination, between two changes of plans."""

    time_coef: np.ndarray   # (C,) hours lost per delivered spam
    resp_coef: np.ndarray   # (C, A) responses per delivered spam, by awareness class
    sale_coef: np.ndarray   # (C,) sales per response (payments that go through)
    comp_coef: np.ndarray   # (C,) complaints per delivered spam


class Consumers:
    def __init__(self, sim):
        self.sim = sim
        p = sim.p.consumers
        w = sim.world
        # the table's users are those of world.users_date: scale them to the run's start
        self.users0 = w.users * np.exp(sim.cfg.world.user_growth * sim.t_ref / 365.25)
        self.users = self.users0.copy()
        self.level = np.asarray(p.awareness_levels, dtype=float)
        self.base_shares = np.tile(np.asarray(p.awareness_shares, dtype=float), (w.n, 1))
        self.boost = np.zeros(w.n)           # awareness campaigns: share of unaware moved up, by country
        self.income = np.power(w.relative_income, p.income_elasticity)
        self.attention = np.ones(w.n)
        self.set_year(sim.t_ref / 365.25)    # responses per delivered spam relative to the reference year
        self.version = 0
        self._cache_version = -1
        self._refresh()

    def changed(self) -> None:
        """Awareness moved (a campaign started, ended or faded): the rates must follow."""
        self.version += 1
        self.sim.plan_dirty = True

    @property
    def shares(self) -> np.ndarray:
        """Class shares (C, A) after campaigns: mass moves from class 0 to the top class."""
        moved = self.base_shares[:, 0] * np.clip(self.boost, 0.0, 1.0)
        s = self.base_shares.copy()
        s[:, 0] -= moved
        s[:, -1] += moved
        return s

    def _refresh(self) -> None:
        p = self.sim.p.consumers
        s = self.shares
        lv = self.level[None, :]
        self.exposure = s * (1.0 - p.exposure_cut * lv)                    # (C, A) exposed addresses per user
        self.exposed = self.exposure.sum(axis=1)
        self.split = self.exposure / np.maximum(self.exposed[:, None], 1e-12)  # where delivered spam lands
        self.resp_mult = 1.0 - p.response_cut * self.level                  # (A,)
        self.complain_mult = 1.0 + p.complaint_boost * self.level
        self.time_mult = 1.0 - p.own_filter_cut * self.level
        self.mean_awareness = (s * lv).sum(axis=1)
        self._cache_version = self.version

    def refresh_if_changed(self) -> None:
        if self._cache_version != self.version:
            self._refresh()

    def addresses(self) -> np.ndarray:
        self.refresh_if_changed()
        return self.users * self.exposed

    def set_year(self, years: float) -> None:
        """Consumers get used to spam: responses per delivered spam fall by ``response_decline``
        a year from the reference year (updated with the plans, every few weeks)."""
        decline = self.sim.p.consumers.response_decline
        self.learning = float(np.exp(-decline * years)) if decline else 1.0

    def expected_conversion(self) -> np.ndarray:
        """Expected sales per delivered spam, by destination (what spammers plan with)."""
        self.refresh_if_changed()
        p = self.sim.p.consumers
        return (p.response_rate * self.learning * (self.split @ self.resp_mult) * p.purchase_rate
                * self.income * self.attention)

    def rates(self, years: float, users: np.ndarray, delivered: np.ndarray, pay_ok: np.ndarray,
              law: np.ndarray) -> ConsumerRates:
        """Responses, sales, complaints and time lost per delivered spam, from the awareness mix,
        the year (novelty wearing off), the inbox load of ``delivered`` (spam per country per day)
        on ``users``, the share of payments that go through and whether a law tells people where
        to complain."""
        pc = self.sim.p.consumers
        self.refresh_if_changed()
        self.set_year(years)
        time_coef = (self.split * self.time_mult).sum(axis=1) * (pc.seconds_per_spam / 3600.0)
        self.set_inbox_load(delivered, users)
        resp_coef = self.split * (pc.response_rate * self.learning * self.resp_mult)[None, :] * self.attention[:, None]
        lawfactor = np.where(law > 0, 1.0, pc.no_law_complaints)
        return ConsumerRates(
            time_coef=time_coef, resp_coef=resp_coef, sale_coef=pc.purchase_rate * self.income * pay_ok,
            comp_coef=(self.split * self.complain_mult).sum(axis=1) * pc.complaint_rate * lawfactor)

    def set_inbox_load(self, delivered: np.ndarray, users: np.ndarray) -> None:
        """Crowded inboxes: responses per message fall as delivered spam per user rises."""
        p = self.sim.p.consumers
        per_user = delivered / np.maximum(users, 1.0)
        self.attention = 1.0 / (1.0 + per_user / max(p.attention, 1e-9))
