"""Answering a change of controls within the time budget: cache, live run, or nearest cached run.

The rule the app follows, and says in the page which branch it took:

1. **exact cache hit** -> answer at once ("from cache");
2. **miss, predicted to fit** -> run the model now, store the run, answer ("ran live in 0.62 s").
   The prediction is measured, not guessed: the run time recorded with the nearest cached
   setting of the same world and horizon, corrected by how far off such predictions were
   for the live runs of this session; with nothing cached, the last live run's time;
3. **miss, predicted too slow** -> answer at once with the nearest cached setting, labelled
   with what differs, and offer to compute the exact setting (``answer(..., exact=True)``).

Bad input (a value out of range, an unknown key) becomes a ConfigError with the project's
one-line message, and any exception in a run becomes an ``error`` answer: the caller shows
the message and the server goes on.
"""
from __future__ import annotations

import datetime as dt
import statistics
import threading
import time
from dataclasses import dataclass

from omegaconf import DictConfig, OmegaConf

from .. import __version__
from ..config.check import check_key_value
from ..config.schema import SimConfig
from ..errors import ConfigError
from .cache import Compact, RunCache, compact
from .spec import RUN_NAME, Controls, Spec


@dataclass
class Setting:
    controls: Controls
    key: str
    cfg: DictConfig
    model: str = ""      # fingerprint of everything but the levers and the seed (see model_key)


@dataclass
class Answer:
    source: str                    # cache | live | nearest | computed | error
    message: str                   # one line for the status bar
    result: Compact | None = None
    baseline: Compact | None = None
    asked: Controls | None = None
    shown: Controls | None = None
    seconds: float = 0.0           # time to answer on the server (run included)
    run_seconds: float | None = None
    predicted: float | None = None


class Service:
    """Turns controls into answers.  One instance per app; safe to call from server threads."""

    def __init__(self, spec: Spec, cache: RunCache, simulate=None):
        from ..api import simulate as _simulate

        self.spec = spec
        self.cache = cache
        self._simulate = simulate or _simulate
        self._compose_lock = threading.Lock()   # Hydra's global state is not thread-safe
        self._run_lock = threading.Lock()       # one live run at a time
        self._base: dict[tuple, DictConfig] = {}
        self.calibration = 1.0                  # actual / predicted for live runs, smoothed
        self.live_runs: list[float] = []        # measured run times this session (warm runs)
        self.cold_run: float | None = None      # the first run of the process (imports, caches: slower)
        self._runs = 0
        self._current_model: tuple[Spec, str] | None = None

    # ------------------------------------------------------------ settings
    def setting(self, controls: Controls) -> Setting:
        """Resolve controls to a run configuration and its key (raises ConfigError on bad input)."""
        from hydra.errors import HydraException
        from omegaconf.errors import OmegaConfBaseException

        from ..cli import explain
        from ..experiments.runner import run_key

        base_key = (controls.scenario, controls.overrides)
        try:
            with self._compose_lock:
                if base_key not in self._base:
                    from ..config.compose import compose

                    self._base[base_key] = compose([f"world={self.spec.world}", f"years={self.spec.years}",
                                                    f"scenario={controls.scenario}", *controls.overrides])
                cfg = self._base[base_key].copy()
            OmegaConf.update(cfg, "seed", check_key_value(SimConfig, "seed", controls.seed))
            OmegaConf.update(cfg, "scenario.levers", self.spec.levers(controls), merge=False)
            OmegaConf.update(cfg, "scenario.name", RUN_NAME)
        except (HydraException, OmegaConfBaseException) as exc:
            raise explain(exc) from None
        return Setting(controls, run_key(cfg), cfg, model_key(cfg))

    def current_model(self) -> str:
        """The model fingerprint of the status quo with the app's world, horizon and default settings
        (composed once per spec: the app and its command line both ask at start-up)."""
        if self._current_model is None or self._current_model[0] is not self.spec:
            from .spec import FamilySetting

            off = tuple((n, FamilySetting(0.0, 2005, ())) for n in self.spec.families)
            self._current_model = (self.spec, self.setting(Controls("baseline", self.spec.seed, off)).model)
        return self._current_model[1]

    def cached_for_current_model(self) -> int:
        """How many cached runs were made with the model as it is now (a changed parameter default or
        model version leaves older runs on disk, but they no longer answer anything)."""
        model = self.current_model()
        return sum(1 for m in list(self.cache.index.values()) if m.get("model") == model)

    # ------------------------------------------------------------ predictions
    def _nearest(self, controls: Controls, exclude: str | None = None, timed: bool = False,
                 model: str | None = None) -> tuple[dict, Controls] | None:
        """The cached setting closest to ``controls`` (same world and horizon; same model if ``model``
        is given); ``timed``: only runs whose time is a fair prediction (not a process's first, cold run)."""
        best, best_d = None, None
        for key, meta in list(self.cache.index.items()):
            if key == exclude or meta.get("world") != self.spec.world or meta.get("years") != self.spec.years:
                continue
            if model is not None and meta.get("model") != model:
                continue
            if timed and (meta.get("cold_start") or not meta.get("runtime_s")):
                continue
            try:
                other = Controls.from_json(meta["controls"])
            except (KeyError, TypeError, ValueError):
                continue
            if [n for n, _ in other.levers] != [n for n, _ in controls.levers]:
                continue
            d = self.spec.distance(controls, other)
            if best_d is None or d < best_d:
                best, best_d = (meta, other), d
        return best

    def predict(self, controls: Controls, model: str | None = None) -> float | None:
        """Predicted model time (s) of a live run of ``controls``; None if nothing was measured yet.

        From the nearest cached run of the same model if there is one, else of any model of the same
        world and horizon.  The first run of a process pays for imports and warm-up (about twice as
        slow here), so it predicts only when nothing else has been measured."""
        near = (self._nearest(controls, timed=True, model=model) if model else None) or self._nearest(controls, timed=True)
        if near is not None:
            return float(near[0]["runtime_s"]) * self.calibration
        if self.live_runs:
            return statistics.median(self.live_runs[-5:])
        return self.cold_run

    # ------------------------------------------------------------ running
    def compute(self, setting: Setting) -> tuple[Compact, float]:
        """Run ``setting`` now, store it, and return it with its measured run time."""
        with self._run_lock:
            hit = self.cache.get(setting.key)
            if hit is not None:          # another thread ran it meanwhile
                return hit, 0.0
            t0 = time.perf_counter()
            res = self._simulate(setting.cfg, command="simspam-dashboard")
            result = compact(res.daily, setting.key, run_meta(self.spec, setting, res.summary, 0.0))
            result.meta["model"] = setting.model
            seconds = time.perf_counter() - t0
            result.meta["runtime_s"] = round(seconds, 4)
            result.meta["cold_start"] = self._runs == 0
            self._runs += 1
            self.cache.put(result)
        return result, seconds

    def answer(self, controls: Controls, exact: bool = False) -> Answer:
        """The answer to a change of controls (see the module docstring).  Never raises."""
        t0 = time.perf_counter()
        try:
            setting = self.setting(controls)
            hit = self.cache.get(setting.key)
            if hit is not None:
                ans = Answer("cache", "from cache", hit, asked=controls, shown=controls)
            else:
                predicted = self.predict(controls, setting.model)
                fits = predicted is None or predicted + self.spec.overhead_seconds <= self.spec.budget_seconds
                if exact or fits:   # simulate() validates first: bad input is a ConfigError, not a failed run
                    result, seconds = self.compute(setting)
                    self._learn(predicted, seconds, bool(result.meta.get("cold_start")))
                    source = "computed" if exact and not fits else "live"
                    verb = "computed on request" if source == "computed" else "ran live"
                    ans = Answer(source, f"{verb} in {seconds:.2f} s", result, asked=controls, shown=controls,
                                 run_seconds=seconds, predicted=predicted)
                else:
                    ans = self._nearest_answer(setting, predicted)
            ans.baseline = self._baseline(controls)
        except ConfigError as err:
            ans = Answer("error", " ".join(str(err).split()), asked=controls)
        except Exception as exc:      # a failed run is reported, and the app goes on
            first = (str(exc).strip().splitlines() or [""])[0]
            ans = Answer("error", f"the run failed: {type(exc).__name__}: {first}", asked=controls)
        ans.seconds = time.perf_counter() - t0
        return ans

    def _nearest_answer(self, setting: Setting, predicted: float) -> Answer:
        controls = setting.controls
        why = (f"a live run would take ~{predicted:.1f} s (+{self.spec.overhead_seconds:.2f} s to draw), "
               f"over the {self.spec.budget_seconds:g} s budget")
        near = self._nearest(controls, exclude=setting.key, model=setting.model)   # never another model's run
        if near is None:
            from ..api import validate

            validate(setting.cfg)
            return Answer("nearest", f"not cached and nothing near it is: {why}; compute it to see it",
                          None, asked=controls, predicted=predicted)
        meta, shown = near
        result = self.cache.get(meta["key"])
        if result is None:
            raise RuntimeError(f"cached run {meta['key']} cannot be read")
        diff = self.spec.differences(controls, shown)
        return Answer("nearest", f"nearest cached setting shown: {diff}; {why}", result,
                      asked=controls, shown=shown, predicted=predicted)

    def _baseline(self, controls: Controls) -> Compact | None:
        """The status quo for the same seed, if cached (it is not run just for the comparison)."""
        base = self.spec.baseline_controls(controls)
        try:
            return self.cache.get(self.setting(base).key)
        except ConfigError:
            return None

    def _learn(self, predicted: float | None, seconds: float, cold: bool) -> None:
        if seconds <= 0:        # answered by a run another thread had just made
            return
        if cold:
            self.cold_run = seconds
            return
        self.live_runs.append(seconds)
        if predicted:
            ratio = seconds / (predicted / self.calibration)
            self.calibration = 0.5 * self.calibration + 0.5 * ratio


def model_key(cfg: DictConfig) -> str:
    """Hash of the resolved configuration without the scenario and the seed, and the version: two
    runs with the same model key differ only by levers and seed, so one can stand in for the other
    as a *nearest* setting.  Runs made before a parameter default changed have another model key."""
    import hashlib

    data = OmegaConf.to_container(cfg, resolve=True)
    for k in ("hydra", "output", "scenario", "seed"):
        data.pop(k, None)
    text = OmegaConf.to_yaml(OmegaConf.create(data)) + __version__
    return hashlib.blake2b(text.encode(), digest_size=8).hexdigest()


def run_meta(spec: Spec, setting: Setting, summary: dict, runtime: float) -> dict:
    """What is stored with a run: enough to find it again, compare it and predict from it."""
    return {
        "controls": setting.controls.to_json(),
        "description": spec.describe(setting.controls),
        "world": spec.world,
        "years": spec.years,
        "headline": {k: (v.item() if hasattr(v, "item") else v) for k, v in summary["headline"].items()},
        "runtime_s": round(runtime, 4),
        "version": __version__,
        "created": dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds"),
    }
