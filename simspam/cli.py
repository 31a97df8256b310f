"""Command-line entry point: ``simspam`` is a Hydra application.

    simspam                                   # baseline, default world, 10 years
    simspam scenario=integrated seed=3 years=5
    simspam --multirun scenario=baseline,integrated seed=1,2,3

Before Hydra creates an output folder, the command line is composed and fully
validated (schema, ranges, scenario levers, countries).  Bad input prints exactly
one line naming the key and what is allowed, exits with code 2 and writes nothing.
"""
from __future__ import annotations

import re
import sys
from pathlib import Path

from omegaconf import DictConfig

from .errors import EXIT_BAD_INPUT, ConfigError, quiet_on_closed_pipe

_HYDRA_FLAGS_WITH_VALUE = {"--config-path", "-cp", "--config-name", "-cn", "--config-dir", "-cd",
                           "--experimental-rerun", "--package", "-p", "--info", "-i"}


def _overrides(argv: list[str]) -> tuple[list[str], bool]:
    """Overrides on the command line, and whether Hydra will do something other than one run."""
    out, special = [], False
    skip = False
    for a in argv:
        if skip:
            skip = False
            continue
        if a in _HYDRA_FLAGS_WITH_VALUE:
            skip, special = True, True
        elif a.startswith("-"):
            special = True
        else:
            out.append(a)
    return out, special


def explain(exc: BaseException) -> ConfigError:
    """Turn a Hydra or OmegaConf composition error into a one-line ConfigError."""
    from .config.compose import scenario_files

    text = str(exc)
    if exc.__cause__ is not None:
        text += "\n" + str(exc.__cause__)
    m = re.search(r"Could not find '([\w/]+)/([^']+)'", text)
    if m:
        group, name = m.group(1), m.group(2)
        if group == "scenario":
            return ConfigError("scenario", f"unknown scenario {name!r}", ", ".join(scenario_files()))
        opts = re.findall(r"^\t(\S+)$", text, flags=re.M)
        return ConfigError(group, f"unknown option {name!r}", ", ".join(opts) or None)
    m = re.search(r"Key '[^']+' (?:is )?not in (?:struct|'(\w+)')", text)
    if m:
        fk = re.search(r"full_key: (\S+)", text)
        key = fk.group(1) if fk else re.search(r"Could not override '([^']+)'", text).group(1)
        section = key.rsplit(".", 1)[0] if "." in key else "the top level"
        return ConfigError(key, "unknown key", f"the keys of {section}; `simspam --cfg job` lists them all")
    fk = re.search(r"full_key: (\S+)", text)
    first = text.strip().splitlines()[0] if text.strip() else type(exc).__name__
    if fk:
        detail = re.search(r"Value '([^']*)' (?:of type '\w+' )?could not be converted to (\w+)", text)
        if detail:
            return ConfigError(fk.group(1), f"{detail.group(1)!r} is not a valid {detail.group(2).lower()}")
        return ConfigError(fk.group(1), first)
    m = re.search(r"Error parsing override '([^']+)'", text)
    if m:
        return ConfigError(m.group(1).split("=")[0], "cannot be parsed", "key=value")
    return ConfigError("command line", first)


def validate_command_line(overrides: list[str], config_name: str = "config") -> None:
    """Compose and build the run exactly as Hydra will; raise ConfigError if anything is wrong."""
    from hydra.errors import HydraException
    from omegaconf.errors import OmegaConfBaseException

    from .api import validate
    from .config.compose import compose

    try:
        cfg = compose(overrides, config_name=config_name)
    except (HydraException, OmegaConfBaseException, ValueError) as exc:
        if isinstance(exc, ConfigError):
            raise
        raise explain(exc) from None
    validate(cfg)
    if config_name == "compare":
        from .experiments.compare import build_specs

        build_specs(cfg)  # checks scenario names and countries of the design


def _task(cfg: DictConfig) -> None:
    """One run inside Hydra's output folder: simulate, write tables and report, print a summary.

    In a sweep (``--multirun``) a job whose folder already holds this exact run is skipped,
    and a job that fails records ``error.json`` instead of stopping the sweep."""

    from hydra.core.hydra_config import HydraConfig
    from hydra.types import RunMode

    from .api import simulate
    from .experiments.runner import run_key
    from .experiments.sweep import apply_design
    from .results.run import write_run
    from .results.sweep import job_complete, write_failure

    hc = HydraConfig.get()
    out_dir = Path(hc.runtime.output_dir)
    sweeping = hc.mode == RunMode.MULTIRUN
    key = ""
    try:
        cfg = apply_design(cfg)
        key = run_key(cfg)
        if sweeping and job_complete(out_dir, key):
            print(f"simspam: {out_dir.name}: already complete, skipped")
            return
        result = simulate(cfg, command="simspam " + " ".join(sys.argv[1:]))
        result.summary["provenance"]["run_key"] = key
        write_run(result, out_dir, extras=_report_extras(result) if cfg.output.report else None)
    except Exception as exc:
        if not sweeping:
            raise
        write_failure(out_dir, key, exc)
        print(f"simspam: {out_dir.name}: FAILED ({type(exc).__name__}: {str(exc).splitlines()[0] if str(exc) else ''})",
              file=sys.stderr)
        return
    (out_dir / "error.json").unlink(missing_ok=True)
    if not cfg.output.quiet:
        print(format_summary(result.summary))
        print(f"\noutputs: {out_dir}  (daily.parquet, events.parquet, summary.json"
              + (", report.html)" if cfg.output.report else ")"))


def _report_extras(result) -> dict:
    """The run's report page, written before its summary (imported only when a report is
    wanted: a sweep with ``output.report=false`` never loads Plotly)."""
    from .report.pages import run_extras

    return run_extras(result)


def format_summary(summary: dict) -> str:
    """The printed summary of a run (:func:`simspam.report.text.run_summary`)."""
    from .report.text import run_summary

    return run_summary(summary)


def _launch(task, config_name: str, argv: list[str] | None) -> None:
    argv = list(sys.argv[1:] if argv is None else argv)
    overrides, special = _overrides(argv)
    if not special:
        try:
            validate_command_line(overrides, config_name)
        except ConfigError as err:
            print(err.one_line(), file=sys.stderr)
            sys.exit(EXIT_BAD_INPUT)
    import hydra

    from .config.compose import register_configs
    from .paths import conf_dir

    register_configs()
    app = hydra.main(config_path=str(conf_dir()), config_name=config_name, version_base="1.3")(task)
    sys.argv = [sys.argv[0], *argv]
    app()


@quiet_on_closed_pipe
def main(argv: list[str] | None = None) -> None:
    """``simspam``: one run (or a ``--multirun`` sweep)."""
    _launch(_task, "config", argv)


def _compare_task(cfg: DictConfig) -> None:
    """The comparison inside Hydra's output folder: run it, write its tables and report, print its table."""
    from hydra.core.hydra_config import HydraConfig

    from .experiments.compare import comparison_baseline, run_comparison
    from .report.pages import comparison_extras
    from .report.text import comparison_table

    out_dir = HydraConfig.get().runtime.output_dir
    result = run_comparison(cfg, out_dir, command="simspam-compare " + " ".join(sys.argv[1:]),
                            extras=comparison_extras)
    h = result["summary"]["headline"]
    print(f"simspam-compare: {cfg.compare.design}, {h['runs']} runs ({h['failed_runs']} failed), "
          f"{int(cfg.compare.seeds)} seeds, baseline={result['summary']['baseline']}\n")
    print(comparison_table(result["tables"]["comparison"], comparison_baseline(cfg)))
    written = sorted(p.name for p in Path(out_dir).iterdir() if p.suffix in (".parquet", ".json", ".html"))
    print(f"\noutputs: {out_dir}  ({', '.join(written)})")


@quiet_on_closed_pipe
def compare_main(argv: list[str] | None = None) -> None:
    """``simspam-compare``: scenarios against a baseline over seeds (see conf/compare.yaml)."""
    _launch(_compare_task, "compare", argv)


if __name__ == "__main__":
    main()
