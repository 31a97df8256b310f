"""The engine's rule of time: events at or before t act on day t; mid-day events on day t+1."""
import pytest

from simspam.core.engine import Engine


def test_events_at_or_before_the_day_boundary_happen_before_the_day():
    eng = Engine()
    log = []
    eng.at(3.0, lambda: log.append(("exact", eng.now)))
    eng.at(2.4, lambda: log.append(("mid-day", eng.now)))
    eng.at(3.6, lambda: log.append(("later", eng.now)))
    seen = {}
    for day in range(5):
        eng.advance_to(float(day))
        seen[day] = [name for name, _ in log]
    assert seen[2] == []
    assert seen[3] == ["mid-day", "exact"]          # 2.4 acts from day 3, 3.0 on day 3
    assert seen[4] == ["mid-day", "exact", "later"]
    assert [t for _, t in log] == [2.4, 3.0, 3.6]


def test_ties_keep_insertion_order():
    eng = Engine()
    log = []
    for name in "abc":
        eng.at(1.0, lambda n=name: log.append(n))
    eng.advance_to(1.0)
    assert log == ["a", "b", "c"]


def test_time_only_runs_forward():
    eng = Engine()
    eng.advance_to(5.0)
    eng.advance_to(5.0)  # same day again is fine (no events lost, none repeated)
    with pytest.raises(ValueError):
        eng.advance_to(4.0)


def test_processes_started_in_the_past_are_clamped_to_now():
    eng = Engine()
    eng.advance_to(10.0)
    log = []
    eng.at(2.0, lambda: log.append(eng.now))
    eng.advance_to(10.0)
    assert log == [10.0]  # scheduled at 2.0 while the clock stood at 10: runs at once


def test_clock_stands_at_the_day_after_advancing():
    eng = Engine()
    eng.advance_to(7.0)
    assert eng.now == 7.0


@pytest.mark.parametrize("other", [[], [0.158], [0.3, 0.77]])
def test_times_scheduled_from_the_day_loop_do_not_depend_on_other_events(other):
    """Events scheduled between days land at exactly the time asked for, whatever else
    happened before: SimPy's clock stands on the day boundary (a daily clock event), so
    another event (a lever, a case) cannot move them by a rounding error."""
    eng = Engine()
    for t in other:
        eng.at(t, lambda: None)
    eng.advance_to(1.0)
    seen = []
    eng.at(1.2160325685892552, lambda: seen.append(eng.now))
    eng.advance_to(2.0)
    assert seen == [1.2160325685892552]
    assert eng.now == 2.0


def test_a_day_is_the_step_plan_run_in_order():
    """The loop runs exactly Simulation.STEP_PLAN, phase by phase, every day (the order the
    docs print is the order that runs)."""
    import simspam
    from simspam.api import build
    from simspam.core.sim import Simulation

    sim = build(simspam.compose(["world=tiny", "params.spammers.n_initial=50", "years=0.02"]))
    calls = []
    plan = sim.plan()
    sim.plan = lambda: [(label, lambda t, f=f, label=label: (calls.append((t, label)), f(t)))
                        for label, f in plan]
    sim.run()
    labels = [label for label, _ in Simulation.STEP_PLAN]
    assert labels[0] == "events" and labels[-1] == "record"
    assert calls == [(t, label) for t in range(sim.n_days) for label in labels]
    assert [label for label, _ in Simulation.describe_plan()] == labels
