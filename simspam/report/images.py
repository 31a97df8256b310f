"""Static PNG and SVG export of every report figure, slide-sized, for policymakers' decks.

``simspam-export DIR`` reads any results folder ``simspam-report`` accepts (a run, a comparison or a
sweep) and writes each figure of its report as ``DIR/figures/<NN>-<section>[-<k>].png`` and ``.svg``.

Choices, and why:

* **Slide size.**  1600 x 900 CSS pixels (16:9, the default slide shape of PowerPoint, Impress
  and Google Slides) at scale 1, so a PNG is 1600 x 900 px: sharp on a 1080p projector, and a
  figure laid out for a 700-px report column gets room rather than being stretched.  ``scale=2``
  doubles the pixels for print; SVG is resolution-free and gets the same 1600 x 900 layout.
* **The figures are the report's own.**  A report is data (:class:`simspam.report.model.Report`):
  the web page and these images are two renderings of the same object, built for a folder by
  :func:`simspam.report.pages.folder_report`, the one place that decides which report a folder
  gets.  Every figure a report shows, including any added later, is exported in page order,
  without a second list of figures here to drift from it.
* **One browser for many figures.**  kaleido 1.x drives a real chromium; starting one costs
  ~2.5 s, a figure then ~0.1-0.3 s.  :func:`render_figures` opens one ``kaleido.Kaleido`` (with
  ``jobs`` tabs rendering in parallel) for the whole batch instead of ``plotly.io.write_image``
  per figure, which starts and stops chromium every time.
* **Debian's chromium, never a download.**  The browser path is passed explicitly
  (``SIMSPAM_CHROMIUM``, else ``chromium`` on PATH, else ``/usr/bin/chromium``), so neither
  kaleido nor choreographer looks for, or fetches, a browser of its own.
* **No network.**  plotly.js comes from the plotly.py package, MathJax is off, and the world
  outlines (``simspam/viz/assets/world_110m.json``) are put into the page as
  ``window.PlotlyGeoAssets`` before plotly.js loads -- the same mechanism the HTML report uses --
  so maps never fetch from plotly's CDN.  chromium is also started with a dead proxy
  (``127.0.0.1:9``): anything that still tried to go out fails the export loudly instead of
  quietly depending on the network.
* **Interactive figures become stills.**  A slide cannot be clicked: an animated figure (a map
  with one frame per year) is exported at its *last* frame -- the final year, where policy has had
  longest to act -- and a dropdown at its active choice; both are named in the title, and the
  Play/Pause buttons, dropdowns and sliders are left out (:func:`slide_figure`).
* **All or nothing.**  Every image is rendered in memory first; only then is the output folder
  created and each file replaced atomically (:mod:`simspam.results.atomic`).  A bad folder, a missing
  browser or a failed render writes nothing.
"""
from __future__ import annotations

import asyncio
import json
import os
import re
import shutil
import sys
import threading
from collections.abc import Mapping, Sequence
from pathlib import Path

import plotly.graph_objects as go

from ..errors import ArgumentParser, EXIT_BAD_INPUT, quiet_on_closed_pipe
from ..results.atomic import write_bytes
from .model import Report

__all__ = [
    "DEAD_PROXY",
    "FORMATS",
    "SLIDE_HEIGHT",
    "SLIDE_WIDTH",
    "ExportError",
    "chromium_path",
    "export_figures",
    "figure_name",
    "folder_figures",
    "main",
    "render_figures",
    "report_figures",
    "slide_figure",
]

SLIDE_WIDTH = 1600
SLIDE_HEIGHT = 900
FORMATS = ("png", "svg")
#: Nothing listens on the discard port: a request through this proxy fails at once.
DEAD_PROXY = "127.0.0.1:9"

class ExportError(RuntimeError):
    """A problem the user can fix (bad folder, no browser): reported as one line."""


# --------------------------------------------------------------------------
# figures of a results folder
# --------------------------------------------------------------------------

def _slug(text: str, limit: int = 48) -> str:
    words = re.sub(r"[^a-z0-9]+", " ", str(text).lower()).split()
    out = ""
    for w in words:
        if len(out) + len(w) + (1 if out else 0) > limit:
            break
        out = f"{out}-{w}" if out else w
    return out or (words[0][:limit] if words else "figure")


def figure_name(section_no: int, heading: str, k: int | None = None) -> str:
    """``03-where-spam-comes-from-and-where-it-lands-2``: sorts in page order, readable in a file list."""
    name = f"{section_no:02d}-{_slug(heading)}"
    return f"{name}-{k}" if k is not None else name


def report_figures(report: Report) -> dict[str, go.Figure]:
    """``{name: figure}``: every figure of ``report``, in page order, named after its section
    (:func:`figure_name`; numbered within a section that has several)."""
    figures: dict[str, go.Figure] = {}
    for i, sec in enumerate(report.sections, start=1):
        figs = list(sec.figures)
        for k, fig in enumerate(figs, start=1):
            figures[figure_name(i, sec.heading, k if len(figs) > 1 else None)] = fig
    return figures


def folder_figures(folder: str | os.PathLike) -> dict[str, go.Figure]:
    """``{name: figure}`` for any folder ``simspam-report`` accepts: a run, a comparison or a sweep.

    The figures are those of the report ``simspam-report`` would write
    (:func:`simspam.report.pages.folder_report`).  A folder that is none of these, or whose
    tables cannot be read, raises :class:`ExportError` naming it.
    """
    import pyarrow

    from ..errors import ConfigError
    from .pages import folder_report

    path = Path(folder)
    try:
        _, report = folder_report(path)
    except ConfigError as err:
        raise ExportError(str(err)) from None
    except (OSError, json.JSONDecodeError, pyarrow.ArrowException) as err:  # unreadable or corrupt files
        raise ExportError(f"{path}: cannot read its tables ({' '.join(str(err).split())})") from None
    return report_figures(report)


# --------------------------------------------------------------------------
# rendering
# --------------------------------------------------------------------------


def slide_figure(fig: go.Figure) -> go.Figure:
    """A copy of ``fig`` fit for a still image, where nothing can be clicked.

    An animation shows its last frame (the final year); a dropdown stays at its active choice
    (e.g. the scenario shown first).  Both are named in the title -- "... \u2014 baseline: spam sent
    from, 2026" -- and the Play/Pause buttons, dropdowns and sliders are removed.  A figure without
    any of these is returned unchanged.
    """
    out = go.Figure(fig)
    if not (out.frames or out.layout.updatemenus or out.layout.sliders):
        return out
    shown: list[str] = []
    for menu in out.layout.updatemenus:
        if menu.type != "buttons" and menu.buttons:
            active = menu.active if menu.active is not None else 0
            if 0 <= active < len(menu.buttons) and menu.buttons[active].label:
                shown.append(str(menu.buttons[active].label))
    if out.frames:
        last = out.frames[-1]
        indices = list(last.traces) if last.traces else list(range(len(last.data)))
        for i, trace in zip(indices, last.data):
            if i < len(out.data):
                out.data[i].update({k: v for k, v in trace.to_plotly_json().items() if k != "type"})
        if last.layout is not None:
            out.update_layout(last.layout)
        if last.name:
            shown.append(str(last.name))
        out.frames = []
    if shown:
        title = out.layout.title.text
        out.update_layout(title_text=f"{title} \u2014 {', '.join(shown)}" if title else ", ".join(shown))
    out.layout.updatemenus = ()  # update_layout(updatemenus=[]) would keep them: it merges
    out.layout.sliders = ()
    return out


def chromium_path() -> str:
    """Debian's chromium: ``SIMSPAM_CHROMIUM`` if set, else ``chromium`` on PATH, else ``/usr/bin/chromium``."""
    path = os.environ.get("SIMSPAM_CHROMIUM") or shutil.which("chromium") or "/usr/bin/chromium"
    if not Path(path).is_file():
        raise ExportError(
            f"{path}: chromium not found (install Debian's chromium, as .ci/run does, or set SIMSPAM_CHROMIUM)"
        )
    return path


def _page_generator():
    """kaleido's render page with the world outlines set before plotly.js loads (see module doc)."""
    from kaleido import PageGenerator

    from .html import geo_assets_script

    geo = f"<script>{geo_assets_script()}</script>"

    class _OfflineGeoPage(PageGenerator):
        def generate_index(self) -> str:
            page = super().generate_index()
            marker = "</title>"
            if marker not in page:  # kaleido changed its template: fail rather than fetch outlines
                raise RuntimeError("kaleido's page template has no <title>; cannot embed the map outlines")
            return page.replace(marker, marker + "\n" + geo, 1)

    return _OfflineGeoPage(mathjax=False)  # plotly.js: the copy inside plotly.py


async def _render_async(jobs_list, *, width, height, scale, jobs, browser, proxy) -> list[bytes]:
    from kaleido import Kaleido

    async with Kaleido(
        n=max(1, jobs), page_generator=_page_generator(), path=browser, proxy_server=proxy
    ) as k:
        return list(
            await asyncio.gather(
                *(
                    k.calc_fig(fig, opts={"format": fmt, "width": width, "height": height, "scale": scale})
                    for fig, fmt in jobs_list
                )
            )
        )


def _run_coroutine(coro):
    """``asyncio.run``, also from inside a running event loop (a notebook): then in a thread."""
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return asyncio.run(coro)
    box: dict = {}

    def target():
        try:
            box["value"] = asyncio.run(coro)
        except BaseException as err:  # handed back to the caller's thread
            box["error"] = err

    t = threading.Thread(target=target, name="simspam-export")
    t.start()
    t.join()
    if "error" in box:
        raise box["error"]
    return box["value"]


def render_figures(
    figures: Mapping[str, go.Figure],
    formats: Sequence[str] = FORMATS,
    *,
    width: int = SLIDE_WIDTH,
    height: int = SLIDE_HEIGHT,
    scale: float = 1,
    jobs: int | None = None,
    browser: str | None = None,
    proxy: str | None = DEAD_PROXY,
) -> dict[str, bytes]:
    """Render every figure in every format in one chromium session; ``{"<name>.<fmt>": bytes}``.

    ``jobs`` tabs render in parallel (default: up to 2, one per core).  ``proxy`` is the proxy
    chromium must use (default: a dead one, so nothing reaches the network).
    """
    formats = _check_formats(formats)
    browser = browser or chromium_path()
    jobs = jobs or max(1, min(2, os.cpu_count() or 1))
    keys, work = [], []
    for name, fig in figures.items():
        still = slide_figure(fig)
        for fmt in formats:
            keys.append(f"{name}.{fmt}")
            work.append((still, fmt))
    if not work:
        return {}
    images = _run_coroutine(
        _render_async(work, width=width, height=height, scale=scale, jobs=jobs, browser=browser, proxy=proxy)
    )
    return dict(zip(keys, images))


def _check_formats(formats: Sequence[str]) -> tuple[str, ...]:
    out = tuple(dict.fromkeys(str(f).strip().lower() for f in formats if str(f).strip()))
    bad = [f for f in out if f not in FORMATS]
    if bad or not out:
        raise ExportError(f"--format: {','.join(bad) or 'nothing'} is not supported (allowed: {', '.join(FORMATS)})")
    return out


def export_figures(
    figures: Mapping[str, go.Figure],
    out_dir: str | os.PathLike,
    formats: Sequence[str] = FORMATS,
    **render_options,
) -> list[Path]:
    """Render ``figures`` (see :func:`render_figures`) and write ``out_dir/<name>.<fmt>``.

    Nothing touches the disk until every image has rendered; then ``out_dir`` is created and
    each file replaced atomically.  Returns the paths written, in figure order.
    """
    images = render_figures(figures, formats, **render_options)
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    written = []
    for filename, data in images.items():
        written.append(write_bytes(out / filename, data))
    return written


# --------------------------------------------------------------------------
# command line
# --------------------------------------------------------------------------


@quiet_on_closed_pipe
def main(argv: list[str] | None = None) -> None:
    """``simspam-export DIR [--format png,svg] [--out DIR/figures] [--scale 1]``."""
    ap = ArgumentParser(
        prog="simspam-export",
        description="Export every figure of a run's, comparison's or sweep's report as slide-sized "
        f"({SLIDE_WIDTH}x{SLIDE_HEIGHT}) PNG and SVG files, offline, through Debian's chromium.",
    )
    ap.add_argument("dir", help="a results folder, as for simspam-report: a run, a comparison or a sweep")
    ap.add_argument("--format", default=",".join(FORMATS), help="comma-separated: png, svg (default: both)")
    ap.add_argument("--out", default=None, help="where to write the images (default: DIR/figures)")
    ap.add_argument("--scale", type=float, default=1.0, help="pixel multiplier for PNG (default 1: 1600x900 px)")
    args = ap.parse_args(argv)
    try:
        formats = _check_formats(args.format.split(","))
        if not args.scale > 0:
            raise ExportError(f"--scale: {args.scale} is not allowed (allowed: a number > 0)")
        figures = folder_figures(args.dir)
        browser = chromium_path()
        out = Path(args.out) if args.out else Path(args.dir) / "figures"
        written = export_figures(figures, out, formats, scale=args.scale, browser=browser)
    except ExportError as err:
        print("simspam-export: error: " + " ".join(str(err).split()), file=sys.stderr)
        sys.exit(EXIT_BAD_INPUT)
    print(f"simspam-export: wrote {len(written)} files ({len(figures)} figures x {', '.join(formats)}) to {out}")


if __name__ == "__main__":
    main()
