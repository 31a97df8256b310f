"""simspam: an agent-based, discrete-event simulator of international anti-spam policy.

    import simspam
    cfg = simspam.compose(["scenario=integrated", "seed=3"])
    result = simspam.simulate(cfg)        # result.daily, result.events, result.summary
"""
from ._version import __version__
from .api import Result, compose, simulate  # noqa: E402,F401

__all__ = ["Result", "compose", "simulate", "__version__"]
