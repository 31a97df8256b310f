"""The discrete-event side of the hybrid engine: a thin wrapper around SimPy.

Rule of time (tested in tests/test_engine.py): the simulation runs one day at a
time.  Before the vectorised phases of day ``t`` run, every SimPy event stamped at a
time ``<= t`` has happened -- so a lever that starts on a date acts on that very day,
and an event at ``t + 0.4`` (a case concluding mid-day) acts from day ``t + 1``.
Ties at one time keep SimPy's order: (time, priority, insertion).

Only SimPy's public API is used (``peek``, ``step``, ``timeout``, ``process``).  SimPy's
own ``run(until=t)`` excludes events at exactly ``t`` and refuses ``until <= now``, so
the engine steps the queue itself.  A clock event at every whole day (a timeout chain,
no process) keeps SimPy's clock exactly on the day boundary after each advance: SimPy
schedules at ``now + delay``, and only from a whole-day ``now`` is ``t + (time - t)``
exactly ``time``.  Without it the clock would stand at whatever event came last, so the
times of everything scheduled from the day loop would depend, in the last bit, on
which other events happened -- a leak of policy into the event log.
"""
from __future__ import annotations

from typing import Callable, Generator

import simpy


class Engine:
    def __init__(self):
        self.env = simpy.Environment()
        self._day = 0.0
        self._tick(None)

    def _tick(self, _event) -> None:
        """The clock event of the next whole day (it does nothing else)."""
        self.env.timeout(1.0).callbacks.append(self._tick)

    @property
    def now(self) -> float:
        return self.env.now

    def advance_to(self, t: float) -> None:
        """Process every event with time <= t; afterwards ``now == t``."""
        if t < self._day:
            raise ValueError(f"time runs forward: asked for {t} after {self._day}")
        env = self.env
        while env.peek() <= t:
            env.step()
        self._day = t

    def at(self, time: float, action: Callable[[], None]) -> None:
        """Call ``action()`` at ``time`` (clamped to now if in the past)."""
        self.process_at(time, _call(action))

    def process_at(self, time: float, gen: Generator) -> None:
        """Start generator ``gen`` as a SimPy process at ``time`` (at :attr:`now` if ``time``
        is not in the future).

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
        """A SimPy timeout of ``delay`` days (never negative), for use inside a process."""
        return self.env.timeout(max(0.0, float(delay)))


def _call(action):
    action()
    return
    yield  # pragma: no cover  (makes this a generator)
