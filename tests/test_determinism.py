"""Same config and seed: bit-identical tables.  Different seeds: different tables.
Common random numbers: a lever at zero strength gives exactly the baseline's tables."""
import pandas as pd
import pytest
from omegaconf import OmegaConf

import simspam
from simspam.levers import REGISTRY
from simspam.paths import scenarios_dir

from conftest import TINY, run


def _same(a, b):
    pd.testing.assert_frame_equal(a.daily, b.daily, check_exact=True)
    pd.testing.assert_frame_equal(a.events, b.events, check_exact=True)


def test_same_seed_gives_bit_identical_tables():
    cfg = simspam.compose(TINY + ["years=2", "seed=5", "scenario=integrated"])
    _same(simspam.simulate(cfg), simspam.simulate(cfg))


def test_different_seeds_give_different_tables():
    a, b = run("seed=1"), run("seed=2")
    assert not a.daily["spam_sent"].equals(b.daily["spam_sent"])
    assert not a.events.equals(b.events)


@pytest.mark.parametrize("kind", sorted(REGISTRY))
def test_zero_strength_lever_is_exactly_the_baseline(kind):
    base = run("seed=3")
    noop = run("seed=3", f"+scenario.levers.noop={{type:{kind},strength:0,start:'2004-06-01'}}")
    _same(base, noop)


def test_yaml_python_and_override_scenarios_are_identical():
    from_yaml = run("scenario=legislation", "seed=4")
    levers = OmegaConf.to_container(OmegaConf.load(scenarios_dir() / "legislation.yaml").levers)
    cfg = simspam.compose(TINY + ["years=2", "seed=4"])
    OmegaConf.update(cfg, "scenario.levers", levers, force_add=True)
    from_api = simspam.simulate(cfg)
    def value(v):
        if isinstance(v, list):
            return "[" + ",".join(map(str, v)) + "]"
        return f"'{v}'" if isinstance(v, str) else str(v).lower() if isinstance(v, bool) else str(v)

    over = [f"+scenario.levers.{name}={{" + ",".join(f"{k}:{value(v)}" for k, v in spec.items()) + "}"
            for name, spec in levers.items()]
    from_overrides = run("seed=4", *over)
    _same(from_yaml, from_api)
    _same(from_yaml, from_overrides)


def test_common_random_numbers_make_a_late_lever_leave_the_past_untouched():
    base = run("seed=6")
    late = run("seed=6", "+scenario.levers.late={type:isp_code,start:'2005-03-01',countries:[USA]}")
    before = base.daily["date"] < "2005-03-01"
    pd.testing.assert_frame_equal(base.daily[before], late.daily[before], check_exact=True)
    assert not base.daily[~before].equals(late.daily[~before])


def test_a_finished_run_leaves_nothing_alive():
    """A sweep runs thousands of simulations in one worker: none may outlive its run.
    Mesa 3.3 keeps a class-level reference to every model it has seen; release() removes
    the agents through Mesa's public API, so what stays behind is an empty model, not the
    simulation and its arrays."""
    import gc
    import tracemalloc
    import weakref

    from simspam.api import build, finish

    cfg = simspam.compose(TINY + ["years=0.2"])
    sim = build(cfg)
    sim.run()
    ref = weakref.ref(sim)
    result = finish(sim, cfg)
    del sim
    gc.collect()
    assert ref() is None
    assert len(result.daily) > 0
    # and the empty models Mesa keeps are small: under 20 KB a run
    tracemalloc.start()
    try:
        gc.collect()
        before = tracemalloc.get_traced_memory()[0]
        for _ in range(3):
            finish(_ran(build(cfg)), cfg)
        gc.collect()
        kept = (tracemalloc.get_traced_memory()[0] - before) / 3
    finally:
        tracemalloc.stop()
    assert kept < 20_000, f"{kept:.0f} bytes kept per run"


def _ran(sim):
    sim.run()
    return sim
