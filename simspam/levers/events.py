"""Scheduled events: takedowns, arrests, payment cuts and scripted cases.

They share the lever machinery (typed, timed, targeted, from YAML) but act once.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

import numpy as np

from ..agents.spammers import OWN
from ..config.schema import P
from .base import Lever, choice, register


def _largest(sim, mask: np.ndarray) -> int | None:
    sp = sim.spammers
    cand = np.flatnonzero(sp.alive & mask[sp.home])
    if len(cand) == 0:
        return None
    return int(cand[np.argmax(sp.capacity[cand])])


@register("takedown")
@dataclass
class Takedown(Lever):
    """Take down hosting providers' servers (spam operations hosted there go offline), botnets'
    command servers (those botnets go offline), or both -- a McColo-style provider that
    hosted both -- in ``countries``.  Operators rebuild after about ``rebuild_days``."""

    noop: ClassVar = {"countries": []}
    target: str = choice("hosting", ["hosting", "botnet", "both"], "hosting, botnet or both")
    rebuild_days: float = P(45.0, 0.0, 3650.0, "days", doc="Median time the operators need to rebuild.")

    def activate(self, sim, mask: np.ndarray) -> None:
        t = sim.engine.now
        sp = sim.spammers
        days = self.rebuild_days * self.strength
        if self.target in ("hosting", "both"):
            hit = np.flatnonzero(sp.alive & (sp.infra == OWN) & mask[sp.host])
            sp.shut_down(hit, t, days)
            for c in np.flatnonzero(mask):
                sim.log("takedown", int(c), value=float((sp.host[hit] == c).sum()), detail="hosting provider")
        if self.target in ("botnet", "both"):
            for j, b in enumerate(sim.botnets.agents):
                if mask[b.cc_country] and b.online:
                    sim.botnets.take_down(j, t, days)
                    sim.log("takedown", b.cc_country, value=b.share, detail=f"botnet {j} command servers")


@register("arrest")
@dataclass
class Arrest(Lever):
    """Arrest the operator of the largest active operation homed in ``countries``."""

    noop: ClassVar = {"countries": []}

    def activate(self, sim, mask: np.ndarray) -> None:
        slot = _largest(sim, mask)
        if slot is not None:
            sim.spammers.arrest(slot, sim.engine.now, int(sim.spammers.home[slot]))


@register("payment_cut")
@dataclass
class PaymentCut(Lever):
    """A payment processor (0 = the largest) stops serving spam merchants until ``end``."""

    noop: ClassVar = None   # acts on the processor everywhere, whatever its countries
    processor: int = P(0, 0, 4, "index", integer=True, doc="Processor: 0 is the largest (E7).")
    reversible: ClassVar[bool] = True

    def activate(self, sim, mask: np.ndarray) -> None:
        sim.spammers.processor_ok[self.processor] = False
        sim.log("payment_cut", "", value=float(self.processor), detail=f"processor {self.processor}")

    def deactivate(self, sim, mask: np.ndarray) -> None:
        sim.spammers.processor_ok[self.processor] = True


@register("case")
@dataclass
class Case(Lever):
    """The regulator of the first of ``countries`` opens a case against the largest active
    operation homed in ``against`` (a scripted investigation, for exercises and tests)."""

    noop: ClassVar = {"countries": []}
    against: str = "USA"

    def activate(self, sim, mask: np.ndarray) -> None:
        home = sim.world.resolve([self.against], sim.engine.now, f"{self.name}.against", law=sim.policy.law)
        slot = _largest(sim, home)
        if slot is not None and mask.any():
            sim.regulators[int(np.flatnonzero(mask)[0])].open_scripted_case(sim.engine.now, slot)
