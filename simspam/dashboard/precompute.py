"""Filling the cache ahead of a talk: ``simspam-dashboard --precompute``.

Which settings: the prepared scenarios, every scenario in the picker as it is, and a
one-at-a-time grid around each ``precompute.around`` scenario (each family in turn at every
strength, start year and target of the grid, the other families as in that scenario), for
every seed in ``precompute.seeds``.  Settings that map to the same key (a family at strength
0 is the run without it) are run once; settings already cached are skipped, so an
interrupted precompute resumes.  Runs go to all cores, one process each with one BLAS thread.
"""
from __future__ import annotations

import dataclasses
import os
import sys
import time
from concurrent.futures import ProcessPoolExecutor, as_completed

from .cache import RunCache
from .service import Service
from .spec import Controls, Spec


def grid(spec: Spec) -> list[Controls]:
    """Every setting to precompute (possibly with duplicates by key; :func:`plan` removes them)."""
    pc = spec.precompute
    seeds = [int(s) for s in pc.get("seeds", [spec.seed])]
    out: list[Controls] = []
    for seed in seeds:
        out += [spec.prepared_controls(p, seed) for p in spec.prepared]
        for scenario in spec.scenarios:
            out.append(spec.controls(scenario, seed, {n: dataclasses.asdict(s) for n, s in spec.scenario_defaults(scenario).items()}))
        for scenario in pc.get("around", []):
            base = {n: dataclasses.asdict(s) for n, s in spec.scenario_defaults(scenario).items()}
            for fam in spec.families:
                on = dict(base[fam], strength=base[fam]["strength"] or 1.0)
                variants = [dict(on, strength=float(s)) for s in pc.get("strengths", spec.strengths)]
                variants += [dict(on, start=int(y)) for y in pc.get("start_years", [])]
                variants += [dict(on, targets=[t]) for t in pc.get("targets", [])]
                for v in variants:
                    out.append(spec.controls(scenario, seed, {**base, fam: v}))
    return out


def plan(spec: Spec, cache: RunCache) -> list[Controls]:
    """The settings of :func:`grid` not yet in the cache, one per key."""
    service = Service(spec, cache)
    todo, seen = [], set()
    for c in grid(spec):
        key = service.setting(c).key
        if key not in seen and key not in cache:
            seen.add(key)
            todo.append(c)
    return todo


_WORKER: Service | None = None


def _init(spec: Spec, root: str) -> None:
    from ..experiments.runner import _one_blas_thread

    global _WORKER
    _one_blas_thread()
    _WORKER = Service(spec, RunCache(root, memory=1))


def _run(controls_json: dict) -> tuple[str, float, str]:
    controls = Controls.from_json(controls_json)
    try:
        setting = _WORKER.setting(controls)
        _, seconds = _WORKER.compute(setting)
        return setting.key, seconds, ""
    except Exception as exc:   # recorded and reported; the other runs go on
        return "", 0.0, f"{_WORKER.spec.describe(controls)}: {type(exc).__name__}: {str(exc).splitlines()[0] if str(exc) else ''}"


def precompute(spec: Spec, cache_dir: str, jobs: int = 0, out=sys.stdout) -> tuple[int, list[str]]:
    """Run every missing setting in parallel; return (runs added, error lines)."""
    cache = RunCache(cache_dir)
    todo = plan(spec, cache)
    jobs = (os.cpu_count() or 1) if jobs <= 0 else jobs
    print(f"simspam-dashboard: {len(cache)} runs cached, {len(todo)} to compute on {min(jobs, max(1, len(todo)))} "
          f"process(es) (world {spec.world}, {spec.years:g} years)", file=out, flush=True)
    errors: list[str] = []
    done = 0
    t0 = time.perf_counter()
    if todo:
        with ProcessPoolExecutor(max_workers=min(jobs, len(todo)), initializer=_init,
                                 initargs=(spec, str(cache_dir))) as pool:
            futures = [pool.submit(_run, c.to_json()) for c in todo]
            for fut in as_completed(futures):
                key, seconds, error = fut.result()
                if error:
                    errors.append(error)
                else:
                    done += 1
    cache.refresh()
    print(f"simspam-dashboard: added {done} runs in {time.perf_counter() - t0:.1f} s; {len(cache)} cached in "
          f"{cache.root}" + (f"; {len(errors)} failed" if errors else ""), file=out, flush=True)
    for e in errors:
        print(f"simspam-dashboard: failed: {e}", file=out, flush=True)
    return done, errors
