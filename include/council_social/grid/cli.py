"""`council-social planner import FILE`, `grid build ...` and `grid override ...`."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from pathlib import Path


def _config(args):
    from council_social.config import load_config

    return load_config(args.config)


def _engine(config):
    from council_social.store.engine import get_engine

    return get_engine(None, config)


def cmd_planner_import(args) -> int:
    from sqlalchemy.exc import ProgrammingError

    from council_social.cli import CliError
    from council_social.grid.planner import PlannerError, read_planner
    from council_social.grid.store import upsert_entries

    config = _config(args)
    try:
        entries = read_planner(args.file, config)
    except PlannerError as exc:
        raise CliError(str(exc).replace("\n", " | ")) from None
    try:
        with _engine(config).begin() as conn:
            counts = upsert_entries(conn, entries, Path(args.file).name, datetime.now(UTC))
    except ProgrammingError:
        raise CliError("the planner tables are missing: run `council-social db upgrade`") from None
    print(f"{args.file}: {len(entries)} entries ({counts['inserted']} new, "
          f"{counts['updated']} updated, {counts['unchanged']} unchanged)")
    return 0


def _monday(value: str) -> date:
    import argparse

    try:
        day = date.fromisoformat(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{value!r} is not an ISO date (YYYY-MM-DD)") from None
    if day.weekday() != 0:
        raise argparse.ArgumentTypeError(f"{value} is a {day:%A}; the grid starts on a Monday")
    return day


def cmd_grid_build(args) -> int:
    from council_social.cli import CliError
    from council_social.grid.build import build_offline
    from council_social.grid.planner import PlannerError, read_planner

    config = _config(args)
    try:
        entries = read_planner(args.planner, config)
    except PlannerError as exc:
        raise CliError(str(exc).replace("\n", " | ")) from None
    try:
        files, slots = build_offline(entries, config, args.start, Path(args.out))
    except OSError as exc:
        raise CliError(f"cannot write to {args.out}: {exc.strerror or exc}") from None
    placed = sum(s.state == "placed" for s in slots)
    print(f"grid {args.start} to {args.start + timedelta(days=13)}: {placed} placed, "
          f"{len(slots) - placed} not placed")
    for kind in ("html", "csv", "ics"):
        print(f"{kind:<4} {files[kind]['path']}")
    return 0


def cmd_grid_override(args) -> int:
    from council_social.cli import CliError
    from council_social.grid.store import entries_by_key, log_override

    config = _config(args)
    with _engine(config).begin() as conn:
        if args.entry not in entries_by_key(conn, [args.entry]):
            raise CliError(f"no planner entry with key {args.entry!r}")
        log_override(conn, args.entry, args.officer, args.reason, datetime.now(UTC))
    print(f"override logged for {args.entry} by {args.officer}: it may be placed and posted "
          "during a pre-election period")
    return 0


def register(sub) -> None:
    planner = sub.add_parser("planner", help="the forward planner").add_subparsers(
        dest="planner_command", required=True)
    imp = planner.add_parser("import", help="import planner entries from a CSV or YAML file")
    imp.add_argument("file")
    imp.set_defaults(func=cmd_planner_import)

    grid = sub.add_parser("grid", help="the fortnightly communications grid").add_subparsers(
        dest="grid_command", required=True)
    build = grid.add_parser("build", help="render a grid offline from a planner file")
    build.add_argument("--planner", required=True, help="planner CSV or YAML")
    build.add_argument("--start", required=True, type=_monday, help="the first Monday (ISO date)")
    build.add_argument("--out", required=True, help="folder for the HTML, CSV and ICS files")
    build.set_defaults(func=cmd_grid_build)

    override = grid.add_parser("override", help="log an emergency override of the pre-election "
                                                "hold for one planner entry")
    override.add_argument("entry", help="planner entry key")
    override.add_argument("--officer", required=True)
    override.add_argument("--reason", required=True)
    override.set_defaults(func=cmd_grid_override)
