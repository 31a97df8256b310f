"""Lever 5, awareness and education: national campaigns that start, hold and fade.

A campaign moves ``reach x strength`` of a country's unaware consumers into the
aware class while it runs; after ``end`` the effect decays with ``half_life``.
Aware consumers expose fewer addresses, answer less, complain more and keep cleaner
machines (see :mod:`simspam.agents.consumers`).
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from typing import ClassVar

import numpy as np

from ..config.schema import P
from .base import Lever, register


@register("awareness_campaign")
@dataclass
class AwarenessCampaign(Lever):
    noop: ClassVar = {"reach": 0.0}
    reach: float = P(0.4, 0.0, 1.0, "fraction", doc="Share of unaware consumers the campaign reaches.")
    half_life: float = P(365.0, 1.0, 36500.0, "days", doc="Half-life of the effect after the campaign ends.")
    cost_per_person: float = P(1.0, 0.0, 1e4, "USD/person/year", doc="Cost of reaching one consumer for a year (media, schools, helplines).")
    reversible: ClassVar[bool] = True

    def activate(self, sim, mask: np.ndarray) -> None:
        self.contrib = np.where(mask, self.strength * self.reach, 0.0)
        sim.consumers.boost += self.contrib
        reached = self.contrib * sim.consumers.base_shares[:, 0] * sim.consumers.users
        sim.set_campaign(self.name, reached * self.cost_per_person / 365.25)

    def deactivate(self, sim, mask: np.ndarray) -> None:
        sim.set_campaign(self.name, None)
        sim.engine.process_at(sim.engine.now, self._fade(sim))

    def _fade(self, sim):
        step = 7.0
        keep = math.exp(-math.log(2.0) * step / self.half_life)
        while sim.engine.now + step < sim.n_days and self.contrib.max() > 1e-4:
            yield sim.engine.timeout(step)
            drop = self.contrib * (1.0 - keep)
            self.contrib = self.contrib - drop
            sim.consumers.boost -= drop
            sim.consumers.changed()
