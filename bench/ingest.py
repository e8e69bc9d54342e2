"""Ingest throughput benchmark: parse, validate, upsert, whole pipeline, against bare COPY.

Builds N simulated X API v2 pages (100 tweets each, `includes.users`, exactly as
the simulator serves them) from the seeded TrafficModel, lands them in
`social.raw_pages`, then times each stage of `process_items` on the same data
and a bare COPY of the resulting `social.items` rows into a scratch table.
Prints figures; it is not a pass/fail test.

    .venv/bin/python bench/ingest.py [--items 100000] [--url postgresql://...]

Without --url (or COUNCIL_SOCIAL_BENCH_URL) it creates a throwaway database
`council_social_bench_<random>` on 127.0.0.1:5432 and drops it at the end.
A database given with --url must hold no items or raw pages yet; the tables
the benchmark fills are emptied again at the end.
"""

from __future__ import annotations

import argparse
import gc
import hashlib
import io
import json
import logging
import os
import platform
import resource
import sys
import time
import uuid
from collections import defaultdict
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "include"))
os.environ.setdefault("GX_ANALYTICS_ENABLED", "false")

from sqlalchemy import create_engine, insert, select  # noqa: E402
from sqlalchemy.engine import make_url  # noqa: E402

from council_social.channels.twitter import (  # noqa: E402
    TWEET_FIELDS,
    USER_FIELDS,
    parse_twitter_page,
)
from council_social.config import load_config  # noqa: E402
from council_social.simulator.traffic import TrafficModel  # noqa: E402
from council_social.simulator.twitter_api import encode_token  # noqa: E402
from council_social.store import engine as engine_module  # noqa: E402
from council_social.store import items_repo  # noqa: E402
from council_social.store.engine import get_engine, normalise_url  # noqa: E402
from council_social.store.migrate import upgrade  # noqa: E402
from council_social.store.tables import raw_pages  # noqa: E402
from council_social.validation.batch import IntervalEvaluator, PageRef  # noqa: E402

PG_ADMIN_URL = "postgresql+psycopg2://postgres@127.0.0.1:5432/postgres"
URL_ENV = "COUNCIL_SOCIAL_BENCH_URL"
PAGE_SIZE = 100
WINDOW_START = datetime(2026, 10, 5, tzinfo=UTC)  # a Monday; any fixed instant will do
GOAL = 0.25
FILLED = ("items", "item_versions", "authors", "quarantine", "process_batches", "raw_pages",
          "ingest_fetches", "ingest_watermarks", "processed_pages")


def peak_rss_mib() -> float:
    # ru_maxrss is KiB on Linux, bytes on macOS.
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak / (1024 * 1024) if sys.platform == "darwin" else peak / 1024


def create_database(admin, prefix: str = "council_social_bench") -> str:
    """A new database `<prefix>_<random>` on the admin's server; returns its URL."""
    name = f"{prefix}_{uuid.uuid4().hex[:10]}"
    with admin.connect() as conn:
        conn.exec_driver_sql(f'CREATE DATABASE "{name}"')
    return make_url(PG_ADMIN_URL).set(database=name).render_as_string(hide_password=False)


def drop_database(admin, url: str) -> None:
    with admin.connect() as conn:
        conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{make_url(url).database}" WITH (FORCE)')


# ------------------------------------------------------------------------- data
def simulated_tweets(config, n: int, seed: int, rate: float):
    """The first `n` tweets from WINDOW_START on, a day of traffic at a time."""
    accounts = config.accounts_for("twitter")
    model = TrafficModel(accounts, seed=seed, mentions_per_hour=rate)
    tweets, end = [], WINDOW_START
    while len(tweets) < n:
        day_end = end + timedelta(days=1)
        tweets.extend(model.tweets_between(end, day_end))
        end = day_end
    tweets = tweets[:n]
    window_end = tweets[-1].created_at + timedelta(milliseconds=1) if tweets else end
    return model, accounts, tweets, window_end


def page_bodies(model, accounts, tweets, fetched_at: datetime) -> list[dict]:
    """Mentions/timeline pages per council account, newest first, as the simulator serves them.

    Each tweet goes to one account: its author if a council account, else the first council
    account it mentions, else the main account.
    """
    council = {a.external_id: a for a in accounts}
    main = next((a for a in accounts if a.main), accounts[0])
    per_account: dict[str, list] = defaultdict(list)
    for t in tweets:
        owner = council.get(t.author_id) or next(
            (council[u] for u in t.mentioned_user_ids if u in council), main)
        endpoint = "tweets" if owner.external_id == t.author_id else "mentions"
        per_account[(owner.key, owner.external_id, endpoint)].append(t)
    pages = []
    for (key, user_id, endpoint), timeline in sorted(per_account.items()):
        timeline.sort(key=lambda t: t.id, reverse=True)
        for number, first in enumerate(range(0, len(timeline), PAGE_SIZE)):
            chunk = timeline[first:first + PAGE_SIZE]
            users: dict[str, dict] = {}
            for t in chunk:
                if t.author_id not in users:
                    users[t.author_id] = model.user_by_id(t.author_id).to_api(USER_FIELDS)
            meta = {"newest_id": chunk[0].id_str, "oldest_id": chunk[-1].id_str,
                    "result_count": len(chunk)}
            if first + PAGE_SIZE < len(timeline):
                meta["next_token"] = encode_token(chunk[-1].id)
            body = {"data": [t.to_api(TWEET_FIELDS) for t in chunk],
                    "includes": {"users": list(users.values())}, "meta": meta}
            params = {"max_results": str(PAGE_SIZE), "tweet.fields": ",".join(TWEET_FIELDS),
                      "expansions": "author_id", "user.fields": ",".join(USER_FIELDS)}
            label = f"users/{user_id}/{endpoint}"
            pages.append({
                "platform": "twitter", "account_key": key, "endpoint": label,
                "request_url": f"https://api.x.com/2/{label}", "request_params": params,
                "page_number": number, "status": 200,
                "headers": {"content-type": "application/json; charset=utf-8"},
                "body": json.dumps(body, ensure_ascii=False, separators=(",", ":")).encode(),
                "fetched_at": fetched_at + timedelta(milliseconds=len(pages)),
            })
    return pages


def land_raw_pages(engine, pages: list[dict], start: datetime, end: datetime) -> list[int]:
    rows = [{**p, "interval_start": start, "interval_end": end,
             "sha256": hashlib.sha256(p["body"]).hexdigest()} for p in pages]
    with engine.begin() as conn:
        conn.execute(insert(raw_pages), rows)
        found = conn.execute(select(raw_pages.c.id, raw_pages.c.endpoint,
                                    raw_pages.c.page_number)).all()
    ids = {(r.endpoint, r.page_number): r.id for r in found}
    return [ids[(p["endpoint"], p["page_number"])] for p in pages]


# ------------------------------------------------------------------------ stages
def timed(fn, *args):
    gc.collect()
    t0 = time.perf_counter()
    result = fn(*args)
    return result, time.perf_counter() - t0


def parse_all(pages: list[dict]) -> list:
    return [parse_twitter_page(p["body"], account_key=p["account_key"]) for p in pages]


def validate_chunks(batch, limits, pages_per_chunk):
    """(b) as process_interval does it: the interval's pages a chunk at a time."""
    evaluator = IntervalEvaluator(limits)
    ordered = sorted(batch, key=lambda p: (p[0].fetched_at, p[0].raw_page_id))
    outcomes = [evaluator.add(ordered[i:i + pages_per_chunk])
                for i in range(0, len(ordered), pages_per_chunk)]
    return evaluator, outcomes


def upsert(engine, page_ids, evaluator, outcomes, start, end):
    # The store path of process_interval, in one transaction (triage aside).
    with engine.begin() as conn:
        items_repo.delete_quarantine(conn, page_ids)
        for outcome in outcomes:
            items_repo.insert_quarantine(conn, outcome.quarantined)
            items_repo.stage_items(conn, outcome.accepted)
        items_repo.write_author_records(conn, evaluator.authors)
        items_repo.merge_staged_items(conn)
        items_repo.drop_stage(conn)
        return items_repo.record_batch(conn, start, end, len(page_ids), evaluator.totals)


def pipeline_in_child(url: str, start: datetime, end: datetime) -> tuple[dict, float, float]:
    """(d) process_interval in a fresh process: its peak RSS is the pipeline's own."""
    import subprocess

    code = (
        "import json, resource, sys, time, logging\n"
        f"sys.path.insert(0, {str(Path(__file__).resolve().parents[1] / 'include')!r})\n"
        "logging.disable(logging.WARNING)\n"
        "from datetime import datetime\n"
        "from council_social.config import load_config\n"
        "from council_social.store.engine import get_engine\n"
        "from council_social.pipeline.process import process_interval\n"
        "from council_social.validation.suite import warm_up\n"
        "config = load_config(); engine = get_engine(sys.argv[1], config); warm_up()\n"
        "t0 = time.perf_counter()\n"
        "row = process_interval(engine, config, datetime.fromisoformat(sys.argv[2]),"
        " datetime.fromisoformat(sys.argv[3]))\n"
        "secs = time.perf_counter() - t0\n"
        # VmHWM, not ru_maxrss: Linux carries ru_maxrss over exec from the forked parent.
        "hwm = [l for l in open('/proc/self/status') if l.startswith('VmHWM:')]\n"
        "rss = int(hwm[0].split()[1]) if hwm else"
        " resource.getrusage(resource.RUSAGE_SELF).ru_maxrss\n"
        "print(json.dumps({'row': row, 'secs': secs, 'rss': rss}, default=str))\n"
    )
    out = subprocess.run([sys.executable, "-c", code, url, start.isoformat(), end.isoformat()],
                         check=True, capture_output=True, text=True).stdout
    result = json.loads(out.strip().splitlines()[-1])
    rss = result["rss"] / (1024 * 1024) if sys.platform == "darwin" else result["rss"] / 1024
    return result["row"], result["secs"], rss


def empty_outputs(engine) -> None:
    # TRUNCATE leaves the tables as a fresh migration does: never analysed (reltuples -1).
    with engine.begin() as conn:
        conn.exec_driver_sql("TRUNCATE social.items, social.item_versions, social.authors,"
                             " social.quarantine, social.process_batches, social.processed_pages")


def analyze(engine, tables: str = "") -> None:
    """ANALYZE (all tables when `tables` is empty, i.e. the outputs are known to be empty)."""
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.exec_driver_sql(f"ANALYZE {tables}")


def export_items(engine) -> bytes:
    """The stored social.items rows in COPY's text format."""
    raw = engine.raw_connection()
    try:
        buffer = io.BytesIO()
        raw.cursor().copy_expert("COPY social.items TO STDOUT", buffer)
        return buffer.getvalue()
    finally:
        raw.close()


def bare_copy(engine, rows_text: bytes, unlogged: bool, indexed: bool = False
              ) -> tuple[int, float]:
    """COPY the exported social.items rows, unchanged, into a scratch table without indexes
    (or, `indexed`, with social.items' own indexes: what any writer of the table pays)."""
    raw = engine.raw_connection()
    try:
        cur = raw.cursor()
        kind = "UNLOGGED TABLE" if unlogged else "TABLE"
        like = "INCLUDING DEFAULTS INCLUDING INDEXES" if indexed else "INCLUDING DEFAULTS"
        cur.execute(f"CREATE {kind} public.bench_copy (LIKE social.items {like})")
        raw.commit()
        buffer = io.BytesIO(rows_text)
        gc.collect()
        t0 = time.perf_counter()
        cur.copy_expert("COPY public.bench_copy FROM STDIN", buffer)
        rows = cur.rowcount
        raw.commit()
        seconds = time.perf_counter() - t0
        cur.execute("DROP TABLE public.bench_copy")
        raw.commit()
        return rows, seconds
    finally:
        raw.close()


# -------------------------------------------------------------------------- main
def parse_args(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--items", type=int, default=100_000, help="simulated tweets (default 100000)")
    p.add_argument("--url", default=os.environ.get(URL_ENV),
                   help=f"database to use (default ${URL_ENV}, else a throwaway database)")
    p.add_argument("--seed", type=int, default=None, help="simulator seed (default: config)")
    p.add_argument("--rate", type=float, default=600.0,
                   help="simulated mentions per hour (only changes how many days N spans)")
    p.add_argument("--unlogged", action="store_true",
                   help="COPY baseline into an UNLOGGED table (default: a regular table)")
    p.add_argument("--pipeline-only", action="store_true",
                   help="only process_interval, in a fresh process, with its peak RSS (for "
                        "--items 1000000: lands the pages a week at a time)")
    p.add_argument("--pages-per-chunk", type=int, default=None,
                   help="pages per chunk in (b) (default: process_interval's)")
    p.add_argument("--analyze-empty", action="store_true",
                   help="ANALYZE the empty output tables before (c) and (d), as autovacuum may "
                        "leave them on a fresh install (the planner then trusts they are empty)")
    return p.parse_args(argv)


def secs_of_rss(results, prefix: str) -> float:
    return next(rss for label, _, _, rss in results if label.startswith(prefix))


def secs_of(results, prefix: str) -> float:
    return next(secs for label, _, secs, _ in results if label.startswith(prefix))


def pipeline_only(config, n: int, seed: int, rate: float) -> int:
    """--pipeline-only: land N tweets a day at a time (this script stays small), then time
    process_interval over them in a fresh process and print its peak RSS."""
    accounts = config.accounts_for("twitter")
    model = TrafficModel(accounts, seed=seed, mentions_per_hour=rate)
    admin = create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
    url = create_database(admin)
    engine = create_engine(url)
    try:
        upgrade(engine)
        t0 = time.perf_counter()
        landed, day, body_bytes, page_count = 0, WINDOW_START, 0, 0
        end = WINDOW_START + timedelta(days=10_000)
        batches = []
        while landed < n:
            tweets = model.tweets_between(day, day + timedelta(days=1))[:n - landed]
            pages = page_bodies(model, accounts, tweets, day + timedelta(days=1, minutes=1))
            batches.append(pages)
            landed += len(tweets)
            day += timedelta(days=1)
            body_bytes += sum(len(p["body"]) for p in pages)
            page_count += len(pages)
            if len(batches) == 7 or landed >= n:
                # One interval owns every page, whichever day its tweets are from.
                rows = [{**p, "interval_start": WINDOW_START, "interval_end": end,
                         "sha256": hashlib.sha256(p["body"]).hexdigest()}
                        for b in batches for p in b]
                with engine.begin() as conn:
                    conn.execute(insert(raw_pages), rows)
                batches = []
        gen_seconds = time.perf_counter() - t0
        analyze(engine, "social.raw_pages")
        row, secs, rss = pipeline_in_child(url, WINDOW_START, end)
    finally:
        engine.dispose()
        drop_database(admin, url)
        admin.dispose()
    print(f"process_interval over {landed:,} simulated tweets in {page_count:,} pages "
          f"({body_bytes / 2**20:.0f} MiB of JSON), one interval: {secs:.1f} s, "
          f"{landed / secs:,.0f} items/s, stored {row['stored']:,}; peak RSS {rss:,.0f} MiB "
          f"(landing took {gen_seconds:.0f} s)")
    return 0


def main(argv=None) -> int:
    args = parse_args(argv)
    logging.basicConfig(level=logging.WARNING)
    for handler in logging.root.handlers:  # GX raises its own loggers to INFO on first use
        handler.setLevel(logging.WARNING)
    config = load_config()
    seed = config.simulator.seed if args.seed is None else args.seed
    if args.pipeline_only:
        return pipeline_only(config, args.items, seed, args.rate)

    t0 = time.perf_counter()
    model, accounts, tweets, window_end = simulated_tweets(config, args.items, seed, args.rate)
    fetched_at = window_end + timedelta(minutes=1)
    pages = page_bodies(model, accounts, tweets, fetched_at)
    n = len(tweets)
    del tweets
    body_mib = sum(len(p["body"]) for p in pages) / 2**20
    gen_seconds = time.perf_counter() - t0
    start, end = WINDOW_START, fetched_at

    admin = None
    if args.url:
        url = normalise_url(args.url)
    else:
        admin = create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
        url = create_database(admin)
    engine = get_engine(url)
    results: list[tuple[str, int, float, float]] = []
    try:
        upgrade(engine)
        with engine.connect() as conn:
            used = conn.exec_driver_sql(
                "SELECT (SELECT count(*) FROM social.items) + (SELECT count(*) FROM"
                " social.raw_pages)").scalar()
            server = conn.exec_driver_sql("SHOW server_version").scalar()
        if used:
            print(f"refusing: {make_url(url).render_as_string()} already holds items or raw "
                  "pages; give an empty database", file=sys.stderr)
            return 2
        page_ids, land_seconds = timed(land_raw_pages, engine, pages, start, end)
        analyze(engine, "social.raw_pages")
        if args.analyze_empty:
            analyze(engine)

        # (a) parse
        parsed, secs = timed(parse_all, pages)
        results.append(("(a) parse", n, secs, peak_rss_mib()))
        refs = [PageRef(i, p["platform"], p["account_key"], p["fetched_at"])
                for i, p in zip(page_ids, pages, strict=True)]
        del pages

        # (b) validate
        from council_social.pipeline.process import PAGES_PER_CHUNK, limits_from
        from council_social.validation.suite import warm_up

        batch = list(zip(refs, parsed, strict=True))
        warm_up()  # the GX context and suites, outside the timing (paid once per process)
        (evaluator, outcomes), secs = timed(validate_chunks, batch, limits_from(config),
                                            args.pages_per_chunk or PAGES_PER_CHUNK)
        results.append(("(b) validate", n, secs, peak_rss_mib()))

        # (c) upsert
        row, secs = timed(upsert, engine, page_ids, evaluator, outcomes, start, end)
        results.append(("(c) upsert", n, secs, peak_rss_mib()))
        stage_sum = sum(r[2] for r in results)
        authors = len(evaluator.authors)
        del batch, parsed, outcomes, evaluator
        empty_outputs(engine)
        if args.analyze_empty:
            analyze(engine)

        # (d) the whole of process_interval (parse, validate, store, triage), reading the
        # raw pages back from the database, in a fresh process: its own peak RSS
        row_d, secs, child_rss = pipeline_in_child(url, start, end)
        results.append(("(d) pipeline", n, secs, child_rss))
        if {k: row_d[k] for k in ("records", "stored", "duplicates", "quarantined")} != {
                k: row[k] for k in ("records", "stored", "duplicates", "quarantined")}:
            print(f"warning: pipeline accounting {row_d} differs from stages {row}",
                  file=sys.stderr)
        analyze(engine, "social.items")

        # (e) bare COPY of the same item rows
        rows_text = export_items(engine)
        copy_bytes = len(rows_text)
        copied, copy_seconds = bare_copy(engine, rows_text, args.unlogged)
        results.append((f"(e) COPY ({'unlogged' if args.unlogged else 'regular'})", copied,
                        copy_seconds, peak_rss_mib()))
        copied, copy_seconds = bare_copy(engine, rows_text, args.unlogged, indexed=True)
        results.append(("(f) COPY, items' indexes", copied, copy_seconds, peak_rss_mib()))
    finally:
        for cached in list(engine_module._engines.values()):
            cached.dispose()
        engine_module._engines.clear()
        if admin is not None:
            drop_database(admin, url)
            admin.dispose()
        elif results:
            cleanup = create_engine(url)
            with cleanup.begin() as conn:
                # CASCADE: archive_records refers to raw_pages (empty here, as the pages were).
                conn.exec_driver_sql("TRUNCATE " + ", ".join(f"social.{t}" for t in FILLED)
                                     + " CASCADE")
            cleanup.dispose()

    rate = {label: count / secs for label, count, secs, _ in results}
    print()
    print(f"Council Social Ops ingest benchmark - {n:,} simulated tweets in {len(page_ids):,} "
          f"pages ({body_mib:.1f} MiB of JSON), seed {seed}")
    print(f"stored {row['stored']:,}  duplicates {row['duplicates']:,}  quarantined "
          f"{row['quarantined']:,}  authors {authors:,}")
    print()
    print(f"{'stage':<26}{'items':>10}{'seconds':>10}{'items/s':>12}{'peak RSS MiB':>14}")
    for label, count, secs, rss in results:
        print(f"{label:<26}{count:>10,}{secs:>10.2f}{rate[label]:>12,.0f}{rss:>14,.0f}")
    print(f"{'(a+b+c) sum':<26}{n:>10,}{stage_sum:>10.2f}{n / stage_sum:>12,.0f}")
    copy = next(v for k, v in rate.items() if k.startswith("(e)"))
    validate_upsert = n / (secs_of(results, "(b)") + secs_of(results, "(c)"))
    pipeline = rate["(d) pipeline"]
    print()
    # The figure is validate + upsert; process_interval also parses, reads the pages
    # back and triages every item (bench/triage_speed.py measures triage alone).
    for label, value in (("validate + upsert", validate_upsert),
                         ("process_interval (with parse and triage)", pipeline)):
        ratio = value / copy
        verdict = "meets" if ratio >= GOAL else "below"
        print(f"{label} / COPY = {value:,.0f} / {copy:,.0f} = {ratio:.3f}  "
              f"({verdict} the goal of >= {GOAL} x COPY)")
    indexed = rate["(f) COPY, items' indexes"]
    print(f"validate + upsert / COPY into items' indexes = {validate_upsert:,.0f} / {indexed:,.0f}"
          f" = {validate_upsert / indexed:.3f}  (for scale: the goal is against (e))")
    print(f"peak RSS: process_interval (d) alone {secs_of_rss(results, '(d)'):,.0f} MiB; "
          f"this script, holding every stage's data, {peak_rss_mib():,.0f} MiB")
    print(f"setup: simulate+render {gen_seconds:.1f} s, land raw pages {land_seconds:.1f} s, "
          f"COPY buffer {copy_bytes / 2**20:.1f} MiB")
    print(f"machine: {os.cpu_count()} CPUs, Python {platform.python_version()} "
          f"({platform.python_implementation()}), {platform.platform()}, "
          f"PostgreSQL {server}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
