"""`council-social triage FILE`, `triage correct ITEM ...`, `triage train`, `triage model`.

FILE is JSON lines (`-` for stdin): each needs `text`; the output line is the
input plus criticality, critical, intent, topic, department, influence,
outcome, flags and explanation. Malformed lines are reported by number on
stderr and skipped: exit 1 if any were, 0 if none, 2 if the file is unreadable.
"""

from __future__ import annotations

import json
import sys
from datetime import UTC, datetime
from pathlib import Path

from council_social.cli import CliError

BATCH = 2000


def _correct_parser():
    from council_social.cli import Parser  # usage mistakes are one line here too
    from council_social.text_rules import name_argument, words_argument

    c = Parser(prog="council-social triage correct",
                description="record an officer's correction of a decision")
    c.add_argument("item", help="platform:external_id, or an external_id for twitter")
    c.add_argument("--outcome", choices=["monitor", "customer_service", "webteam_respond",
                                         "service_conversation", "escalate_comms"])
    c.add_argument("--critical", choices=["yes", "no"])
    c.add_argument("--officer", default=None, type=name_argument, help="who corrects (default: $USER)")
    c.add_argument("--note", type=words_argument)
    c.add_argument("--url", help="database URL (default: COUNCIL_SOCIAL_DATABASE_URL, config, or embedded)")
    return c


def _train_parser():
    from council_social.cli import Parser
    from council_social.triage.datasets import COMPLAINTS_CSV, TWEETEVAL_DIR

    t = Parser(
        prog="council-social triage train",
        description="train a criticality model from the labelled files and officers' corrections;"
                    " promote it only if it beats the current model on held-back data")
    t.add_argument("--complaints", type=Path, default=COMPLAINTS_CSV,
                   help="complaints CSV (id,text,label,domain); skipped with a note if absent")
    t.add_argument("--tweeteval", type=Path, default=TWEETEVAL_DIR,
                   help="TweetEval folder (sentiment/val); skipped with a note if absent")
    t.add_argument("--no-corrections", action="store_true",
                   help="do not read officers' corrections from the database")
    t.add_argument("--url", help="database URL (default: COUNCIL_SOCIAL_DATABASE_URL, config, or embedded)")
    return t


def register(subparsers) -> None:
    import argparse

    # `triage FILE` and `triage correct ITEM ...` share one parser: argparse cannot mix an
    # optional positional with sub-commands. (A file named "correct": write ./correct.)
    p = subparsers.add_parser(
        "triage", help="triage JSON lines (FILE, - for stdin), or: triage correct ITEM --outcome ..."
                       " --critical yes/no | triage train | triage model",
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("file", help="JSON lines file, - for stdin, or 'correct', 'train', 'model'")
    p.add_argument("rest", nargs=argparse.REMAINDER, help=argparse.SUPPRESS)
    p.set_defaults(func=cmd_triage)


def cmd_triage(args) -> int:
    if args.file == "correct":
        correct = _correct_parser().parse_args(args.rest)
        correct.config = args.config
        return cmd_correct(correct)
    if args.file == "train":
        train = _train_parser().parse_args(args.rest)
        train.config = args.config
        return cmd_train(train)
    if args.file == "model":
        if args.rest:
            raise CliError(f"unexpected arguments after model: {' '.join(args.rest)}")
        return cmd_model(args)
    if args.rest:
        raise CliError(f"unexpected arguments after FILE: {' '.join(args.rest)}")
    from council_social.config import load_config
    from council_social.jsonl import dumps_line, split_lines
    from council_social.triage.criticality import load_model
    from council_social.triage.engine import TriageRules, triage_batch
    from council_social.triage.records import RecordError, input_from_record, output_record

    config = load_config(args.config)
    from council_social.bounded_read import InputRefused, read_bytes

    try:
        lines = split_lines(read_bytes(args.file).decode("utf-8", "replace"))
    except InputRefused as exc:
        raise CliError(str(exc)) from None
    rules = TriageRules.from_config(config)
    model = load_model(config.storage_base)
    skipped = 0
    batch: list[tuple[dict, object]] = []

    def flush() -> None:
        results = triage_batch([i for _, i in batch], rules, model)
        for (record, _), result in zip(batch, results, strict=True):
            sys.stdout.write(dumps_line(output_record(record, result, rules.rules_version))
                             + "\n")
        batch.clear()

    for number, line in enumerate(lines, 1):
        if not line.strip():
            continue
        try:
            record = json.loads(line)
            batch.append((record, input_from_record(record)))
        except json.JSONDecodeError as exc:
            skipped += 1
            print(f"council-social triage: line {number}: not JSON: {exc.msg}", file=sys.stderr)
        except RecursionError:
            skipped += 1
            print(f"council-social triage: line {number}: JSON nested too deeply", file=sys.stderr)
        except RecordError as exc:
            skipped += 1
            print(f"council-social triage: line {number}: {exc}", file=sys.stderr)
        if len(batch) >= BATCH:
            flush()
    if batch:
        flush()
    sys.stdout.flush()
    if skipped:
        print(f"council-social triage: skipped {skipped} malformed line(s)", file=sys.stderr)
        return 1
    return 0


def parse_item(item: str) -> tuple[str, str]:
    from council_social.config import PLATFORMS

    platform, sep, external_id = item.partition(":")
    if not sep:
        platform, external_id = "twitter", item
    if platform not in PLATFORMS or not external_id:
        raise CliError(f"ITEM must be platform:external_id (platforms: {', '.join(PLATFORMS)}) "
                       f"or a twitter id, got {item!r}")
    return platform, external_id


def cmd_correct(args) -> int:
    import getpass

    from sqlalchemy import text

    from council_social.config import load_config
    from council_social.store.engine import get_engine
    from council_social.triage.repo import record_correction

    if args.outcome is None and args.critical is None:
        raise CliError("give --outcome and/or --critical yes/no")
    platform, external_id = parse_item(args.item)
    config = load_config(args.config)
    engine = get_engine(args.url, config)
    with engine.begin() as conn:
        found = conn.execute(text(
            "SELECT 1 FROM social.items WHERE platform = :p AND external_id = :e"
        ), {"p": platform, "e": external_id}).first()
        if not found:
            raise CliError(f"no stored item {platform}:{external_id}")
        officer = args.officer or getpass.getuser()
        cid = record_correction(
            conn, platform, external_id, outcome=args.outcome,
            critical=None if args.critical is None else args.critical == "yes",
            officer=officer, note=args.note, corrected_at=datetime.now(UTC),
            rules_version=config.triage.rules_version,
        )
    print(f"correction {cid} recorded for {platform}:{external_id} by {officer}")
    return 0


def cmd_train(args) -> int:
    from council_social.config import load_config
    from council_social.triage import datasets, registry
    from council_social.triage.criticality import load_model

    config = load_config(args.config)
    rows = []
    if not args.no_corrections:
        from council_social.store.engine import get_engine
        from council_social.triage.repo import corrections_with_text

        with get_engine(args.url, config).connect() as conn:
            rows = corrections_with_text(conn)
    sets, missing = datasets.training_sets(args.complaints, args.tweeteval, rows)
    for note in missing:
        print(f"note: {note}", file=sys.stderr)
    run_at = datetime.now(UTC)
    candidate, held = registry.train_candidate(sets, run_at)
    folder = registry.models_dir(config)
    report = registry.promote_if_better(candidate, load_model(config.storage_base), held, folder,
                                        config.triage.critical_threshold,
                                        registry.public_sets(args.tweeteval))
    registry.record(folder, {"run_at": run_at.isoformat(), "by": "triage train", **report})
    print(registry.model_card(candidate, folder / f"{candidate.version}.json"))
    print(report["reason"] + ("; promoted" if report["promoted"] else "; not promoted"))
    return 0


def cmd_model(args) -> int:
    from council_social.config import load_config
    from council_social.triage import registry
    from council_social.triage.criticality import load_model, model_path

    config = load_config(args.config)
    print(registry.model_card(load_model(config.storage_base), model_path(config.storage_base)))
    last = registry.last_retrain(registry.models_dir(config))
    if last:
        print(f"last retrain ({last.get('by', 'triage train')}, {last.get('run_at', '?')}):"
              f" {'promoted' if last.get('promoted') else 'not promoted'}: {last.get('reason', '')};"
              f" corrections {last.get('corrections', '?')}, held back {last.get('held_back', '?')}"
              + (f", F1 on them {last['f1_before']:.3f} -> {last['f1_after']:.3f}"
                 if "f1_after" in last else ""))
    return 0
