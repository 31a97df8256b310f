"""Lever 2, enforcement cooperation: multilateral networks and bilateral MoUs.

A request for mutual assistance only travels through a channel: a common network
(fast, through single contact points: weeks) or a bilateral MoU (slower: months).
Both sides also need a law and cross-border powers -- cooperation without
legislation buys nothing, which is the paper's point and an interaction the factorial
experiment measures.  ``strength`` scales how readily requests are granted and how
much information sharing shortens them.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

import numpy as np

from ..agents.regulators import Network
from ..config.schema import P
from .base import Lever, register


@register("cooperation_network")
@dataclass
class CooperationNetwork(Lever):
    noop: ClassVar = {"countries": []}   # a network nobody joins
    network: str = "GLOBAL"
    contact_point: bool = True
    info_sharing: float = P(0.5, 0.0, 1.0, "fraction", doc="Information sharing: shortens requests by up to "
                                                           "params.regulators.info_sharing_cut.")
    grant_powers: bool = False

    def activate(self, sim, mask: np.ndarray) -> None:
        pol = sim.policy
        delay = 1.0 - sim.p.regulators.info_sharing_cut * self.info_sharing * self.strength
        net = pol.networks.get(self.network)
        if net is None:
            net = pol.networks[self.network] = Network(self.network, np.zeros(sim.world.n, dtype=bool),
                                                       self.contact_point, delay, self.strength)
        else:  # joining an existing network can only improve it
            net.contact_point = net.contact_point or self.contact_point
            net.delay_factor = min(net.delay_factor, delay)
            net.grant_factor = max(net.grant_factor, self.strength)
        net.member |= mask
        if self.grant_powers:
            pol.cross_border[mask & (pol.law > 0)] = True
        for c in np.flatnonzero(mask):
            sim.log("network_joined", int(c), value=self.strength, detail=self.network)


@register("bilateral_mou")
@dataclass
class BilateralMou(Lever):
    noop: ClassVar = {"countries": []}
    """MoUs between every pair of ``countries`` (or between ``countries`` and ``partners``);
    ``strength`` is how readily requests under them are granted."""

    partners: list[str] = P([], unit="ISO3 or bloc", doc="If set, MoUs link each country to each partner.")

    def activate(self, sim, mask: np.ndarray) -> None:
        other = (sim.world.resolve(self.partners, sim.engine.now, f"{self.name}.partners", law=sim.policy.law)
                 if self.partners else mask)
        pairs = np.outer(mask, other) | np.outer(other, mask)
        np.fill_diagonal(pairs, False)
        new = pairs & (sim.policy.mou == 0)
        sim.policy.mou = np.where(pairs, np.maximum(sim.policy.mou, self.strength), sim.policy.mou)
        for a, b in zip(*np.nonzero(np.triu(new))):
            sim.log("mou_signed", int(a), partner=sim.world.codes[b], value=self.strength)
