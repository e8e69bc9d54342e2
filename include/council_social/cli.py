"""`council-social`: the command line other tools call. Subcommands are a contract."""

from __future__ import annotations

import argparse
import json
import sys
from dataclasses import asdict
from datetime import datetime
from pathlib import Path


class CliError(Exception):
    """A problem the user can fix; printed as one line, exit 2."""


def _json_default(value):
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, bytes):
        return value.decode("utf-8", "replace")
    raise TypeError(f"cannot serialise {type(value).__name__}")


def cmd_db_upgrade(args) -> int:
    from council_social.config import load_config
    from council_social.store.engine import describe, get_engine
    from council_social.store.migrate import upgrade

    engine = get_engine(args.url, load_config(args.config))
    revision = upgrade(engine)
    print(f"database {describe(engine.url.render_as_string(hide_password=False))} at revision {revision}")
    return 0


def cmd_parse(args) -> int:
    from council_social.channels.registry import parse_page

    try:
        body = sys.stdin.buffer.read() if args.file == "-" else Path(args.file).read_bytes()
    except OSError as exc:
        raise CliError(f"cannot read {args.file}: {exc.strerror or exc}") from None
    try:
        parsed = parse_page(args.platform, body)
    except ValueError as exc:
        raise CliError(str(exc)) from None
    out = sys.stdout
    for item in parsed.items:
        record = asdict(item)
        author = parsed.authors.get(item.author_external_id or "")
        record["author"] = asdict(author) if author else None
        out.write(json.dumps(record, default=_json_default, ensure_ascii=False) + "\n")
    out.flush()
    if parsed.problem:
        raise CliError(f"{args.file}: {parsed.problem}")
    return 0


def cmd_simulator(args) -> int:
    from council_social.config import load_config
    from council_social.simulator.server import serve

    config = load_config(args.config)
    seed = config.simulator.seed if args.seed is None else args.seed
    print(f"X API v2 simulator on http://{args.host}:{args.port} (seed {seed}); Ctrl-C stops it",
          flush=True)
    try:
        serve(config.accounts_for("twitter"), host=args.host, port=args.port, seed=seed,
              mentions_per_hour=config.simulator.mentions_per_hour,
              bearer_token=config.simulator.bearer_token)
    except KeyboardInterrupt:
        pass
    return 0


def cmd_demo(args) -> int:
    from council_social.demo import run_demo

    return run_demo(hours=args.hours, config_path=args.config)


# Capabilities add their subcommands from their own modules: each exposes
# `register(subparsers)` and sets `func` on its parsers.
COMMAND_MODULES: list[str] = [
    "council_social.cases.cli",
    "council_social.archive.cli",
    "council_social.grid.cli",
    "council_social.triage.cli",
    "council_social.views.cli",
    "council_social.governance.cli",
    "council_social.moderation.cli",
]


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="council-social", description=__doc__)
    parser.add_argument("--config", help="council.yaml to use (default: COUNCIL_SOCIAL_CONFIG or the packaged Brent file)")
    sub = parser.add_subparsers(dest="command", required=True)

    db = sub.add_parser("db", help="the social schema").add_subparsers(dest="db_command", required=True)
    up = db.add_parser("upgrade", help="apply Alembic migrations")
    up.add_argument("--url", help="database URL (default: COUNCIL_SOCIAL_DATABASE_URL, config, or embedded)")
    up.set_defaults(func=cmd_db_upgrade)

    parse = sub.add_parser("parse", help="normalise a recorded API response body to JSON lines")
    parse.add_argument("--platform", required=True)
    parse.add_argument("file", help="response body file, or - for stdin")
    parse.set_defaults(func=cmd_parse)

    sim = sub.add_parser("simulator", help="serve the local platform simulator (loopback only)")
    sim.add_argument("--port", type=int, default=8808)
    sim.add_argument("--host", default="127.0.0.1")
    sim.add_argument("--seed", type=int)
    sim.set_defaults(func=cmd_simulator)

    demo = sub.add_parser("demo", help="run the daily cycle on sample data through Airflow")
    demo.add_argument("--hours", type=int, default=24)
    demo.set_defaults(func=cmd_demo)

    from importlib import import_module

    for module in COMMAND_MODULES:
        import_module(module).register(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return args.func(args)
    except CliError as exc:
        print(f"council-social: {exc}", file=sys.stderr)
        return 2
    except Exception as exc:  # a config error or similar: one line, not a traceback
        from council_social.config import ConfigError

        if isinstance(exc, ConfigError):
            print(f"council-social: {exc}", file=sys.stderr)
            return 2
        raise


if __name__ == "__main__":
    sys.exit(main())
