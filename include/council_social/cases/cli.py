"""`council-social deadline`, `cases list|respond|close|reply|approve-reply|report`,
`foi register|acknowledgement`.

The subcommands and their flags are a contract (issue #4). Times without an
offset are read as council local time (Europe/London).
"""

from __future__ import annotations

import json
import os
import sys
from datetime import UTC, datetime, timedelta

CHANNELS = ("thread", "email", "dm", "phone", "letter", "in_person", "web", "other")


def _cli_error(message: str):
    from council_social.cli import CliError

    return CliError(message)


def _config(args):
    from council_social.config import load_config

    return load_config(args.config)


def _engine(args, config):
    from council_social.store.engine import get_engine

    return get_engine(getattr(args, "url", None), config)


# No request this system handles was received before this (and the calendar starts somewhere).
EARLIEST_RECEIVED = datetime(2000, 1, 1, tzinfo=UTC)
# `deadline` may be asked about a request not yet received ("if it comes on 21 Dec..."),
# but not beyond the years the bank-holiday calendar can be trusted for.
LATEST_RECEIVED = datetime(2100, 1, 1, tzinfo=UTC)


def parse_timestamp(value: str, what: str, *, now: datetime | None = None,
                    future_ok: bool = False) -> datetime:
    """A person's timestamp: with its UTC offset, not before 2000, and not in the future
    (or, with `future_ok`, not after 2099)."""
    from council_social.cases.times import TimeRefused, check_time, parse_aware

    try:
        moment = parse_aware(value, what)
        if future_ok and moment >= LATEST_RECEIVED:
            raise TimeRefused(f"{what} {moment.isoformat()} is beyond the working calendar "
                              "(it ends with 2099)")
        return check_time(moment, now=LATEST_RECEIVED if future_ok else now or datetime.now(UTC),
                          what=what, not_before=EARLIEST_RECEIVED, not_before_what="2000")
    except TimeRefused as exc:
        raise _cli_error(str(exc)) from None


def _dumps(value) -> str:
    def default(v):
        if isinstance(v, datetime):
            return v.isoformat()
        if hasattr(v, "isoformat"):
            return v.isoformat()
        raise TypeError(f"cannot serialise {type(v).__name__}")

    return json.dumps(value, default=default, ensure_ascii=False)


# --- deadline ----------------------------------------------------------------------------


def deadline_record(config, calendar, kind: str, received: datetime) -> dict:
    due = calendar.to_local(calendar.deadline(config.response_targets[kind], received))
    return {
        "kind": kind,
        "received": received.isoformat(),
        "due_at": due.isoformat(),
        "due_date": due.date().isoformat(),
    }


def cmd_deadline(args) -> int:
    from council_social.cases.calendar import WorkingCalendar

    config = _config(args)
    calendar = WorkingCalendar.from_config(config)
    values: list[str] = []
    for value in args.received:
        if value == "-":
            values.extend(line for line in sys.stdin.read().splitlines() if line.strip())
        else:
            values.append(value)
    if not values:
        raise _cli_error("no timestamps given (use --received TS, or --received - for stdin)")
    for value in values:
        received = parse_timestamp(value, "--received", future_ok=True)
        record = deadline_record(config, calendar, args.kind, received)
        sys.stdout.write(_dumps(record) + "\n")
    sys.stdout.flush()
    return 0


# --- cases -------------------------------------------------------------------------------


def cmd_cases_list(args) -> int:
    from council_social.cases.queries import list_cases

    config = _config(args)
    if args.team:
        try:
            config.team(args.team)
        except KeyError as exc:
            raise _cli_error(exc.args[0]) from None
    with _engine(args, config).connect() as conn:
        rows = list_cases(conn, team=args.team, overdue=args.overdue,
                          statuses=args.status or None, kind=args.kind)
    tz = config.tz
    if args.format == "json":
        for row in rows:
            sys.stdout.write(_dumps(row) + "\n")
        return 0
    print(f"{'case':<11} {'kind':<21} {'team':<19} {'status':<10} {'due (local)':<17} assignee")
    for r in rows:
        print(f"{r['ref']:<11} {r['kind']:<21} {r['team']:<19} {r['status']:<10} "
              f"{r['due_at'].astimezone(tz):%Y-%m-%d %H:%M}  {r['assignee']}")
    print(f"{len(rows)} case(s)")
    return 0


def _officer_action(args, action) -> int:
    from council_social.cases.events import case_ref, parse_case_ref
    from council_social.cases.repo.lifecycle import get_case
    from council_social.cases.watch import lock

    config = _config(args)
    try:
        case_id = parse_case_ref(args.case)
    except ValueError as exc:
        raise _cli_error(str(exc)) from None
    recorded_at = datetime.now(UTC)
    at = parse_timestamp(args.at, "--at", now=recorded_at) if getattr(args, "at", None) else recorded_at
    actor = f"officer:{args.by}"
    with _engine(args, config).begin() as conn:
        lock(conn)
        case = get_case(conn, case_id)
        if case is None:
            raise _cli_error(f"no case {args.case}")
        if case["status"] == "closed":
            raise _cli_error(f"case {case_ref(case['kind'], case_id)} is already closed")
        if at < case["opened_at"]:
            raise _cli_error(f"--at {at.isoformat()} is before the case was received "
                             f"({case['opened_at'].isoformat(timespec='seconds')})")
        message = action(conn, case, at=at, recorded_at=recorded_at, actor=actor)
    print(f"{case_ref(case['kind'], case_id)}: {message}")
    return 0


def cmd_cases_respond(args) -> int:
    from council_social.cases.events import record_event
    from council_social.cases.watch import close, respond

    def action(conn, case, *, at, recorded_at, actor):
        detail = {"note": args.note, "channel": args.channel}
        done = []
        status = case["status"]
        if case["responded_at"] is None:
            respond(conn, case["id"], status=status, at=at, recorded_at=recorded_at, actor=actor,
                    channel=args.channel, detail={"note": args.note})
            status = "responded"
            done.append(f"responded via {args.channel} at {at.isoformat()}")
        else:
            record_event(conn, case["id"], "note", at=at, recorded_at=recorded_at, actor=actor,
                         detail=detail)
            done.append("already responded; further contact noted")
        if args.substantive:
            close(conn, case["id"], status=status, at=at, recorded_at=recorded_at, actor=actor,
                  detail={**detail, "substantive": True})
            done.append("closed (substantive)")
        return "; ".join(done)

    return _officer_action(args, action)


def _case_id(value: str) -> int:
    from council_social.cases.events import parse_case_ref

    try:
        return parse_case_ref(value)
    except ValueError as exc:
        raise _cli_error(str(exc)) from None


def cmd_cases_show(args) -> int:
    from council_social.cases.detail import case_detail

    config = _config(args)
    case_id = _case_id(args.case)
    with _engine(args, config).connect() as conn:
        found = case_detail(conn, config, case_id)
    if found is None:
        raise _cli_error(f"no case {args.case}")
    if args.format == "json":
        sys.stdout.write(_dumps(found) + "\n")
        return 0
    sys.stdout.write(_case_text(config, found))
    return 0


def _case_text(config, found: dict) -> str:
    from council_social.safe_text import visible

    def printable(line: str) -> str:  # post text must not move the terminal's cursor
        return visible(" ".join(line.split("\n")).replace("\r", " "))

    case, author, tz = found["case"], found["author"] or {}, config.tz
    lines = [f"{case['ref']} {case['kind']} for {case['team']}, {case['status']}, "
             f"due {case['due_at'].astimezone(tz):%a %d %b %Y %H:%M}, "
             f"with {case['assignee_name'] or case['assignee']}"]
    who = " ".join(x for x in (author.get("display_name"),
                               f"@{author['username']}" if author.get("username") else None) if x)
    lines.append(f"from {who or 'unknown author'}"
                 + (f", influence {author['influence']}" if author.get("influence") else ""))
    lines.append(f"> {found['text'] or '(post not stored)'}")
    if found["thread"]:
        lines.append("thread:")
        for post in found["thread"]:
            by = post["council_account"] or post["username"] or post["author_external_id"]
            mark = "*" if post["this_case"] else " "
            lines.append(f" {mark} {post['created_at'].astimezone(tz):%d %b %H:%M} {by}: {post['text']}")
    if found["decision"]:
        lines.append(f"triage: {found['decision']['explanation'] or found['decision']['outcome']}")
    lines.append("history:")
    for e in found["history"]:
        lines.append(f"  {e['at'].astimezone(tz):%a %d %b %H:%M} {e['sentence']}")
    return "".join(printable(line) + "\n" for line in lines)


def _allocation(args, action, backlog=None) -> int:
    """Run `action` on each named case, then `backlog(conn, config, now)` if given (the
    backlog close), all in one transaction; print a line per case."""
    from council_social.cases.allocate import Refused
    from council_social.cases.events import case_ref
    from council_social.cases.repo.lifecycle import case_kind

    config = _config(args)
    ids = [_case_id(c) for c in args.case]
    done = []
    with _engine(args, config).begin() as conn:
        try:
            if not ids and not backlog:
                raise Refused("name a case (e.g. CS-000012)")
            now = datetime.now(UTC)
            for case_id in dict.fromkeys(ids):
                kind = case_kind(conn, case_id)
                message = action(conn, config, case_id, now)
                done.append(f"{case_ref(kind or '', case_id)}: {message}")
            if backlog:
                closed = backlog(conn, config, now)
                if not closed and not ids:
                    raise Refused("no backlog cases" + (f" for {args.team}" if args.team else ""))
                done += [f"{ref}: {message}" for ref, message in closed]
        except Refused as exc:
            raise _cli_error(str(exc)) from None
    if len(done) > 20:
        print("\n".join(done[:10]) + f"\n... and {len(done) - 10} more")
    else:
        print("\n".join(done))
    return 0


def cmd_cases_assign(args) -> int:
    from council_social.cases.allocate import assign

    if len(args.case) != 1:
        raise _cli_error("assign one case at a time")
    return _allocation(args, lambda conn, config, case_id, now: assign(
        conn, config, case_id, to=args.to, officer=args.officer, note=args.note, at=now))


def cmd_cases_close(args) -> int:
    from council_social.cases.allocate import close_backlog, close_with_reason

    if args.team and not args.backlog:
        raise _cli_error("--team goes with --backlog")

    def the_backlog(conn, config, now):
        return close_backlog(conn, config, team=args.team, reason=args.reason, officer=args.officer,
                             note=args.note, at=now)

    return _allocation(args, lambda conn, config, case_id, now: close_with_reason(
        conn, config, case_id, reason=args.reason, officer=args.officer, note=args.note, at=now),
        backlog=the_backlog if args.backlog else None)


def cmd_cases_reply(args) -> int:
    """`cases reply` and `cases approve-reply`: answer from the case (cases/replies.py)."""
    from council_social.cases.events import parse_case_ref
    from council_social.cases.replies import (
        ReplyRefused,
        approve_reply,
        parse_reply_ref,
        queue_reply,
    )

    config = _config(args)
    now = datetime.now(UTC)
    try:
        with _engine(args, config).begin() as conn:
            if args.cases_command == "approve-reply":
                done = approve_reply(conn, config, parse_reply_ref(args.reply), args.officer, now)
                message = f"{done['reply']}: approved by {done['approved_by']}; queued"
            else:
                message = queue_reply(conn, config, parse_case_ref(args.case),
                                      reply_text=args.text, officer=args.officer,
                                      saved_key=args.saved, holding=args.holding,
                                      at=now).message
    except (ReplyRefused, ValueError) as exc:
        raise _cli_error(str(exc)) from None
    print(message)
    return 0


def cmd_cases_report(args) -> int:
    from council_social.cases.reports import response_times

    config = _config(args)
    now = datetime.now(UTC)
    with _engine(args, config).connect() as conn:
        rows = response_times(conn, config, now - timedelta(weeks=args.weeks), now, now)
    _write_rows(rows, args.format)
    return 0


def _write_rows(rows: list[dict], fmt: str) -> None:
    if fmt == "json":
        for row in rows:
            sys.stdout.write(_dumps(row) + "\n")
        return
    import csv

    from council_social.cases.foi import csv_safe

    if rows:
        writer = csv.writer(sys.stdout, lineterminator="\r\n")
        writer.writerow(list(rows[0]))
        for row in rows:
            writer.writerow([csv_safe(v) for v in row.values()])


# --- foi ---------------------------------------------------------------------------------


def cmd_foi_register(args) -> int:
    from council_social.cases.foi import register, register_csv

    config = _config(args)
    with _engine(args, config).connect() as conn:
        rows = register(conn, config, datetime.now(UTC), include_closed=not args.open)
    if args.format == "csv":
        sys.stdout.write(register_csv(rows))
    else:
        for row in rows:
            sys.stdout.write(_dumps(row) + "\n")
    return 0


def cmd_foi_acknowledgement(args) -> int:
    from council_social.cases.events import case_ref, parse_case_ref
    from council_social.cases.foi import acknowledgement_text
    from council_social.cases.repo.reading import case_with_author

    config = _config(args)
    try:
        case_id = parse_case_ref(args.case)
    except ValueError as exc:
        raise _cli_error(str(exc)) from None
    with _engine(args, config).connect() as conn:
        row = case_with_author(conn, case_id)
    if row is None or row["kind"] != "foi":
        raise _cli_error(f"no FoI case {args.case}")
    print(acknowledgement_text(config, ref=case_ref("foi", case_id), due_at=row["due_at"],
                               valid=row["details"].get("foi_valid"), handle=row["username"]))
    return 0


# --- registration ------------------------------------------------------------------------


def register(sub) -> None:
    from council_social.config import CASE_KINDS, RESPONSE_TARGET_KINDS

    url_help = "database URL (default: COUNCIL_SOCIAL_DATABASE_URL, config, or embedded)"

    deadline = sub.add_parser("deadline", help="when a reply is due, in council time (JSON lines)")
    deadline.add_argument("--kind", required=True, choices=RESPONSE_TARGET_KINDS)
    deadline.add_argument("--received", action="append", required=True,
                          help="ISO timestamp of receipt; repeat it, or - to read one a line from stdin")
    deadline.set_defaults(func=cmd_deadline)

    cases = sub.add_parser("cases", help="response cases").add_subparsers(
        dest="cases_command", required=True)
    listing = cases.add_parser("list", help="cases, soonest due first")
    listing.add_argument("--overdue", action="store_true", help="only overdue or escalated cases")
    listing.add_argument("--team", help="a team key from council.yaml")
    listing.add_argument("--kind", choices=CASE_KINDS)
    listing.add_argument("--status", action="append",
                         choices=("open", "responded", "closed", "overdue", "escalated", "backlog"))
    listing.add_argument("--format", choices=("table", "json"), default="table")
    listing.add_argument("--url", help=url_help)
    listing.set_defaults(func=cmd_cases_list)

    from council_social.text_rules import words_argument

    by_default = os.environ.get("USER") or "officer"
    respond = cases.add_parser("respond", help="record a reply made elsewhere (email, DM, phone)")
    respond.add_argument("case", help="case reference, e.g. CS-000012 or 12")
    respond.add_argument("--channel", required=True, choices=CHANNELS)
    respond.add_argument("--note", required=True, type=words_argument)
    respond.add_argument("--by", default=by_default, help="who replied (default: $USER)")
    respond.add_argument("--at", help="when (ISO timestamp; default now)")
    respond.add_argument("--substantive", action="store_true",
                         help="the reply answered the question: close the case")
    respond.add_argument("--url", help=url_help)
    respond.set_defaults(func=cmd_cases_respond)

    from council_social.cases.detail import CLOSE_REASONS

    show = cases.add_parser("show", help="a case as an officer works it: the post, its author, "
                            "the thread, the triage decision and the history")
    show.add_argument("case", help="case reference, e.g. CS-000012 or 12")
    show.add_argument("--format", choices=("text", "json"), default="text")
    show.add_argument("--url", help=url_help)
    show.set_defaults(func=cmd_cases_show)

    assign = cases.add_parser("assign", help="give a case to an officer, or to a team's lead")
    assign.add_argument("case", nargs=1, help="case reference")
    assign.add_argument("--to", required=True, help="an officer's name or e-mail, or a team key")
    assign.add_argument("--officer", required=True, help="who is assigning (an officer in council.yaml)")
    assign.add_argument("--note")
    assign.add_argument("--url", help=url_help)
    assign.set_defaults(func=cmd_cases_assign)

    close = cases.add_parser("close", help="close cases that need no reply from the platform")
    close.add_argument("case", nargs="*", help="case references (several close together)")
    close.add_argument("--reason", required=True, choices=tuple(CLOSE_REASONS))
    close.add_argument("--officer", required=True, help="an officer in council.yaml")
    close.add_argument("--note")
    close.add_argument("--backlog", action="store_true",
                       help="every backlog case (received before the platform watched)")
    close.add_argument("--team", help="with --backlog: only this team's")
    close.add_argument("--url", help=url_help)
    close.set_defaults(func=cmd_cases_close)

    reply = cases.add_parser("reply", help="answer the resident in the thread (sent by send_replies)")
    reply.add_argument("case", help="case reference, e.g. CS-000012 or 12")
    reply.add_argument("--text", help="the reply (or --saved KEY)")
    reply.add_argument("--officer", required=True, help="your name as council.yaml has it")
    reply.add_argument("--saved", help="a saved reply's key from cases.saved_replies")
    reply.add_argument("--holding", action="store_true",
                       help="a holding reply: stops the clock, keeps the case open")
    reply.add_argument("--url", help=url_help)
    reply.set_defaults(func=cmd_cases_reply)
    approve = cases.add_parser("approve-reply", help="release a reply that needs a second pair of eyes")
    approve.add_argument("reply", help="reply reference, e.g. R-000012 or 12")
    approve.add_argument("--officer", required=True, help="an approver, not the reply's author")
    approve.add_argument("--url", help=url_help)
    approve.set_defaults(func=cmd_cases_reply)

    report = cases.add_parser("report", help="response-time p50/p90 per kind and week")
    report.add_argument("--weeks", type=int, default=8)
    report.add_argument("--format", choices=("json", "csv"), default="json")
    report.add_argument("--url", help=url_help)
    report.set_defaults(func=cmd_cases_report)

    foi = sub.add_parser("foi", help="Freedom of Information requests").add_subparsers(
        dest="foi_command", required=True)
    reg = foi.add_parser("register", help="the FoI register for the FoI officer")
    reg.add_argument("--format", choices=("csv", "json"), default="csv")
    reg.add_argument("--open", action="store_true", help="leave out closed requests")
    reg.add_argument("--url", help=url_help)
    reg.set_defaults(func=cmd_foi_register)

    ack = foi.add_parser("acknowledgement", help="the reply to post under an FoI request")
    ack.add_argument("case")
    ack.add_argument("--url", help=url_help)
    ack.set_defaults(func=cmd_foi_acknowledgement)
