"""`council-social archive search | export | verify | verify-bundle`: the FoI officer's commands."""

from __future__ import annotations

import sys
from datetime import date
from pathlib import Path


def _day(value: str) -> date:
    import argparse

    try:
        return date.fromisoformat(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{value!r} is not a date (YYYY-MM-DD)") from None


# Longer than any search a person types; a longer one is refused before it reaches the database.
MAX_QUERY_CHARS = 1000


def _context(args):
    from council_social.config import load_config
    from council_social.store.engine import get_engine

    config = load_config(args.config)
    return config, get_engine(None, config)


def _query(args, words):
    from council_social.archive.search import SearchQuery
    from council_social.cli import CliError

    if words is not None and len(words) > MAX_QUERY_CHARS:
        raise CliError(f"the query is {len(words)} characters long; at most {MAX_QUERY_CHARS}")
    if args.date_from and args.date_to and args.date_from > args.date_to:
        raise CliError(f"--from {args.date_from} is after --to {args.date_to}")
    return SearchQuery(words=words, date_from=args.date_from, date_to=args.date_to,
                       account=args.account, author=args.author, platform=args.platform,
                       limit=getattr(args, "limit", None))


def cmd_search(args) -> int:
    from council_social.archive.search import search_items
    from council_social.jsonl import dumps_line

    query = _query(args, args.words)  # bad input is refused before the database is asked
    config, engine = _context(args)
    with engine.connect() as conn:
        found = search_items(conn, query, config.council.timezone)
    out = sys.stdout
    if args.json:
        for row in found:
            out.write(dumps_line(row, default=str) + "\n")
        return 0
    for row in found:
        flags = (" [deleted]" if row["deleted"] else "") + (
            f" [{row['versions']} versions]" if row["versions"] > 1 else "")
        snippet = " ".join(row["text"].split())
        out.write(f"{row['created_at']:%Y-%m-%d %H:%M} {row['platform']} {row['external_id']}"
                  f" {row['account_key']} @{row['author_username'] or '?'}{flags}: "
                  f"{snippet[:160]}\n")
    print(f"{len(found)} items", file=sys.stderr)
    return 0


def cmd_export(args) -> int:
    from council_social.archive.export import export_bundle
    from council_social.cli import CliError

    if not args.out.endswith(".zip"):
        raise CliError(f"{args.out}: the bundle is a zip file; name it ….zip")
    folder = Path(args.out).expanduser().parent
    if not folder.is_dir():
        raise CliError(f"{folder}: no such folder to write the bundle into")
    from council_social.archive.bundle import BundleError

    config, engine = _context(args)
    try:
        summary = export_bundle(engine, config, _query(args, args.query), args.out,
                                redact=args.redact)
    except BundleError as exc:  # the archive does not verify: exit 1, no bundle
        print(f"council-social: {exc}", file=sys.stderr)
        return 1
    print(f"wrote {summary.path}: {summary.items} items, {summary.exchanges} API exchanges "
          f"({summary.warc_records} WARC records){', redacted' if summary.redacted else ''}")
    return 0


def cmd_verify(args) -> int:
    from council_social.archive.storage import anchor_path, archive_root
    from council_social.archive.verify import Problem, verify_archive

    config, engine = _context(args)
    root = archive_root(config, args.root)
    # The first --anchor replaces the configured log; further ones are copies or e-mails.
    anchors = [anchor_path(config, a) for a in args.anchor] if args.anchor else [anchor_path(config)]
    report = verify_archive(engine, root, anchors)
    for problem in report.problems:
        print(f"FAIL {problem}")
    for path in report.unlisted:
        print(f"WARN {Problem(path, 'a WARC file under the root that the manifest does not list')}")
    for path in report.unanchored:
        print(f"WARN {Problem(path, 'written after the anchor head (anchored by the next archive run)')}")
    summary = (f"{report.files} files, {report.records} records, {report.bytes} bytes"
               f" ({report.expired} expired) under {report.root}; {report.anchored} anchored"
               f" in {', '.join(map(str, anchors))}")
    if not report.ok:
        print(f"archive verify: {len(report.problems)} problem(s); {summary}", file=sys.stderr)
        return 1
    print(f"archive verified: {summary}; every hash and the chain match the manifest")
    return 0


def cmd_verify_bundle(args) -> int:
    from council_social.archive.bundle import BundleError, verify_bundle
    from council_social.cli import CliError

    try:
        result = verify_bundle(Path(args.zip).expanduser(),
                               [Path(a).expanduser() for a in args.anchor or []])
    except BundleError as exc:
        raise CliError(str(exc)) from None
    for problem in result.problems:
        print(f"FAIL {problem}")
    if result.problems:
        print(f"archive verify-bundle: {len(result.problems)} problem(s) in {args.zip}",
              file=sys.stderr)
        return 1
    anchored = ("; every source file's sha256 matches the anchor at its chain position"
                if args.anchor else "; give --anchor to check the source files against the chain")
    print(f"bundle verified: {result.files} files and {result.records} WARC records match "
          f"manifest.json ({result.sources} archive files){anchored}")
    return 0


def _filters(parser, dates_required: bool = False) -> None:
    parser.add_argument("--from", dest="date_from", type=_day, required=dates_required,
                        help="first day (YYYY-MM-DD, council timezone), included")
    parser.add_argument("--to", dest="date_to", type=_day, required=dates_required,
                        help="last day (YYYY-MM-DD, council timezone), included")
    parser.add_argument("--account", help="council account key (council.yaml)")
    parser.add_argument("--author", help="author's username, with or without @")
    parser.add_argument("--platform")


def register(subparsers) -> None:
    from council_social.cli import positive_int

    archive = subparsers.add_parser(
        "archive", help="FoI search, export and verification of the WARC archive"
    ).add_subparsers(dest="archive_command", required=True)

    search = archive.add_parser("search", help="full-text search over items (current and earlier texts)")
    search.add_argument("words", nargs="?", help='e.g. "missed bins Wembley" (web search syntax)')
    _filters(search)
    search.add_argument("--limit", type=positive_int)
    search.add_argument("--json", action="store_true", help="JSON lines instead of text")
    search.set_defaults(func=cmd_search)

    export = archive.add_parser("export", help="zip bundle: WARC, CSV, manifest, README")
    _filters(export, dates_required=True)
    export.add_argument("--query", help="words, as for search")
    export.add_argument("--redact", action="store_true",
                        help="redact names and handles of people who are not council accounts")
    export.add_argument("out", metavar="OUT.zip")
    export.set_defaults(func=cmd_export)

    verify = archive.add_parser("verify", help="recompute every hash and the chain")
    verify.add_argument("--root", help="archive root (default: archive.root in council.yaml)")
    verify.add_argument("--anchor", action="append", metavar="FILE",
                        help="anchor log (default: COUNCIL_SOCIAL_ARCHIVE_ANCHOR or "
                        "archive.anchor_path in council.yaml); repeat to add copies of it "
                        "or chain-head e-mails (.eml), checked against it")
    verify.set_defaults(func=cmd_verify)

    bundle = archive.add_parser("verify-bundle", help="check an FoI bundle without the database")
    bundle.add_argument("zip", metavar="ZIP")
    bundle.add_argument("--anchor", action="append", metavar="FILE",
                        help="an anchor log or chain-head e-mail to check the source files' "
                        "sha256 against (repeatable)")
    bundle.set_defaults(func=cmd_verify_bundle)
