"""Lever 4, technical solutions.

* ``filter_improvement``: better filtering at the destination -- a jump in the
  detection index now (short term) and a faster research rate (long term).
* ``botnet_cleanup``: national clean-up programmes (ISPs notify and disinfect
  customers), raising the daily clean-up rate of infected machines.
* ``sender_authentication``: SPF/DKIM-style authentication makes forged senders
  easier to reject (a detection bonus for every ISP in the countries).
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

import numpy as np

from ..config.schema import P
from .base import Lever, register


@register("filter_improvement")
@dataclass
class FilterImprovement(Lever):
    noop: ClassVar = {"jump": 0.0, "research_rate": 0.0}
    jump: float = P(0.5, 0.0, 10.0, "d' units", doc="Immediate gain in detection index.")
    research_rate: float = P(0.1, 0.0, 5.0, "d' units/year", doc="Extra yearly gain from research.")

    def activate(self, sim, mask: np.ndarray) -> None:
        isp = sim.isps
        isp.bonus[mask] += self.strength * self.jump
        isp.research_bonus[mask] += self.strength * self.research_rate
        # research counts from now on: offset so that the bonus is zero today
        isp.bonus[mask] -= self.strength * self.research_rate * sim.years_at(sim.engine.now)


@register("botnet_cleanup")
@dataclass
class BotnetCleanup(Lever):
    noop: ClassVar = {"rate": 0.0}
    rate: float = P(0.01, 0.0, 1.0, "1/day", doc="Extra daily clean-up rate of infected machines (I5).")
    reversible: ClassVar[bool] = True

    def activate(self, sim, mask: np.ndarray) -> None:
        sim.isps.cleanup[mask] += self.strength * self.rate

    def deactivate(self, sim, mask: np.ndarray) -> None:
        sim.isps.cleanup[mask] -= self.strength * self.rate


@register("sender_authentication")
@dataclass
class SenderAuthentication(Lever):
    noop: ClassVar = {"gain": 0.0}
    gain: float = P(0.3, 0.0, 5.0, "d' units", doc="Detection gain from authenticated sending domains.")

    def activate(self, sim, mask: np.ndarray) -> None:
        sim.isps.auth[mask] = np.maximum(sim.isps.auth[mask], self.strength * self.gain)
