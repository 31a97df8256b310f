"""National regulators: laws, powers, cooperation channels, and cases in continuous time.

A regulator is a Mesa agent (there are few of them and each acts irregularly).  Its
investigators are a pool of tokens (a ``simpy.Store``), so a law that hires more
investigators widens the pool while cases are waiting.  A case is a SimPy process:

    complaint -> case opened -> wait for an investigator (dropped after max_queue_days)
      -> investigation (lognormal time)
      -> target at home?  yes: enforce under our law
                          no:  mutual assistance, only through a channel
                               (common network or bilateral MoU, both sides with a
                               law and cross-border powers); the request takes the
                               channel's delay and one of the other side's investigators,
                               then is granted or refused
      -> won (fine, infrastructure shut down, or arrest where prison is a sanction)
         or dropped

Every random draw of a complaint-driven case comes from its own stream ``case:<ISO3>:<k>``,
so the k-th case of a country sees the same numbers in every scenario run with that seed;
scripted cases (a scenario's ``case`` events) draw from ``case:<ISO3>:scripted:<k>``, so
they do not shift the numbers of complaint-driven ones.
"""
from __future__ import annotations

from dataclasses import dataclass

import mesa
import numpy as np
import simpy

from .world import World


@dataclass
class Network:
    """A multilateral enforcement network (LAP, the EU contact network, ...)."""

    name: str
    member: np.ndarray           # bool per country
    contact_point: bool = True   # a single national contact point: requests take network_days
    delay_factor: float = 1.0    # information sharing shortens requests
    grant_factor: float = 1.0


class Policy:
    """Laws and cooperation arrangements in force: the state legislation and cooperation levers edit."""

    def __init__(self, world: World, params):
        n = world.n
        self.params = params                # RegulatorParams: the channels' delays
        self.law = world.law.copy()
        self.sanction = world.sanction.copy()
        self.powers = np.where(world.law > 0, world.powers, 0.0)
        self.cross_border = world.cross_border & (world.law > 0)
        self.networks: dict[str, Network] = {}
        for name in ("LAP", "CNSA", "SMMOU"):
            member = world.join_day[name] <= 0
            if member.any():
                self.networks[name] = Network(name, member.copy())
        # bilateral MoUs in force: how readily requests under them are granted (0: no MoU)
        self.mou = ((world.mou_day <= 0) & ~np.eye(n, dtype=bool)).astype(float)
        self.marketing_code = np.zeros(n)   # grey senders' extra compliance (self-regulation)
        self.version = 0                    # bumped on every change; caches key on it
        self._channel_cache: tuple[int, np.ndarray, np.ndarray] | None = None

    def changed(self) -> None:
        self.version += 1

    def channels(self) -> tuple[np.ndarray, np.ndarray]:
        """(delay[a, b], grant_factor[a, b]): the fastest channel from regulator a to b (inf: none).
        Median delays: ``network_days`` through a common network (``no_contact_point_factor``
        times that without single contact points, shortened by information sharing), ``mou_days``
        under a bilateral MoU."""
        if self._channel_cache and self._channel_cache[0] == self.version:
            return self._channel_cache[1], self._channel_cache[2]
        p = self.params
        network_days, mou_days, no_contact_factor = p.network_days, p.mou_days, p.no_contact_point_factor
        n = len(self.law)
        delay = np.where(self.mou > 0, mou_days, np.inf)
        grant = self.mou.copy()
        for net in self.networks.values():
            both = np.outer(net.member, net.member)
            d = network_days * net.delay_factor * (1.0 if net.contact_point else no_contact_factor)
            better = both & (d < delay)
            delay = np.where(better, d, delay)
            grant = np.where(both, np.maximum(grant, net.grant_factor), grant)
        able = (self.law > 0) & self.cross_border
        ok = np.outer(able, able) & ~np.eye(n, dtype=bool)
        delay = np.where(ok, delay, np.inf)
        grant = np.where(ok & np.isfinite(delay), grant, 0.0)
        self._channel_cache = (self.version, delay, grant)
        return delay, grant


@dataclass
class RegulatorRates:
    """What enforcement costs and can take on, between two changes of plans or policy."""

    enf_cost: np.ndarray    # (C,) USD/day of investigators
    case_cap: np.ndarray    # (C,) most complaint-driven cases a day the investigators can take on
    case_coef: np.ndarray   # (C,) cases per complaint
    K: np.ndarray           # (destination, home) expected penalty, USD/day per unit share of delivered spam


class Regulators:
    """The national regulators (one Mesa agent per country), and what they add up to."""

    def __init__(self, sim):
        self.sim = sim
        w = sim.world
        self.agents = [Regulator(sim.model, sim, c, int(w.investigators[c] if w.law[c] > 0 else 0))
                       for c in range(w.n)]

    def __getitem__(self, country: int) -> "Regulator":
        return self.agents[country]

    def __iter__(self):
        return iter(self.agents)

    def __len__(self) -> int:
        return len(self.agents)

    def rates(self, comp_coef: np.ndarray, delivered: np.ndarray) -> RegulatorRates:
        """Costs, intake and the enforcement pressure spammers plan against, for the complaint
        flow ``delivered x comp_coef`` (spam delivered per day by destination)."""
        sim = self.sim
        p, pol = sim.p.regulators, sim.policy
        C = len(self.agents)
        staff = np.fromiter((r.staff for r in self.agents), dtype=float, count=C)
        case_cap = staff * p.cases_per_investigator / 365.25 * (pol.law > 0)
        case_coef = p.case_conversion * pol.powers * (pol.law > 0)
        return RegulatorRates(enf_cost=staff * p.cost_per_investigator / 365.25, case_cap=case_cap,
                              case_coef=case_coef,
                              K=self.pressure(np.minimum(delivered * comp_coef * case_coef, case_cap)))

    def pressure(self, cases_per_day: np.ndarray) -> np.ndarray:
        """K[d, h]: expected penalty per day (USD) an operation homed in h faces per unit of its
        share of the spam delivered in d (its share of d's complaints, hence of d's cases)."""
        pol, p = self.sim.policy, self.sim.p.regulators
        _, grant = pol.channels()
        reach = p.grant * pol.powers[None, :] * grant                     # d's request granted by h
        np.fill_diagonal(reach, 1.0)                                       # a domestic case needs no request
        win = p.success * pol.powers                                       # won under the enforcer's powers...
        severity = np.where(pol.sanction == 2, p.arrest * p.prison_penalty + (1 - p.arrest) * p.fine, p.fine)
        sev = np.where(pol.law > 0, severity, 0.0)                         # ...and sanctions (the home's, abroad)
        return cases_per_day[:, None] * reach * (win * sev)[None, :]


class SpamModel(mesa.Model):
    """Mesa model that owns the few agents (regulators, botnets) and their agent sets."""

    def __init__(self, rng: np.random.Generator):
        super().__init__(rng=rng)


class Regulator(mesa.Agent):
    """One country's enforcement authority."""

    def __init__(self, model: SpamModel, sim, country: int, investigators: int):
        super().__init__(model)
        self.sim = sim
        self.country = country
        self.code = sim.world.codes[country]
        self.pool = simpy.Store(sim.engine.env)
        self.staff = 0
        self.hire(int(investigators))
        self.cases = 0       # complaint-driven cases opened (their numbers: 1, 2, ...)
        self.scripted = 0    # scripted cases (numbers -1, -2, ...)

    def hire(self, n: int) -> None:
        """Add ``n`` investigators to the pool (waiting cases are served at once)."""
        for _ in range(max(0, n)):
            self.staff += 1
            self.pool.put(self.staff)

    def open_scripted_case(self, time: float, spammer: int) -> None:
        """A case a scenario schedules.  Scripted cases are numbered -1, -2, ... with their own
        streams, so they do not shift the numbers (and random draws) of complaint-driven cases."""
        self.scripted += 1
        rng = self.sim.streams.fresh(f"case:{self.code}:scripted:{self.scripted}")
        self._start(time, spammer, rng, -self.scripted)

    def _start(self, time: float, spammer: int, rng: np.random.Generator, number: int) -> None:
        self.sim.engine.process_at(time, self._case(rng, spammer, int(self.sim.spammers.uid[spammer]), number))

    def open_case_from_complaints(self, day: float, slots: np.ndarray, cum: np.ndarray) -> None:
        """A complaint-driven case on ``day``: the target is drawn in proportion to the spam
        each operation sends here, the start time uniformly within the day.  ``cum`` is the
        cumulative sum of that spam over the active operations ``slots`` (in slot order; the
        other slots send nothing here, see ``Simulation._case_targets``)."""
        self.cases += 1
        rng = self.sim.streams.fresh(f"case:{self.code}:{self.cases}")
        u = rng.random(2)
        if len(cum) == 0 or cum[-1] <= 0:
            return
        i = int(np.searchsorted(cum, u[0] * cum[-1], side="right"))
        # past the end only if u[0] * total rounds up to the total: then, as a search over all
        # slots would, the last slot of the arrays
        slot = int(slots[i]) if i < len(slots) else len(self.sim.spammers.alive) - 1
        self._start(day + u[1], slot, rng, self.cases)

    def _acquire(self):
        """Wait for an investigator; return the token or None when the queue limit passes."""
        env = self.sim.engine.env
        get = self.pool.get()
        if get.triggered:
            # An investigator is free: no queue, so no time limit to watch.  (A limit timeout
            # here would only fire, months later, into a condition already met; skipping it
            # and the condition saves three events per case and changes no outcome.)
            return (yield get)
        limit = env.timeout(self.sim.p.regulators.max_queue_days)
        got = yield get | limit
        if get in got:
            return got[get]
        get.cancel()
        return None

    def _case(self, rng, slot: int, uid: int, number: int):
        sim, p = self.sim, self.sim.p.regulators
        env = sim.engine.env
        pol = sim.policy
        draws = rng.random(7)
        sim.count("cases_opened", self.country)
        sim.log("case_opened", self.country, spammer=uid, value=number)
        token = yield from self._acquire()
        if token is None:
            sim.count("cases_dropped", self.country)
            sim.log("case_dropped", self.country, spammer=uid, value=number, detail="queue limit passed")
            return
        yield env.timeout(_lognormal(p.investigation_days, p.duration_sigma, draws[0]))
        self.pool.put(token)
        sp = sim.spammers
        if not sp.alive[slot] or sp.uid[slot] != uid:
            sim.count("cases_dropped", self.country)
            sim.log("case_dropped", self.country, spammer=uid, value=number, detail="target no longer active")
            return
        home = int(sp.home[slot])
        enforcer = self
        if home != self.country:
            delay, grant = pol.channels()
            if not np.isfinite(delay[self.country, home]):
                sim.count("cases_dropped", self.country)
                sim.log("case_dropped", self.country, partner=sim.world.codes[home], spammer=uid, value=number,
                        detail="target abroad and no cooperation channel")
                return
            sim.count("assistance_requests", self.country)
            sim.log("assistance_requested", self.country, partner=sim.world.codes[home], spammer=uid, value=number)
            yield env.timeout(_lognormal(delay[self.country, home], p.duration_sigma, draws[1]))
            other = sim.regulators[home]
            token = yield from other._acquire()
            if token is None or draws[2] >= p.grant * pol.powers[home] * grant[self.country, home]:
                if token is not None:
                    other.pool.put(token)
                sim.count("cases_dropped", self.country)
                sim.log("assistance_refused", home, partner=self.code, spammer=uid, value=number)
                sim.log("case_dropped", self.country, partner=sim.world.codes[home], spammer=uid, value=number,
                        detail="assistance refused")
                return
            yield env.timeout(_lognormal(p.investigation_days * p.assistance_share, p.duration_sigma, draws[3]))
            other.pool.put(token)
            sim.count("assistance_granted", self.country)
            sim.log("assistance_granted", home, partner=self.code, spammer=uid, value=number)
            enforcer = other
        c = enforcer.country
        partner = sim.world.codes[c] if c != self.country else ""
        if not sp.alive[slot] or sp.uid[slot] != uid:
            sim.count("cases_dropped", self.country)
            sim.log("case_dropped", self.country, partner=partner, spammer=uid, value=number,
                    detail="target no longer active")
            return
        if draws[4] >= p.success * pol.powers[c]:
            sim.count("cases_dropped", self.country)
            sim.log("case_dropped", self.country, partner=partner, spammer=uid, value=number, detail="not proven")
            return
        sim.count("cases_won", self.country)
        sim.log("case_won", self.country, partner=sim.world.codes[c] if c != self.country else "", spammer=uid, value=number)
        if pol.sanction[c] == 2 and draws[5] < p.arrest:
            sim.spammers.arrest(slot, env.now, c)
        else:
            fine = p.fine * float(np.exp(p.fine_spread * (draws[6] - 0.5)))
            sim.spammers.fine(slot, fine, env.now, c)


def _lognormal(median: float, sigma: float, u: float) -> float:
    from scipy.special import ndtri

    return float(median * np.exp(sigma * ndtri(min(max(u, 1e-12), 1 - 1e-12))))
