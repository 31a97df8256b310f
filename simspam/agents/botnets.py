"""Botnets: infected consumer machines per country, commanded by a few botnet operators.

Infection is a per-country stock updated daily (vectorised): clean machines get
infected at a hazard lowered by consumer security (income, awareness); infected ones
are cleaned by owners and by their ISPs.  The infected pool is rented out by a few
botnets (Mesa agents) whose command servers sit at hosting providers in some
country.  A takedown of command servers takes a botnet offline until its operators
rebuild it (a SimPy process), which removes its share of capacity: the McColo effect.
When spammers want more than the online botnets can send, everyone is rationed and
the rental price rises.
"""
from __future__ import annotations

import mesa
import numpy as np



class Botnet(mesa.Agent):
    def __init__(self, model, share: float, cc_country: int):
        super().__init__(model)
        self.share = share
        self.cc_country = cc_country
        self.online = True


class Botnets:
    def __init__(self, sim):
        self.sim = sim
        p = sim.p.botnets
        w = sim.world
        rng = sim.streams["botnets.init"]
        u = rng.random((p.n_botnets, 2))
        raw = (1.0 - u[:, 0]) ** (-1.0 / p.size_alpha)
        shares = raw / raw.sum()
        host_w = sim.spammers.home_weight
        cum = np.cumsum(host_w)
        cc = np.minimum(np.searchsorted(cum, u[:, 1] * cum[-1]), w.n - 1)
        self.agents = [Botnet(sim.model, float(s), int(c)) for s, c in zip(shares, cc)]
        self.machines = sim.consumers.users * p.machines_per_user
        self.infected = self.machines * p.initial_infected
        self.hazard_mult = np.ones(w.n)   # malware waves (levers.exogenous) add to it while they last
        self.ration = 1.0
        self.load = 0.5

    def online_share(self) -> float:
        return sum(b.share for b in self.agents if b.online)

    def origin_share(self) -> np.ndarray:
        tot = self.infected.sum()
        return self.infected / tot if tot > 0 else np.full(len(self.infected), 1.0 / len(self.infected))

    def capacity(self) -> float:
        return float(self.infected.sum() * self.sim.p.botnets.messages_per_bot * self.online_share())

    def price_per_message(self, years: float) -> float:
        """Rental price per message: falls with sending costs, rises with load."""
        p = self.sim.p.spammers
        # the extra decline pivots on 2009, the year the published rental prices describe (E4, E5):
        # it makes earlier botnets dearer, not 2009's cheaper
        decline = p.cost_decline * years + p.botnet_extra_decline * (years - p.botnet_price_pivot_years)
        return p.botnet_price_per_m / 1e6 * np.exp(-decline) * (0.5 + self.load) ** 2

    def refresh_rates(self, years: float) -> None:
        """Infection hazard (consumer security: income, awareness; always-on exposure) and clean-up
        rates (owners, ISPs); they change with levers and, slowly, with broadband's spread, so the
        engine refreshes them with its plans (every decision round)."""
        sim = self.sim
        p = sim.p.botnets
        security = p.security_income * np.minimum(sim.world.gdp / p.security_income_scale, 1.0) + p.security_awareness * sim.consumers.mean_awareness
        self.hazard = p.infection_rate * np.clip(1.0 - security, 0.0, 1.0) * self.hazard_mult
        if p.broadband_income:
            self.hazard = self.hazard * self.exposure(years)
        self.isp_clean = sim.isps.clean_rate()
        self.clean = p.natural_cleanup + self.isp_clean

    def exposure(self, years: float) -> np.ndarray:
        """Relative exposure of a country's machines (user-weighted mean 1): always-on broadband
        came first to rich countries, whose machines were then the easiest to recruit (I7: the US
        relayed 42% of spam in 2004, 15% by 2008 as broadband spread).  The income gradient
        ``broadband_income`` is 2004's; it fades by ``broadband_fade`` a year."""
        p = self.sim.p.botnets
        w = self.sim.world
        e = p.broadband_income * np.exp(-p.broadband_fade * years)
        x = np.power(w.relative_income, e)
        return x * (w.users.sum() / float(w.users @ x))

    def step(self, years: float) -> None:
        """One day of infection and clean-up."""
        self.machines = self.sim.consumers.users * self.sim.p.botnets.machines_per_user
        self._cleaned_isp = self.infected * self.isp_clean
        self.infected = self.infected + self.hazard * (self.machines - self.infected) - self.infected * self.clean
        # = np.clip(infected, 0, machines), without np.clip's Python-level wrapper (this runs daily)
        np.minimum(np.maximum(self.infected, 0.0, out=self.infected), self.machines, out=self.infected)

    def cleaned_today_isp(self) -> np.ndarray:
        """Machines cleaned by ISPs on the last day (what ISPs pay for)."""
        return getattr(self, "_cleaned_isp", np.zeros(len(self.infected)))

    def set_demand(self, demand: float) -> None:
        cap = self.capacity()
        max_load = self.sim.p.botnets.max_load
        self.ration = min(1.0, cap / demand) if demand > 0 else 1.0
        self.load = min(demand / cap, max_load) if cap > 0 else max_load
        over = demand > max_load * cap
        self.sim.cap("params.botnets.max_load", over, self.sim.day, demand / cap - max_load if over and cap > 0 else 0.0)

    def take_down(self, botnet: int, t: float, days: float) -> None:
        b = self.agents[botnet]
        if not b.online:
            return
        b.online = False
        sim = self.sim

        def rebuild():
            yield sim.engine.timeout(days)
            b.online = True
            sim.log("botnet_rebuilt", b.cc_country, detail=f"botnet {botnet}", value=b.share)

        sim.engine.process_at(t, rebuild())
