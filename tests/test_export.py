"""Static export of report figures (``simspam-export``): real renders through kaleido and Debian's chromium.

Every render here runs with chromium's proxy pointed at a dead port (the exporter's default) and, for
the command line, ``http_proxy``/``https_proxy`` pointed there too, so a figure that needed the
network would fail.  One test proves that this block is real: with the outlines *not* embedded, the
same map fails because plotly.js cannot reach its CDN.

Images are checked for what a reader would see: the PNG is 1600 x 900, the map's land, ocean and
shaded countries are where geography puts them (an equirectangular map makes longitude and latitude
linear in pixels), and the SVG parses and holds the country paths.

The renders start chromium, so they are in the slow tier (``pytest -m slow``); which figures a folder
exports, and bad input, are checked without a browser in the default tier.
"""
from __future__ import annotations

import io
import json
import os
import re
import xml.etree.ElementTree as ET
from pathlib import Path
from unittest import mock

import numpy as np
import pandas as pd
import plotly.graph_objects as go
import pytest
from PIL import Image  # via matplotlib, which SALib requires

from conftest import invoke, run
from simspam.report import images as export
from simspam.report.pages import run_extras
from simspam.results import write_run
from simspam.viz.run_figures import world_map_figure

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
SVG = "{http://www.w3.org/2000/svg}"
LAND, OCEAN, SHADED = (0, 160, 0), (0, 0, 200), (200, 0, 0)
OFFLINE_ENV = {"http_proxy": "http://127.0.0.1:9", "https_proxy": "http://127.0.0.1:9",
               "HTTP_PROXY": "http://127.0.0.1:9", "HTTPS_PROXY": "http://127.0.0.1:9", "no_proxy": ""}


def geography_map() -> go.Figure:
    """Brazil, China and the USA shaded red on green land and blue sea, equirectangular, no margins."""
    fig = go.Figure(go.Choropleth(
        locations=["BRA", "CHN", "USA"], z=[1, 2, 3], locationmode="ISO-3",
        colorscale=[[0, f"rgb{SHADED}"], [1, f"rgb{SHADED}"]], showscale=False, marker_line_width=0))
    fig.update_layout(
        margin=dict(l=0, r=0, t=0, b=0), paper_bgcolor="white",
        geo=dict(projection_type="equirectangular", lonaxis_range=[-180, 180], lataxis_range=[-90, 90],
                 domain=dict(x=[0, 1], y=[0, 1]), showframe=False, showcoastlines=False, showcountries=False,
                 showland=True, landcolor=f"rgb{LAND}", showocean=True, oceancolor=f"rgb{OCEAN}", resolution=110))
    return fig


def pixel(lon: float, lat: float, width: int = 1600, height: int = 900) -> tuple[int, int]:
    """(row, column) of a point on :func:`geography_map`: the 2:1 world fills the width, centred vertically."""
    map_h = width / 2
    return int((height - map_h) / 2 + (90 - lat) / 180 * map_h), int((lon + 180) / 360 * width)


def animated_map() -> go.Figure:
    """The report's animated world map on a small synthetic table: two years, USA grows, CHN shrinks."""
    daily = pd.DataFrame({
        "date": pd.to_datetime(["2004-06-01", "2004-06-01", "2005-06-01", "2005-06-01"]),
        "country": ["USA", "CHN", "USA", "CHN"],
        "spam_sent": [1e9, 5e9, 8e9, 1e9],
    })
    return world_map_figure(daily, "spam_sent", "Where spam is sent from")


def rgb(png: bytes) -> np.ndarray:
    return np.asarray(Image.open(io.BytesIO(png)).convert("RGB"))


@pytest.fixture(scope="module")
def rendered():
    """One render of a bar chart, the geography map and an animated report map, PNG and SVG,
    counting how many browsers were started for it."""
    import kaleido

    opened = []
    original = kaleido.Kaleido.open

    async def counting_open(self):
        opened.append(self)
        return await original(self)

    figures = {"bars": go.Figure(go.Bar(x=["a", "b", "c"], y=[3, 1, 2])), "geo": geography_map(),
               "animated": animated_map()}
    with mock.patch.object(kaleido.Kaleido, "open", counting_open):
        images = export.render_figures(figures, ["png", "svg"])
    return images, len(opened)


@pytest.mark.slow
def test_one_browser_renders_every_figure_in_every_format(rendered):
    images, browsers = rendered
    assert browsers == 1
    assert sorted(images) == sorted(f"{n}.{f}" for n in ("bars", "geo", "animated") for f in ("png", "svg"))


@pytest.mark.slow
def test_png_is_slide_sized(rendered):
    images, _ = rendered
    for name in ("bars.png", "geo.png", "animated.png"):
        png = images[name]
        assert png[:8] == PNG_SIGNATURE
        assert Image.open(io.BytesIO(png)).size == (export.SLIDE_WIDTH, export.SLIDE_HEIGHT) == (1600, 900)
    bars = rgb(images["bars.png"]).astype(np.uint32)
    colours = np.unique(bars[..., 0] << 16 | bars[..., 1] << 8 | bars[..., 2])
    assert len(colours) > 10  # drawn (bars, axes, anti-aliased text), not a blank page


@pytest.mark.slow
def test_map_png_draws_countries_where_geography_puts_them(rendered):
    img = rgb(rendered[0]["geo.png"])
    expect = {
        "Sahara": ((15, 22), LAND), "Siberia": ((100, 62), LAND), "Australia": ((134, -25), LAND),
        "Brazil": ((-52, -10), SHADED), "China": ((105, 35), SHADED), "Kansas": ((-98, 38), SHADED),
        "Pacific": ((-150, 0), OCEAN), "South Atlantic": ((-20, -35), OCEAN),
    }
    for place, ((lon, lat), colour) in expect.items():
        y, x = pixel(lon, lat)
        patch = img[y - 3:y + 4, x - 3:x + 4].reshape(-1, 3)
        assert (patch == colour).all(), f"{place}: expected {colour}, got {np.unique(patch, axis=0).tolist()}"
    share = {c: float((img == c).all(axis=2).mean()) for c in (LAND, OCEAN, SHADED)}
    assert 0.15 < share[LAND] < 0.35 and 0.4 < share[OCEAN] < 0.75 and 0.03 < share[SHADED] < 0.15, share


@pytest.mark.slow
def test_map_svg_holds_the_country_outlines(rendered):
    root = ET.fromstring(rendered[0]["geo.svg"])
    assert root.tag == f"{SVG}svg" and root.get("width") == "1600" and root.get("height") == "900"
    countries = [p for p in root.iter(f"{SVG}path") if "choroplethlocation" in (p.get("class") or "")]
    assert len(countries) == 3 and all(len(p.get("d") or "") > 100 for p in countries)
    land = [g for g in root.iter(f"{SVG}g") if (g.get("class") or "") == "layer land"]
    assert land and sum(len(p.get("d") or "") for p in land[0].iter(f"{SVG}path")) > 10_000
    bars = ET.fromstring(rendered[0]["bars.svg"])
    points = [g for g in bars.iter(f"{SVG}g") if (g.get("class") or "") == "point"]
    assert len(points) == 3 and all(g.find(f"{SVG}path") is not None for g in points)


@pytest.mark.slow
def test_animated_map_exports_its_last_year_without_controls(rendered):
    images, _ = rendered
    svg = images["animated.svg"].decode()
    assert "Where spam is sent from \u2014 2005" in svg
    assert "updatemenu" not in svg and "slider" not in svg  # no dead Play button on a slide
    # 2005: the USA has the most spam (darkest), China little; in 2004 it was the other way round
    still = export.slide_figure(animated_map())
    z = dict(zip(still.data[0].locations, still.data[0].z))
    assert z["USA"] > z["CHN"] and not still.frames
    land_grey = (rgb(images["animated.png"]) == (238, 238, 238)).all(axis=2).mean()
    assert land_grey > 0.05  # the report's map draws the world's other countries too


def test_slide_figure_names_what_a_still_shows_and_drops_the_controls():
    """A dropdown's active choice and the last frame are named in the title; plain figures are untouched."""
    fig = go.Figure([go.Bar(y=[1, 2], name="a"), go.Bar(y=[3, 4], name="b", visible=False)],
                    frames=[go.Frame(data=[go.Bar(y=[5, 6])], traces=[0], name="2004"),
                            go.Frame(data=[go.Bar(y=[7, 8])], traces=[0], name="2005")])
    fig.update_layout(title_text="Spam", updatemenus=[
        dict(type="dropdown", active=0, buttons=[dict(label="first", method="restyle", args=[{"visible": [True, False]}]),
                                                 dict(label="second", method="restyle", args=[{"visible": [False, True]}])]),
        dict(type="buttons", buttons=[dict(label="Play", method="animate", args=[None])])],
        sliders=[dict(steps=[dict(label="2004", method="animate", args=[["2004"]])])])
    still = export.slide_figure(fig)
    assert still.layout.title.text == "Spam \u2014 first, 2005"
    assert not still.frames and not still.layout.updatemenus and not still.layout.sliders
    assert list(still.data[0].y) == [7, 8] and list(still.data[1].y) == [3, 4]
    assert fig.frames and fig.layout.updatemenus  # the report's figure is not modified
    plain = go.Figure(go.Scatter(y=[1, 2]), layout_title_text="Plain")
    assert export.slide_figure(plain).to_dict() == plain.to_dict()


@pytest.mark.slow
def test_without_embedded_outlines_the_blocked_network_breaks_maps(monkeypatch):
    """The control: plotly.js's own page fetches outlines from its CDN, which the dead proxy refuses,
    so the export fails -- the maps above drew from the embedded copy, not from the network."""
    from kaleido import PageGenerator

    monkeypatch.setattr(export, "_page_generator", lambda: PageGenerator(mathjax=False))
    with pytest.raises(Exception, match=r"topojson|cdn\.plot\.ly"):
        export.render_figures({"geo": geography_map()}, ["png"])


# --------------------------------------------------------------------------
# results folders and the command line
# --------------------------------------------------------------------------


@pytest.fixture(scope="module")
def run_dir(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("run")
    res = run()
    write_run(res, out, extras=run_extras(res))
    return out


def report_figure_count(folder: Path) -> int:
    return len(set(re.findall(r'id="(simspam-fig-\d+)"', (folder / "report.html").read_text())))


def test_report_figures_are_the_figures_of_the_report(run_dir):
    figures = export.folder_figures(run_dir)
    assert len(figures) == report_figure_count(run_dir) >= 8
    names = list(figures)
    assert names == sorted(names) and all(re.fullmatch(r"\d\d-[a-z0-9-]+", n) for n in names)
    assert sum(isinstance(t, go.Choropleth) for f in figures.values() for t in f.data) >= 2


def test_report_figures_of_a_comparison(tmp_path):
    from simspam.report.pages import comparison_extras
    from simspam.results.comparison import write_comparison
    from test_compare_report import make_summary, make_tables

    tables, summary = make_tables(), make_summary()
    write_comparison(tables, summary, tmp_path, extras=comparison_extras(tables, summary))
    figures = export.folder_figures(tmp_path)
    assert len(figures) == report_figure_count(tmp_path) >= 10
    assert any("where-to-act" in n for n in figures) and any("cost-effectiveness" in n for n in figures)


def test_report_figures_of_a_sweep(tmp_path):
    """A collected sweep (runs and outcomes tables): the figures of the page simspam-report writes."""
    from simspam.report.cli import write_report

    rng = np.random.default_rng(1)
    runs = pd.DataFrame({"run_id": [f"r{i}" for i in range(8)], "job": [str(i) for i in range(8)],
                         "status": ["ok"] * 7 + ["failed"], "error": [""] * 7 + ["ValueError: boom"],
                         "scenario": "baseline", "seed": [1, 2, 3, 4] * 2,
                         "params.consumers.response_rate": [0.002] * 4 + [0.004] * 4})
    outcomes = pd.DataFrame({"run_id": runs["run_id"][:7], "spam_delivered": rng.uniform(1e9, 2e9, 7),
                             "social_cost": rng.uniform(1e7, 2e7, 7)})
    runs.to_parquet(tmp_path / "runs.parquet")
    outcomes.to_parquet(tmp_path / "outcomes.parquet")
    kind, _ = write_report(tmp_path)
    figures = export.folder_figures(tmp_path)
    assert kind == "sweep" and len(figures) == report_figure_count(tmp_path) >= 3


@pytest.mark.slow
def test_command_writes_every_figure_offline(run_dir, monkeypatch):
    """``simspam-export DIR`` (in-process; its entry point as a process: tests/test_errors.py), with
    proxies pointing nowhere in the environment chromium inherits."""
    for key, value in OFFLINE_ENV.items():
        monkeypatch.setenv(key, value)
    done = invoke(export.main, str(run_dir))
    assert done.returncode == 0, done.stderr
    out = run_dir / "figures"
    n = report_figure_count(run_dir)
    pngs, svgs = sorted(out.glob("*.png")), sorted(out.glob("*.svg"))
    assert len(pngs) == len(svgs) == n and f"wrote {2 * n} files" in done.stdout
    assert not list(out.glob(".*"))  # no temporary files left behind
    for p in pngs:
        assert p.read_bytes()[:8] == PNG_SIGNATURE and Image.open(p).size == (1600, 900)
    for s in svgs:  # every SVG parses and draws marks, or (the country table) many cells of text
        root = ET.parse(s).getroot()
        marks, texts = list(root.iter(f"{SVG}path")), list(root.iter(f"{SVG}text"))
        assert root.get("width") == "1600" and (marks or len(texts) > 10), s.name
    maps = [p for p in pngs if "where-spam-comes-from" in p.name]
    assert len(maps) == 2
    for p in maps:
        land_grey = (rgb(p.read_bytes()) == (238, 238, 238)).all(axis=2).mean()
        assert land_grey > 0.05, p.name
        countries = [e for e in ET.parse(p.with_suffix(".svg")).getroot().iter(f"{SVG}path")
                     if "choroplethlocation" in (e.get("class") or "")]
        assert len(countries) >= 4, p.name  # the tiny world's countries, ROW left out


def _fails(capsys, argv, env=None) -> str:
    with mock.patch.dict(os.environ, env or {}), pytest.raises(SystemExit) as exit_info:
        export.main(argv)
    assert exit_info.value.code == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and err.startswith("simspam-export: error: ")
    return err


@pytest.mark.parametrize("case", ["missing", "file", "empty", "sweep", "no_tables"])
def test_bad_folder_one_line_exit_2_nothing_written(tmp_path, capsys, case):
    target = tmp_path / "results"
    if case == "file":
        target.write_text("not a folder")
    elif case != "missing":
        target.mkdir()
    if case == "sweep":  # a collected sweep has runs.parquet but no summary.json
        pd.DataFrame({"run_id": ["a"]}).to_parquet(target / "runs.parquet")
    if case == "no_tables":
        (target / "summary.json").write_text(json.dumps({"headline": {}}))
    before = sorted(tmp_path.rglob("*"))
    err = _fails(capsys, [str(target)])
    assert str(target) in err
    assert sorted(tmp_path.rglob("*")) == before


def test_bad_format_and_missing_browser_exit_2_nothing_written(run_dir, tmp_path, capsys):
    err = _fails(capsys, [str(run_dir), "--format", "png,pdf", "--out", str(tmp_path / "x")])
    assert "pdf" in err and "png, svg" in err
    err = _fails(capsys, [str(run_dir), "--out", str(tmp_path / "y")], env={"SIMSPAM_CHROMIUM": "/nonexistent/chromium"})
    assert "/nonexistent/chromium" in err
    assert not (tmp_path / "x").exists() and not (tmp_path / "y").exists()
