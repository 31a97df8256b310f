"""Lever 1, legislation: a country adopts or strengthens an anti-spam law.

A law sets the regime (opt-out or opt-in: grey marketers comply with enforced laws),
the heaviest sanction (fines, or prosecution and prison, which deter more), the
regulator's investigation powers and staff, and cross-border powers (needed for any
mutual assistance).  Laws only ever strengthen: a weaker law does not repeal a
stronger one.  ``strength`` scales powers and staff.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

import numpy as np

from ..config.schema import P
from .base import Lever, choice, register

REGIMES = {"opt-out": 1, "opt-in": 2}
SANCTIONS = {"fine": 1, "prison": 2}


@register("legislation")
@dataclass
class Legislation(Lever):
    noop: ClassVar = {"countries": []}   # laws only strengthen: only no country is a no-op
    regime: str = choice("opt-in", list(REGIMES), "opt-out or opt-in")
    sanction: str = choice("prison", list(SANCTIONS), "the heaviest sanction: fine or prison")
    investigation_powers: float = P(0.8, 0.0, 1.0, "fraction", doc="Regulator's investigation powers at full strength.")
    investigators: int = P(5, 0, 100000, "staff", integer=True, doc="Investigators the regulator has at full strength.")
    cross_border: bool = True

    def activate(self, sim, mask: np.ndarray) -> None:
        pol = sim.policy
        for c in np.flatnonzero(mask):
            before = int(pol.law[c])
            pol.law[c] = max(before, REGIMES[self.regime])
            pol.sanction[c] = max(int(pol.sanction[c]), SANCTIONS[self.sanction])
            pol.powers[c] = max(float(pol.powers[c]), self.strength * self.investigation_powers)
            if self.cross_border:
                pol.cross_border[c] = True
            reg = sim.regulators[c]
            reg.hire(int(round(self.strength * self.investigators)) - reg.staff)
            sim.log("law_adopted", int(c), value=self.strength,
                    detail=f"{self.regime}, {self.sanction}; was {['none', 'opt-out', 'opt-in'][before]}")
