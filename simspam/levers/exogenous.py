"""Exogenous trends and shocks: things that happened to the spam ecosystem, not policies.

* ``malware_wave``: a wave of malware that recruits consumer machines into botnets
  (Sobig's spam proxies in 2003, Storm in 2007, Conficker in 2008-09): between
  ``start`` and ``end`` the daily infection hazard in the countries is multiplied by
  ``1 + strength x surge``.  Overlapping waves add their surges.  The historical
  scenario replays the real ones; other scenarios can use it as a stress test.
* ``malware_lull``: the opposite, a time when little malware recruits machines for spam
  (before Sobig's spam proxies of 2003, spam went out from hosted servers, open relays and
  open proxies): while it lasts the infection hazard is multiplied by ``1 - strength``, and
  when it starts the infected stock shrinks by the same share.  With it a run that starts
  in 2001 begins with the few spam bots of the time, so that operations choose hosted
  servers until botnets become cheaper.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

import numpy as np

from ..config.schema import P
from .base import Lever, register


@register("malware_wave")
@dataclass
class MalwareWave(Lever):
    """A wave of botnet malware: the infection hazard of clean machines in ``countries`` is
    multiplied by ``1 + strength x surge`` from ``start`` to ``end`` (no end: to the end of the run)."""

    noop: ClassVar = {"surge": 0.0}
    surge: float = P(1.0, 0.0, 50.0, "-", doc="Extra infection hazard at full strength: the hazard is "
                                               "multiplied by 1 + strength x surge while the wave lasts.")
    reversible: ClassVar[bool] = True

    def activate(self, sim, mask: np.ndarray) -> None:
        self.extra = np.where(mask, self.strength * self.surge, 0.0)
        sim.botnets.hazard_mult += self.extra

    def deactivate(self, sim, mask: np.ndarray) -> None:
        sim.botnets.hazard_mult -= self.extra


@register("malware_lull")
@dataclass
class MalwareLull(Lever):
    """Little spam malware about: the infection hazard in ``countries`` is multiplied by
    ``1 - strength`` from ``start`` to ``end``, and the machines infected when it starts
    shrink by ``strength`` (the stock the parameters describe is the 2004 one)."""

    reversible: ClassVar[bool] = True
    noop: ClassVar = {"countries": []}

    def activate(self, sim, mask: np.ndarray) -> None:
        self.cut = np.where(mask, self.strength, 0.0)
        sim.botnets.hazard_mult -= self.cut
        sim.botnets.infected *= 1.0 - self.cut

    def deactivate(self, sim, mask: np.ndarray) -> None:
        sim.botnets.hazard_mult += self.cut
