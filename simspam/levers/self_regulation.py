"""Lever 3, self-regulation by industry.

* ``isp_code``: a code of conduct -- acceptable-use enforcement against hosted
  spammers, port-25 blocking of consumer lines, shared blocklists (each raised to
  ``strength x target``, never lowered) and clean-up of infected customers (added
  to the ISPs' clean-up rate).
* ``marketing_code``: grey marketers follow a code (they drop spam to those
  countries) even where no law is enforced.
* ``payment_refusal``: the payment sector refuses spam merchants: a share of the
  sales (and fraud payments) of non-grey operations to consumers in these countries
  fail.  Reversible: at ``end`` its refusal is withdrawn (overlapping refusals keep
  the largest of those still running).
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

import numpy as np

from ..config.schema import P
from .base import Lever, register


@register("isp_code")
@dataclass
class IspCode(Lever):
    noop: ClassVar = {"aup": 0.0, "port25": 0.0, "blocklist": 0.0, "cleanup": 0.0}   # raises nothing
    aup: float = P(0.7, 0.0, 1.0, "fraction", doc="Hosted-server spam stopped by acceptable-use enforcement.")
    port25: float = P(0.6, 0.0, 1.0, "fraction", doc="Consumer lines with port 25 blocked.")
    blocklist: float = P(1.0, 0.0, 1.0, "fraction", doc="Share of ISPs using shared blocklists.")
    cleanup: float = P(0.0, 0.0, 1.0, "1/day", doc="Extra clean-up rate of infected customers.")

    def activate(self, sim, mask: np.ndarray) -> None:
        isp = sim.isps
        s = self.strength
        isp.aup[mask] = np.maximum(isp.aup[mask], s * self.aup)
        isp.port25[mask] = np.maximum(isp.port25[mask], s * self.port25)
        isp.blocklist[mask] = np.maximum(isp.blocklist[mask], s * self.blocklist)
        isp.cleanup[mask] = isp.cleanup[mask] + s * self.cleanup


@register("marketing_code")
@dataclass
class MarketingCode(Lever):
    noop: ClassVar = {"compliance": 0.0}
    compliance: float = P(0.8, 0.0, 1.0, "fraction", doc="Share of grey marketers' spam the code stops.")

    def activate(self, sim, mask: np.ndarray) -> None:
        pol = sim.policy
        pol.marketing_code[mask] = np.maximum(pol.marketing_code[mask], self.strength * self.compliance)


@register("payment_refusal")
@dataclass
class PaymentRefusal(Lever):
    noop: ClassVar = {"coverage": 0.0}
    coverage: float = P(0.8, 0.0, 1.0, "fraction", doc="Share of spam-advertised sales the payment sector refuses.")

    reversible: ClassVar[bool] = True

    def activate(self, sim, mask: np.ndarray) -> None:
        sp = sim.spammers
        sp.refusals[self.name] = np.where(mask, self.strength * self.coverage, 0.0)
        sp.processor_refusal = np.max(np.stack(list(sp.refusals.values())), axis=0)

    def deactivate(self, sim, mask: np.ndarray) -> None:
        sp = sim.spammers
        sp.refusals.pop(self.name, None)
        sp.processor_refusal = (np.max(np.stack(list(sp.refusals.values())), axis=0) if sp.refusals
                                else np.zeros(sim.world.n))
