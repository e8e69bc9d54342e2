"""The archive on real PostgreSQL, from raw pages the spine's ingest landed from the simulator."""

from __future__ import annotations

import io
import json
import subprocess
import sys
import zipfile
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import text
from warcio.archiveiterator import ArchiveIterator

from council_social.archive.anchor import read_anchor
from council_social.archive.export import export_bundle
from council_social.archive.manifest import archive_day, archive_interval
from council_social.archive.recheck import recheck_recent
from council_social.archive.repo import place_hold, release_hold
from council_social.archive.retention import expire_files
from council_social.archive.search import SearchQuery, search_items
from council_social.archive.verify import verify_archive
from council_social.channels.twitter import TwitterConnector
from council_social.pipeline.ingest import ingest_account
from council_social.pipeline.process import process_interval
from tests.conftest import SIM_NOW, snapshot

pytestmark = pytest.mark.postgres

DAY = SIM_NOW.date()
HOUR = timedelta(hours=1)
WARCIO = Path(sys.executable).with_name("warcio")


def connector_for(config, simulator, now=SIM_NOW):
    return TwitterConnector(config.simulator.bearer_token, simulator.base_url,
                            sleep=lambda s: None, clock=lambda: now.timestamp())


def land(engine, config, simulator) -> None:
    """Two hours of ingest (24 h look-back on the first) and processing, fetched at SIM_NOW."""
    connector = connector_for(config, simulator)
    for end in (SIM_NOW - HOUR, SIM_NOW):
        for account in config.accounts_for("twitter"):
            ingest_account(engine, connector, account, endpoints=["mentions", "tweets"],
                           interval_start=end - HOUR, interval_end=end,
                           initial_lookback=timedelta(hours=24))
    process_interval(engine, config, SIM_NOW - 2 * HOUR, SIM_NOW)


def rows(engine, sql: str, **params) -> list:
    with engine.connect() as conn:
        return conn.execute(text(sql), params).all()


@pytest.fixture
def landed(clean_db, config, simulator):
    land(clean_db, config, simulator)
    return clean_db


def test_a_day_is_written_read_back_and_checked(landed, tmp_path):
    outcome = archive_day(landed, tmp_path, "twitter", DAY, SIM_NOW)
    assert outcome.outcome == "written" and outcome.version == 1
    path = tmp_path / outcome.path
    assert outcome.path == f"twitter/2026/11/twitter-{DAY}.warc.gz"
    pages = rows(landed, "SELECT id, request_url, body FROM social.raw_pages ORDER BY id")
    responses = {}
    with open(path, "rb") as fh:
        for record in ArchiveIterator(fh, check_digests=True):
            if record.rec_type == "response":
                responses[record.rec_headers.get_header("WARC-Target-URI")] = record.content_stream().read()
            assert record.digest_checker.passed is not False
    assert sorted(responses.values()) == sorted(bytes(p.body) for p in pages)
    assert set(responses) == {p.request_url for p in pages}
    assert outcome.records == 1 + 3 * len(pages)
    done = subprocess.run([str(WARCIO), "check", str(path)], capture_output=True, text=True)
    assert done.returncode == 0, done.stdout + done.stderr
    report = verify_archive(landed, tmp_path)
    assert report.ok, report.problems
    assert report.records == outcome.records and report.bytes == outcome.bytes


def test_a_rerun_changes_nothing_and_late_pages_make_a_new_version(landed, tmp_path, config):
    start = datetime(2026, 11, 25, 2, tzinfo=UTC)
    first = archive_interval(landed, tmp_path, ["twitter"], start, start + timedelta(days=1))
    assert [o.outcome for o in first] == ["written"]  # day 25 ends inside; day 26 does not
    v1 = tmp_path / first[0].path
    v1_bytes = v1.read_bytes()
    before = snapshot(landed)
    again = archive_interval(landed, tmp_path, ["twitter"], start, start + timedelta(days=1))
    assert [o.outcome for o in again] == ["unchanged"]
    assert snapshot(landed) == before and v1.read_bytes() == v1_bytes
    assert sorted(p.name for p in tmp_path.rglob("*.warc.gz")) == [v1.name]

    # A late exchange fetched on the same day: a new version, the old file untouched.
    with landed.begin() as conn:
        conn.execute(text(
            "INSERT INTO social.raw_pages (platform, account_key, endpoint, request_url,"
            " request_params, interval_start, interval_end, page_number, fetched_at, status,"
            " headers, body, sha256) SELECT platform, account_key, endpoint, request_url || '&late=1',"
            " request_params, interval_start, interval_end, 99, fetched_at + interval '1 minute',"
            " status, headers, body, sha256 FROM social.raw_pages ORDER BY id LIMIT 1"))
    late = archive_day(landed, tmp_path, "twitter", DAY, SIM_NOW)
    assert late.outcome == "written" and late.version == 2 and late.path.endswith("-v2.warc.gz")
    assert v1.read_bytes() == v1_bytes
    chain = rows(landed, "SELECT version, sha256, prev_sha256, chain_position"
                         " FROM social.archive_files ORDER BY chain_position")
    assert [(c.version, c.chain_position) for c in chain] == [(1, 1), (2, 2)]
    assert chain[1].prev_sha256 == chain[0].sha256 and chain[0].prev_sha256 is None
    assert archive_day(landed, tmp_path, "twitter", DAY, SIM_NOW).outcome == "unchanged"
    assert verify_archive(landed, tmp_path).ok


def test_an_unknown_file_in_the_way_is_left_as_found(landed, tmp_path):
    target = tmp_path / f"twitter/2026/11/twitter-{DAY}.warc.gz"
    target.parent.mkdir(parents=True)
    target.write_bytes(b"someone else's file")
    outcome = archive_day(landed, tmp_path, "twitter", DAY, SIM_NOW)
    assert outcome.outcome == "written" and outcome.path.endswith("-v2.warc.gz")
    assert target.read_bytes() == b"someone else's file"
    report = verify_archive(landed, tmp_path)
    assert report.ok and report.unlisted == [target.relative_to(tmp_path).as_posix()]


def test_verify_command_names_the_damaged_record(landed, tmp_path, database_url, monkeypatch, capsys):
    from council_social.cli import main

    monkeypatch.setenv("COUNCIL_SOCIAL_DATABASE_URL", database_url)
    anchor = tmp_path.parent / f"{tmp_path.name}-anchor.log"
    monkeypatch.setenv("COUNCIL_SOCIAL_ARCHIVE_ANCHOR", str(anchor))
    outcome = archive_day(landed, tmp_path, "twitter", DAY, SIM_NOW, anchor)
    assert main(["archive", "verify", "--root", str(tmp_path)]) == 0
    assert "archive verified" in capsys.readouterr().out
    record = rows(landed, "SELECT record_index, warc_record_id, byte_offset, byte_length"
                          " FROM social.archive_records WHERE record_index = 5")[0]
    path = tmp_path / outcome.path
    data = bytearray(path.read_bytes())
    data[record.byte_offset + 20] ^= 0xFF
    path.write_bytes(bytes(data))
    assert main(["archive", "verify", "--root", str(tmp_path)]) == 1
    out = capsys.readouterr().out
    assert f"FAIL {outcome.path} record 5 {record.warc_record_id}" in out
    # a broken chain in the manifest is caught as well
    path.write_bytes(bytes(data[:record.byte_offset + 20]) + bytes([data[record.byte_offset + 20] ^ 0xFF])
                     + bytes(data[record.byte_offset + 21:]))
    with landed.begin() as conn:
        conn.execute(text("UPDATE social.archive_files SET prev_sha256 = 'forged'"))
    assert main(["archive", "verify", "--root", str(tmp_path)]) == 1
    assert "chain broken" in capsys.readouterr().out


def test_search_finds_words_account_author_and_dates(landed, config, database_url, monkeypatch,
                                                     capsys):
    from council_social.cli import main

    monkeypatch.setenv("COUNCIL_SOCIAL_DATABASE_URL", database_url)
    with landed.connect() as conn:
        everything = search_items(conn, SearchQuery())
        bins = search_items(conn, SearchQuery(words="bin collection"))
        assert bins and len(bins) < len(everything)
        assert all("bin" in r["text"].lower() for r in bins)
        author = bins[0]["author_username"]
        by_author = search_items(conn, SearchQuery(words="bin collection", author="@" + author.upper()))
        assert by_author and {r["author_username"] for r in by_author} == {author}
        account = search_items(conn, SearchQuery(account="brent-council"))
        assert account and {r["account_key"] for r in account} == {"brent-council"}
        none = search_items(conn, SearchQuery(date_from=date(2026, 1, 1), date_to=date(2026, 3, 31)))
        assert none == []
        today = search_items(conn, SearchQuery(date_from=DAY, date_to=DAY))
        assert today and all(r["created_at"].astimezone(config.tz).date() == DAY for r in today)
    assert main(["archive", "search", "bin collection", "--from", str(DAY - timedelta(days=1)),
                 "--to", str(DAY), "--json"]) == 0
    printed = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert [p["external_id"] for p in printed] == [r["external_id"] for r in bins]
    assert main(["archive", "search", "bin", "--from", "2026-03-31", "--to", "2026-01-01"]) == 2
    assert "is after" in capsys.readouterr().err


def _zip(path) -> dict[str, bytes]:
    with zipfile.ZipFile(path) as bundle:
        return {name: bundle.read(name) for name in bundle.namelist()}


def test_an_export_matches_its_search(landed, tmp_path, config):
    root, anchor = tmp_path / "archive", tmp_path / "anchor.log"
    archive_day(landed, root, "twitter", DAY, SIM_NOW, anchor)
    query = SearchQuery(words="bin", date_from=DAY - timedelta(days=1), date_to=DAY)
    with landed.connect() as conn:
        found = search_items(conn, query)
    assert found
    summary = export_bundle(landed, config, query, tmp_path / "foi.zip", root=root, anchor=anchor)
    files = _zip(tmp_path / "foi.zip")
    assert sorted(files) == ["README.txt", "item_versions.csv", "items.csv", "manifest.json",
                             "records.warc.gz"]
    manifest = json.loads(files["manifest.json"])
    import csv
    import hashlib

    for name, entry in manifest["files"].items():
        assert hashlib.sha256(files[name]).hexdigest() == entry["sha256"]
    csv_rows = list(csv.DictReader(io.StringIO(files["items.csv"].decode("utf-8-sig"))))
    assert [r["external_id"] for r in csv_rows] == [r["external_id"] for r in found]
    assert manifest["items"] == summary.items == len(found)

    bodies, ids = [], []
    for record in ArchiveIterator(io.BytesIO(files["records.warc.gz"]), check_digests=True):
        assert record.digest_checker.passed is not False
        ids.append((record.rec_type, record.rec_headers.get_header("WARC-Record-ID")))
        if record.rec_type == "response":
            bodies.append(record.content_stream().read())
    # exactly the evidencing exchanges: every response carries a match, every match is in one
    assert all(any(f'"{r["external_id"]}"'.encode() in b for r in found) for b in bodies)
    assert all(any(f'"{r["external_id"]}"'.encode() in b for b in bodies) for r in found)
    assert len(ids) == 3 * len(bodies) == summary.warc_records
    # unredacted records are the archive's own records, byte for byte
    archived = {r.warc_record_id: r.sha256 for r in rows(
        landed, "SELECT warc_record_id, sha256 FROM social.archive_records")}
    assert {rid for _, rid in ids} <= set(archived)


def test_a_redacted_export_names_only_council_accounts(landed, tmp_path, config, database_url,
                                                       monkeypatch):
    from council_social.cli import main

    monkeypatch.setenv("COUNCIL_SOCIAL_DATABASE_URL", database_url)
    monkeypatch.setenv("COUNCIL_SOCIAL_ARCHIVE_ROOT", str(tmp_path / "archive"))
    monkeypatch.setenv("COUNCIL_SOCIAL_ARCHIVE_ANCHOR", str(tmp_path / "anchor.log"))
    archive_day(landed, tmp_path / "archive", "twitter", DAY, SIM_NOW, tmp_path / "anchor.log")
    out = tmp_path / "redacted.zip"
    assert main(["archive", "export", "--from", str(DAY - timedelta(days=1)), "--to", str(DAY),
                 "--query", "bin", "--redact", str(out)]) == 0
    files = _zip(out)
    people = rows(landed, "SELECT username, display_name FROM social.authors"
                          " WHERE NOT (external_id = ANY(:ids))",
                  ids=[a.external_id for a in config.accounts if a.external_id])
    warc_text = b"".join(r.content_stream().read() for r in
                         ArchiveIterator(io.BytesIO(files["records.warc.gz"]))).decode("utf-8")
    csv_text = files["items.csv"].decode("utf-8-sig")
    for person in people:
        for name in (person.username, person.display_name):
            assert f'"{name}"' not in warc_text and f",{name}," not in csv_text
    assert "person-1" in csv_text and "Redaction" in files["README.txt"].decode()
    manifest = json.loads(files["manifest.json"])
    assert manifest["redacted"] is True and manifest["records"]
    assert all(r["redacted"] and r["chain_position"] == 1 for r in manifest["records"])


def test_recheck_keeps_edits_as_versions_and_deletions_as_tombstones(landed, config, simulator):
    own = rows(landed, "SELECT external_id, text FROM social.items WHERE account_key = 'brent-council'"
                       " AND author_external_id = :uid ORDER BY external_id LIMIT 1",
               uid=config.account("brent-council").external_id)[0]
    mention = rows(landed, "SELECT external_id, text FROM social.items WHERE author_external_id <> :uid"
                           " AND account_key = 'brent-council' ORDER BY external_id LIMIT 1",
                   uid=config.account("brent-council").external_id)[0]
    count = rows(landed, "SELECT count(*) FROM social.items")[0][0]
    simulator.edit_tweet(int(own.external_id), "Corrected: bins are collected on Friday")
    simulator.delete_tweet(int(mention.external_id))
    later = SIM_NOW + timedelta(minutes=30)
    summary = recheck_recent(landed, config, connector_for(config, simulator, later),
                             SIM_NOW - timedelta(days=1), SIM_NOW)
    assert summary.checked == count and summary.new_pages == summary.pages > 0
    # The re-check only lands pages; process_items stores what they say.
    assert [v.text for v in rows(landed, "SELECT text FROM social.item_versions WHERE"
                                         " external_id = :i", i=own.external_id)] == [own.text]
    row = process_interval(landed, config, SIM_NOW - HOUR, SIM_NOW)
    assert row["deleted"] == 1 and row["records"] == row["stored"] + row["duplicates"] + \
        row["quarantined"]
    versions = rows(landed, "SELECT version, text FROM social.item_versions WHERE external_id = :i"
                            " ORDER BY version", i=own.external_id)
    assert [v.text for v in versions] == [own.text, "Corrected: bins are collected on Friday"]
    gone = rows(landed, "SELECT text, deleted, deleted_at FROM social.items WHERE external_id = :i",
                i=mention.external_id)[0]
    assert gone.deleted and gone.deleted_at == later and gone.text == mention.text
    tomb = rows(landed, "SELECT t.detail, p.endpoint FROM social.item_tombstones t"
                        " JOIN social.raw_pages p ON p.id = t.raw_page_id WHERE t.external_id = :i",
                i=mention.external_id)
    assert tomb and "Could not find tweet" in tomb[0].detail and tomb[0].endpoint == "tweets/lookup"
    assert rows(landed, "SELECT count(*) FROM social.items")[0][0] == count
    with landed.connect() as conn:  # the edited-away text is still found
        hits = search_items(conn, SearchQuery(words=f'"{own.text[:40]}"'))
        current = search_items(conn, SearchQuery(words='"bins are collected on Friday"'))
    assert own.external_id in {h["external_id"] for h in hits}
    # and so is the current text, the item once however many of its versions match
    assert [h["external_id"] for h in current].count(own.external_id) == 1
    # the same re-check again changes nothing
    before = snapshot(landed)
    again = recheck_recent(landed, config, connector_for(config, simulator, later),
                           SIM_NOW - timedelta(days=1), SIM_NOW)
    assert again.new_pages == 0
    assert process_interval(landed, config, SIM_NOW - HOUR, SIM_NOW)["deleted"] == 0
    assert snapshot(landed) == before


def test_retention_never_removes_held_items(landed, tmp_path, config):
    anchor = tmp_path / "anchor.log"
    day_file = archive_day(landed, tmp_path, "twitter", DAY, SIM_NOW, anchor)
    item = rows(landed, "SELECT external_id FROM social.items ORDER BY external_id LIMIT 1")[0]
    retention = config.archive.retention
    with landed.begin() as conn:
        place_hold(conn, "twitter", item.external_id, "FoI request", "FOI-2032-001", at=SIM_NOW)
    early = expire_files(landed, tmp_path, retention, SIM_NOW + timedelta(days=365), anchor)
    assert early.expired == [] and early.kept == 1
    past = datetime(2033, 1, 1, tzinfo=UTC)  # six years on
    held = expire_files(landed, tmp_path, retention, past, anchor)
    assert held.expired == [] and [h["path"] for h in held.held] == [day_file.path]
    assert (tmp_path / day_file.path).exists()
    with landed.begin() as conn:
        assert release_hold(conn, "twitter", item.external_id, "FOI-2032-001", at=past) == 1
    gone = expire_files(landed, tmp_path, retention, past, anchor)
    assert [r["path"] for r in gone.expired] == [day_file.path]
    assert not (tmp_path / day_file.path).exists()
    log = rows(landed, "SELECT path, sha256, records, retain_until FROM social.retention_log")
    assert [(r.path, r.sha256, r.records) for r in log] == [
        (day_file.path, day_file.sha256, day_file.records)]
    assert log[0].retain_until == date(2032, 11, 25)
    report = verify_archive(landed, tmp_path, anchor)
    assert report.ok and report.expired == 1
    [event] = read_anchor(anchor).expired.values()  # the expiry is in the anchor's chain
    assert event["sha256"] == day_file.sha256 and "kept until 2032-11-25" in event["rule"]
    assert expire_files(landed, tmp_path, retention, past, anchor).expired == []  # idempotent


def test_open_foi_cases_hold_their_items_and_closed_ones_release(clean_db, monkeypatch):
    from council_social.archive import holds
    from council_social.cases import foi

    open_now = [{"platform": "twitter", "external_id": "111", "ref": "FOI-1"},
                {"platform": "twitter", "external_id": "222", "ref": "FOI-2"}]
    monkeypatch.setattr(foi, "open_foi_items", lambda conn: open_now)
    with clean_db.begin() as conn:
        place_hold(conn, "twitter", "333", "complaint", "CASE-9", at=SIM_NOW)
        assert holds.sync_foi_holds(conn, SIM_NOW) == {"held": 2, "released": 0}
    open_now.pop()
    with clean_db.begin() as conn:
        assert holds.sync_foi_holds(conn, SIM_NOW + HOUR) == {"held": 1, "released": 1}
    active = rows(clean_db, "SELECT external_id, case_ref FROM social.legal_holds"
                            " WHERE released_at IS NULL ORDER BY external_id")
    assert [(r.external_id, r.case_ref) for r in active] == [("111", "FOI-1"), ("333", "CASE-9")]


def test_an_object_storage_root_works_through_fsspec(landed, config, monkeypatch):
    from council_social.archive.storage import archive_root

    monkeypatch.setenv("COUNCIL_SOCIAL_ARCHIVE_ROOT", "memory://council-archive-test/social")
    root = archive_root(config)
    outcome = archive_day(landed, root, "twitter", DAY, SIM_NOW)
    assert (root / outcome.path).read_bytes()[:2] == b"\x1f\x8b"
    assert archive_day(landed, root, "twitter", DAY, SIM_NOW).outcome == "unchanged"
    report = verify_archive(landed, root)
    assert report.ok and report.files == 1 and report.unlisted == []
