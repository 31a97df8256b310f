"""ISPs as arrays (country x ISP slot): filters, outbound controls, clean-up, blocklists.

Inbound filtering follows a binormal ROC: a filter with detection index d' operating
at false-positive rate f catches a message of evasion e with probability
Phi(d' - e + Phi^-1(f)).  Each ISP chooses f every ``decision_days`` from a grid to
minimise its own cost (delivered spam vs. lost legitimate mail): a real trade-off,
not a constant.  d' grows with ordinary research (``research_rate``) plus whatever
technical levers add (``bonus``).

Outbound controls act where spam leaves: port-25 blocking stops infected consumer
machines, acceptable-use terminations stop hosted servers, and membership in shared
blocklists lets an ISP detect and cut both.  Costs are tallied per day.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy.special import ndtr, ndtri

from .world import MAX_ISPS


@dataclass
class IspRates:
    """What the ISPs do to a message, between two changes of plans or ISP choices.  ``infra`` is
    0 for hosted servers, 1 for botnets."""

    p_out: np.ndarray          # (infra, origin, 1) share stopped where it leaves
    catch: np.ndarray          # (infra, origin, destination) share caught by the destination's filters
    reject: np.ndarray         # (infra, destination) of which refused at connection by blocklists (<= catch)
    fp_rate: np.ndarray        # (destination,) legitimate mail lost to filters
    cost_per_user: np.ndarray  # (country,) USD per user per day


class Isps:
    def __init__(self, sim):
        self.sim = sim
        p = sim.p.isps
        w = sim.world
        rng = sim.streams["isps.init"]
        u = rng.random((w.n, MAX_ISPS, 2))
        self.share = w.isp_share                       # (C, K)
        self.active = self.share > 0
        self.base_dprime = p.dprime + p.dprime_spread * ndtri(np.clip(u[..., 0], 1e-6, 1 - 1e-6))
        self.bonus = np.zeros(w.n)                     # technical levers: extra d' by country
        self.research_bonus = np.zeros(w.n)            # technical levers: extra research rate by country
        grid = np.asarray(p.fpr_grid)
        self.fpr = np.full((w.n, MAX_ISPS), grid[np.argmin(np.abs(grid - p.initial_fpr))])
        self.port25 = np.full((w.n, MAX_ISPS), p.port25)
        self.aup = np.full((w.n, MAX_ISPS), p.aup)
        self.blocklist = (u[..., 1] < p.blocklist).astype(float)
        self.cleanup = np.full((w.n, MAX_ISPS), p.cleanup)
        self.auth = np.zeros(w.n)                      # sender authentication: d' bonus against spoofed mail

    # ------------------------------------------------------------ derived quantities
    def dprime(self, years: float) -> np.ndarray:
        p = self.sim.p.isps
        return self.base_dprime + ((p.research_rate + self.research_bonus) * years + self.bonus + self.auth)[:, None]

    def detection(self, years: float) -> np.ndarray:
        """d' + Phi^-1(fpr): the margin a message must beat, per ISP (C, K)."""
        return self.dprime(years) + ndtri(self.fpr)

    def mean_detection(self, years: float) -> np.ndarray:
        """Share-weighted detection margin per country (what spammers plan against)."""
        return (self.share * self.detection(years)).sum(axis=1)

    def outbound_block(self) -> tuple[np.ndarray, np.ndarray]:
        """(hosted-server, botnet) share of outbound spam stopped, per origin country.  A blocklist
        member stops its own listed customers' spam ``blocklist_outbound`` times as much as it
        refuses listed senders inbound (sim.py), so the two uses of the lists can differ."""
        p = self.sim.p.isps
        out = p.blocklist_outbound
        own = 1.0 - ((1.0 - self.aup) * (1.0 - self.blocklist * p.blocklist_own * out) * self.share).sum(axis=1)
        bot = 1.0 - ((1.0 - self.port25) * (1.0 - self.blocklist * p.blocklist_bot * out) * self.share).sum(axis=1)
        return np.clip(own, 0.0, 1.0), np.clip(bot, 0.0, 1.0)

    def clean_rate(self) -> np.ndarray:
        return (self.share * self.cleanup).sum(axis=1)

    def rates(self, years: float, market) -> IspRates:
        """Outbound controls, and the inbound catch against the evasion the senders' plans carry
        (``market``: :class:`simspam.agents.spammers.Market`)."""
        p = self.sim.p.isps
        C = len(self.share)
        p_own, p_bot = self.outbound_block()
        p_out = np.empty((2, C, 1))                                         # (infra, origin, 1)
        p_out[0, :, 0], p_out[1, :, 0] = p_own, p_bot
        det = self.detection(years)                                         # (d, k)
        bl = self.blocklist
        # a blocklist member refuses listed senders at connection; the content filter sees the rest
        miss_own = (1.0 - ndtr(det[None, :, :] - market.E_own[:, :, None])) * (1.0 - bl * p.blocklist_own)[None]
        catch_own = 1.0 - (miss_own * self.share[None]).sum(axis=2)        # (o, d)
        miss_bot = (1.0 - ndtr(det - market.E_bot[:, None])) * (1.0 - bl * p.blocklist_bot)
        catch_bot = 1.0 - (miss_bot * self.share).sum(axis=1)               # (d,)
        catch = np.empty((2, C, C))                                         # (infra, o, d)
        catch[0], catch[1] = catch_own, catch_bot
        refused = (bl * self.share).sum(axis=1)                             # (d,) share of mail meeting a blocklist
        reject = np.stack((refused * p.blocklist_own, refused * p.blocklist_bot))   # (infra, d), <= catch
        return IspRates(p_out=p_out, catch=catch, reject=reject, fp_rate=(self.share * self.fpr).sum(axis=1),
                        cost_per_user=self.daily_cost_per_user())

    # ------------------------------------------------------------ decisions
    def choose_operating_points(self, years: float, spam_in: np.ndarray, evasion: np.ndarray, legit: np.ndarray) -> None:
        """Each ISP picks the false-positive rate that minimises its expected cost."""
        p = self.sim.p.isps
        grid = np.asarray(p.fpr_grid)
        d = self.dprime(years)[..., None] + ndtri(grid)[None, None, :] - evasion[:, None, None]
        missed = (1.0 - ndtr(d)) * (spam_in[:, None, None] * self.share[..., None])
        lost = legit[:, None, None] * self.share[..., None] * grid[None, None, :]
        cost = p.cost_delivered_spam * missed + p.cost_false_positive * lost
        self.fpr = grid[np.argmin(cost, axis=2)]

    def daily_cost_per_user(self) -> np.ndarray:
        """USD per user per day by country: filtering, outbound controls and blocklists."""
        p = self.sim.p.isps
        control = (self.share * (self.port25 + self.aup + self.blocklist) / 3.0).sum(axis=1)
        return (p.filter_cost_per_user + p.control_cost_per_user * control) / 365.25
