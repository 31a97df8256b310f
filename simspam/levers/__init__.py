"""Policy levers and scheduled events: typed, timed, targeted objects built from YAML data.

Importing this package registers every lever in :data:`REGISTRY`.  A scenario file names
levers by ``type``; nothing in a scenario is ever imported or called.
"""
from .base import REGISTRY, Lever, build_interventions, register  # noqa: F401
from . import legislation, cooperation, self_regulation, technical, awareness, events, exogenous  # noqa: F401,E402
