"""Plotly figures built from simspam's tidy output tables.

Kept free of simulation imports so figures can be rebuilt from saved run
outputs (and tested on synthetic tables) without the engine.
"""

from simspam.viz.run_figures import (
    MAP_COLORSCALE,
    PALETTE,
    TEMPLATE,
    country_table_figure,
    economy_figure,
    enforcement_figure,
    events_timeline_figure,
    harm_figure,
    human_number,
    message_flow_figure,
    monthly_global,
    origin_and_received_maps,
    spam_share_figure,
    world_map_figure,
)

__all__ = [
    "MAP_COLORSCALE",
    "PALETTE",
    "TEMPLATE",
    "country_table_figure",
    "economy_figure",
    "enforcement_figure",
    "events_timeline_figure",
    "harm_figure",
    "human_number",
    "message_flow_figure",
    "monthly_global",
    "origin_and_received_maps",
    "spam_share_figure",
    "world_map_figure",
]
