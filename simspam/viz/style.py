"""The house look of every figure: one Plotly template, registered as ``"simspam"``.

Every figure simspam draws -- run, comparison, sweep, world and validation figures, the
dashboard's -- starts from this template, so a reader who has learnt one chart can read the
next, and a change of look is made here once:

* ``plotly_white`` underneath, with the Okabe & Ito (2008) palette as the colour cycle
  (black moved last so lines stay colourful): it stays distinguishable for deuteranopia,
  protanopia and tritanopia and prints acceptably in greyscale;
* maps use ``Cividis``, designed to be read the same way with and without colour-vision
  deficiency;
* system fonts only (the report is offline: no web fonts), titles flush left, the legend
  above the plot on the right.

:func:`style` applies the template with a figure's title and height; :func:`empty_figure`
is the annotated placeholder every figure returns for missing input instead of raising.
"""
from __future__ import annotations

import html

import plotly.graph_objects as go
import plotly.io as pio

__all__ = ["FONT", "MAP_COLORSCALE", "PALETTE", "PRESENT", "PRESENT_AXES", "TEMPLATE", "empty_figure", "style"]

#: Okabe & Ito qualitative palette, black last.
PALETTE: tuple[str, ...] = (
    "#0072B2",  # blue
    "#E69F00",  # orange
    "#009E73",  # bluish green
    "#D55E00",  # vermillion
    "#56B4E9",  # sky blue
    "#CC79A7",  # reddish purple
    "#F0E442",  # yellow
    "#000000",  # black
)
MAP_COLORSCALE = "Cividis_r"
FONT = dict(family="system-ui, -apple-system, 'Segoe UI', Roboto, Helvetica, Arial, sans-serif")
TEMPLATE = "simspam"


def _template() -> go.layout.Template:
    base = go.layout.Template(pio.templates["plotly_white"])
    base.layout.update(
        colorway=list(PALETTE),
        font=FONT,
        title=dict(x=0.0, xanchor="left"),
        margin=dict(l=70, r=30, t=70, b=50),
        hovermode="x unified",
        legend=dict(orientation="h", yanchor="bottom", y=1.0, xanchor="right", x=1.0),
    )
    return base


pio.templates[TEMPLATE] = _template()

#: Presentation mode (the dashboard on a projector): large type, white on black.  Applied on
#: top of the house template, so the palette and layout stay those of every other figure.
PRESENT = dict(
    paper_bgcolor="#000000", plot_bgcolor="#000000",
    font=dict(size=22, color="#ffffff"), title_font=dict(size=28, color="#ffffff"),
    legend_font=dict(size=20),
)
#: The axes of every cartesian subplot in presentation mode.
PRESENT_AXES = dict(gridcolor="#333333", linecolor="#666666", zerolinecolor="#555555")


def style(fig: go.Figure, title: str, *, height: int = 420, **layout) -> go.Figure:
    """The house template, the (escaped) title and the height; ``layout`` overrides the rest."""
    fig.update_layout(template=TEMPLATE, title=dict(text=html.escape(title or "")), height=height, **layout)
    return fig


def empty_figure(title: str, message: str = "no data", *, height: int = 300) -> go.Figure:
    """A placeholder figure that says why it is empty instead of showing axes."""
    fig = go.Figure()
    style(fig, title, height=height)
    fig.update_layout(hovermode=False)
    fig.update_xaxes(visible=False)
    fig.update_yaxes(visible=False)
    fig.add_annotation(
        text=html.escape(message or ""),
        xref="paper",
        yref="paper",
        x=0.5,
        y=0.5,
        showarrow=False,
        font=dict(size=18, color="#666666"),
    )
    return fig
