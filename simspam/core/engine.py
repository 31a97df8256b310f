"""The discrete-event side of the hybrid engine: a thin wrapper around SimPy.

Rule of time (tested in tests/test_engine.py): the simulation runs one day at a
time.  Before the vectorised phases of day ``t`` run, every SimPy event stamped at a
time ``<= t`` has happened -- so a lever that starts on a date acts on that very day,
and an event at ``t + 0.4`` (a case concluding mid-day) acts from day ``t + 1``.
Ties at one time keep SimPy's order: (time, priority, insertion).

We step the environment with ``peek``/``step`` instead of ``env.run(until=t)``:
SimPy's ``until`` excludes events at exactly ``t`` and refuses ``until <= now``.
"""
from __future__ import annotations

from typing import Callable, Generator

import simpy


class Engine:
    def __init__(self):
        self.env = simpy.Environment()
        self._last_day = float("-inf")

    @property
    def now(self) -> float:
        return self.env.now

    def advance_to(self, t: float) -> None:
        """Process every event with time <= t; afterwards ``now == t``."""
        if t < self._last_day:
            raise ValueError(f"time runs forward: asked for {t} after {self._last_day}")
        self._last_day = t
        env = self.env
        while env.peek() <= t:
            env.step()
        # Nothing is left at or before t, so moving the clock to t is exactly what
        # ``run(until=t)`` would do -- without scheduling a stop event every day.
        env._now = max(env.now, t)

    def at(self, time: float, action: Callable[[], None]) -> None:
        """Call ``action()`` at ``time`` (clamped to now if in the past)."""
        self.process_at(time, _call(action))

    def process_at(self, time: float, gen: Generator) -> None:
        """Start generator ``gen`` as a SimPy process at ``time`` (at once if ``time`` is not in
        the future).

        A later start is a bare timeout whose callback starts the process, not a waiting
        wrapper process: a default run opens ~1,800 cases, and the wrapper cost two extra
        events and a generator each.  The order of everything with an effect is the same as
        with the wrapper: the process still begins with its own (urgent) initialisation
        event, right after the timeout, and what the wrapper added (its start and its end)
        did nothing."""
        env = self.env
        delay = time - env.now
        if delay > 0:
            env.timeout(delay).callbacks.append(lambda _event: env.process(gen))
        else:
            env.process(gen)

    def timeout(self, delay: float):
        return self.env.timeout(max(0.0, float(delay)))


def _call(action):
    action()
    return
    yield  # pragma: no cover  (makes this a generator)
