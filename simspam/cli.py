"""Command-line entry point: ``simspam`` is a Hydra application.

    simspam                                   # baseline, default world, 10 years
    simspam scenario=integrated seed=3 years=5
    simspam --multirun scenario=baseline,integrated seed=1,2,3

Before Hydra creates an output folder, the command line is checked: every override against
the schema and the config groups (a misspelling gets the closest valid key or option), and
for a single run the composed configuration in full (ranges, dates, shares, scenario levers,
countries); for a ``--multirun`` the key, option and type of every value of every sweep.  Bad
input prints exactly one line naming the key and what is allowed, exits with code 2 and writes
nothing.
"""
from __future__ import annotations

import logging
import sys
from pathlib import Path

from omegaconf import DictConfig

from .errors import EXIT_BAD_INPUT, ConfigError, quiet_on_closed_pipe


def explain(exc: BaseException) -> ConfigError:
    """A Hydra or OmegaConf error as a one-line ConfigError (:func:`simspam.config.compose.explain`)."""
    from .config.compose import explain as _explain

    return _explain(exc)


def _hydra_arguments():
    """An argument parser for the command-line flags of a Hydra 1.3 application (``simspam
    --help`` lists them), used only to tell the overrides from the flags and what Hydra will do.
    Hydra's own parser is not part of its public API, so the flags are declared here;
    tests/test_errors.py checks that they are the same as Hydra's."""
    import argparse

    ap = argparse.ArgumentParser(add_help=False, prog="simspam")
    for flags in (("--help", "-h"), ("--hydra-help",), ("--version",), ("--resolve",), ("--run", "-r"),
                  ("--multirun", "-m"), ("--shell-completion", "-sc")):
        ap.add_argument(*flags, action="store_true")
    for flags in (("--cfg", "-c"), ("--package", "-p"), ("--config-path", "-cp"), ("--config-name", "-cn"),
                  ("--config-dir", "-cd"), ("--experimental-rerun",)):
        ap.add_argument(*flags)
    ap.add_argument("--info", "-i", nargs="?", const="all")
    ap.add_argument("overrides", nargs="*")
    return ap


def _overrides(argv: list[str]) -> tuple[list[str], str]:
    """The overrides on the command line, and the mode: ``run`` (one run), ``multirun`` (a sweep),
    ``show`` (``--cfg``/``--info``: print a config), or ``hydra`` (help, version, another config
    or a bad flag: left to Hydra, which reports it)."""
    import contextlib
    import io

    try:
        with contextlib.redirect_stderr(io.StringIO()), contextlib.redirect_stdout(io.StringIO()):
            args = _hydra_arguments().parse_args(argv)
    except SystemExit:
        return [], "hydra"
    if (args.help or args.hydra_help or args.version or args.shell_completion or args.experimental_rerun
            or args.config_path or args.config_name or args.config_dir):
        return list(args.overrides), "hydra"
    if args.multirun:
        return list(args.overrides), "multirun"
    if args.cfg or args.info:
        return list(args.overrides), "show"
    return list(args.overrides), "run"


def validate_command_line(overrides: list[str], config_name: str = "config", multirun: bool = False) -> None:
    """Check the command line as Hydra will run it; raise ConfigError if anything is wrong.

    One run: the overrides, then the composed configuration and everything it builds (levers,
    countries, a comparison's design).  ``multirun``: the overrides' keys and options and the type
    of each value of each sweep -- what would stop Hydra half-way through the sweep; ranges and
    what needs a whole configuration (shares, levers, countries) are checked in each job, and a
    job that fails them records ``error.json`` while the sweep goes on."""
    from .config.compose import check_overrides, compose

    if multirun:
        check_overrides(overrides, config_name, sweep=True)
        return
    from .api import validate

    cfg = compose(overrides, config_name=config_name)
    validate(cfg)
    if config_name == "compare":
        from .experiments.compare import build_specs

        build_specs(cfg)  # checks the design's countries


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
    overrides, mode = _overrides(argv)
    if mode != "hydra":
        try:
            if mode == "show":
                from .config.compose import check_overrides

                check_overrides(overrides, config_name)
            else:
                validate_command_line(overrides, config_name, multirun=mode == "multirun")
        except ConfigError as err:
            print(err.one_line(), file=sys.stderr)
            sys.exit(EXIT_BAD_INPUT)
    import hydra

    from .config.compose import register_configs
    from .paths import conf_dir

    register_configs()
    app = hydra.main(config_path=str(conf_dir()), config_name=config_name, version_base="1.3")(task)
    # Hydra reads sys.argv and configures the root logger for its job: put both back afterwards,
    # so that calling a command from Python (a notebook, the tests) leaves the caller's as they were.
    root = logging.getLogger()
    saved = sys.argv, root.handlers[:], root.level
    sys.argv = [sys.argv[0], *argv]
    try:
        app()
    finally:
        sys.argv, root.handlers[:] = saved[0], saved[1]
        root.setLevel(saved[2])


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
