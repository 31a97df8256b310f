"""``simspam-dashboard``: start the presenter app, or fill its cache.

    simspam-dashboard                          # http://127.0.0.1:8050/
    simspam-dashboard --port 0                 # any free port (the line printed says which)
    simspam-dashboard --precompute             # fill the cache for the prepared scenarios and the grid, then exit
    simspam-dashboard --present --world tiny   # presentation mode, five-country world

The server binds before it prints ``simspam dashboard listening on http://HOST:PORT/``, so
whoever reads that line (a presenter, a test) can connect at once.  Bad options and bad
dashboard files give one line and exit code 2, like ``simspam``.
"""
from __future__ import annotations

import argparse
import sys

from ..errors import EXIT_BAD_INPUT, ArgumentParser, ConfigError, quiet_on_closed_pipe


def _port(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a port number (allowed: 0-65535)") from None
    if not 0 <= value <= 65535:
        raise argparse.ArgumentTypeError(f"{value} is out of range (allowed: 0-65535)")
    return value


def _positive(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number") from None
    if not value > 0:
        raise argparse.ArgumentTypeError(f"{value:g} is out of range (allowed: a number > 0)")
    return value


def parser() -> argparse.ArgumentParser:
    from .cache import default_cache_dir

    p = ArgumentParser(prog="simspam-dashboard", description="Live presenter app for simspam (Dash, local only).")
    p.add_argument("--port", type=_port, default=8050, help="port to listen on (0: any free port; default 8050)")
    p.add_argument("--host", default="127.0.0.1", help="address to bind (default 127.0.0.1: this machine only)")
    p.add_argument("--cache", default=str(default_cache_dir()), help="cache folder (default %(default)s)")
    p.add_argument("--precompute", action="store_true", help="fill the cache (prepared scenarios and grid), then exit")
    p.add_argument("--jobs", type=int, default=0, help="processes for --precompute (0: all cores)")
    p.add_argument("--present", action="store_true", help="start in presentation mode")
    p.add_argument("--world", choices=["tiny", "default"], default=None, help="world (default: as in the dashboard file)")
    p.add_argument("--years", type=_positive, default=None, help="horizon in years (default: as in the dashboard file)")
    p.add_argument("--budget", type=_positive, default=None, help="seconds from a change to redrawn figures (default: file)")
    p.add_argument("--dashboard", default=None, help="dashboard file (default: the bundled dashboards/presenter.yaml)")
    return p


@quiet_on_closed_pipe
def main(argv: list[str] | None = None) -> None:
    args = parser().parse_args(argv)
    try:
        from .spec import Spec

        spec = Spec.load(args.dashboard, world=args.world, years=args.years)
        if args.budget is not None:
            spec.budget_seconds = args.budget
        if args.precompute:
            from .precompute import precompute

            _, errors = precompute(spec, args.cache, jobs=args.jobs)
            raise SystemExit(1 if errors else 0)
        from .app import create_app
        from .cache import RunCache

        cache = RunCache(args.cache)
    except ConfigError as err:
        print("simspam-dashboard: error: " + " ".join(str(err).split()), file=sys.stderr)
        raise SystemExit(EXIT_BAD_INPUT) from None
    except OSError as err:
        print(f"simspam-dashboard: error: cache {args.cache}: {err.strerror or err}", file=sys.stderr)
        raise SystemExit(EXIT_BAD_INPUT) from None
    app = create_app(spec, cache, present=args.present)
    import logging

    from werkzeug.serving import make_server

    logging.getLogger("werkzeug").setLevel(logging.WARNING)   # no line per request during a talk

    try:
        server = make_server(args.host, args.port, app.server, threaded=True)
    except (OSError, SystemExit) as err:
        print(f"simspam-dashboard: error: cannot listen on {args.host}:{args.port}: "
              f"{getattr(err, 'strerror', None) or err}", file=sys.stderr)
        raise SystemExit(EXIT_BAD_INPUT) from None
    host = f"[{args.host}]" if ":" in args.host else args.host
    current = app.service.cached_for_current_model()
    stale = (f", {len(cache) - current} of them from an earlier model or with other settings (--precompute refills)"
             if current != len(cache) else "")
    print(f"simspam dashboard listening on http://{host}:{server.server_port}/ "
          f"({len(cache)} cached runs in {cache.root}{stale}; world {spec.world}, budget {spec.budget_seconds:g} s)",
          flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()


if __name__ == "__main__":
    main()
