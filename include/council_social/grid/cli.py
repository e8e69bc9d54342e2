"""`council-social planner import|approve|reject ...`, `grid build ...` and `grid override ...`."""

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
    from council_social.grid.approvals import submit_entries
    from council_social.grid.planner import PlannerError, read_planner

    config = _config(args)
    try:
        entries = read_planner(args.file, config)
    except PlannerError as exc:
        raise CliError(str(exc).replace("\n", " | ")) from None
    try:
        with _engine(config).begin() as conn:
            counts = submit_entries(conn, entries, Path(args.file).name, datetime.now(UTC),
                                    submitted_by=args.submitted_by)
    except ProgrammingError:
        raise CliError("the planner tables are missing: run `council-social db upgrade`") from None
    print(f"{args.file}: {len(entries)} entries ({counts['inserted']} new, "
          f"{counts['updated']} updated, {counts['unchanged']} unchanged); "
          f"{counts['submitted']} submitted for approval")
    return 0


def _decide(args, decision: str) -> int:
    from council_social.cli import CliError
    from council_social.grid.approvals import ApprovalError, approve, reject

    config = _config(args)
    try:
        with _engine(config).begin() as conn:
            if decision == "approved":
                done = approve(conn, config, args.entry, args.officer, datetime.now(UTC),
                               reason=args.reason)
            else:
                done = reject(conn, config, args.entry, args.officer, args.reason, datetime.now(UTC))
    except ApprovalError as exc:
        raise CliError(str(exc)) from None
    print(f"{done['entry']} ({done['title']}) {decision} by {done['officer']}")
    return 0


def cmd_planner_approve(args) -> int:
    return _decide(args, "approved")


def cmd_planner_reject(args) -> int:
    return _decide(args, "rejected")


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
    from council_social.grid.repo import entries_by_key, log_override
    from council_social.text_rules import TextRuleError, required_words

    config = _config(args)
    try:
        officer = config.officer_name(args.officer)
        reason = required_words(args.reason, "--reason")
    except (KeyError, TextRuleError) as exc:
        raise CliError(exc.args[0]) from None
    with _engine(config).begin() as conn:
        if args.entry not in entries_by_key(conn, [args.entry]):
            raise CliError(f"no planner entry with key {args.entry!r}")
        log_override(conn, args.entry, officer, reason, datetime.now(UTC))
    print(f"override logged for {args.entry} by {officer}: it may be placed and posted "
          "during a pre-election period")
    return 0


def register(sub) -> None:
    planner = sub.add_parser("planner", help="the forward planner").add_subparsers(
        dest="planner_command", required=True)
    imp = planner.add_parser("import", help="import planner entries from a CSV or YAML file")
    imp.add_argument("file")
    imp.add_argument("--submitted-by", help="who submits the entries for approval (default: each "
                                            "entry's owner)")
    imp.set_defaults(func=cmd_planner_import)
    approve = planner.add_parser("approve", help="approve a submitted entry (grid.approvers only, "
                                                 "not its submitter)")
    approve.add_argument("entry", help="planner entry key")
    approve.add_argument("--officer", required=True)
    approve.add_argument("--reason", help="optional note for the audit log")
    approve.set_defaults(func=cmd_planner_approve)
    rej = planner.add_parser("reject", help="reject a submitted entry, with a reason")
    rej.add_argument("entry", help="planner entry key")
    rej.add_argument("--officer", required=True)
    rej.add_argument("--reason", required=True)
    rej.set_defaults(func=cmd_planner_reject)

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
