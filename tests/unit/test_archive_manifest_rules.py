"""archive/manifest.py's rules without a database: which version a day's file gets, how it
joins the chain, what an unchanged rerun does, a stranger's file in the way. The manifest's
queries (archive/repo.py) are replaced by an in-memory manifest with the same answers;
tests/integration/test_archive.py runs the same paths on PostgreSQL."""

from __future__ import annotations

import contextlib
import hashlib
import io
import json
from datetime import UTC, date, datetime, timedelta
from types import SimpleNamespace

import pytest
from warcio.archiveiterator import ArchiveIterator

from council_social.archive import manifest, repo
from council_social.archive.manifest import (
    DayOutcome,
    archive_day,
    archive_interval,
    archive_totals,
    exchange,
    exchanges_for_day,
)

DAY = date(2026, 11, 25)
START = datetime(2026, 11, 25, tzinfo=UTC)
WRITTEN_FOR = datetime(2026, 11, 26, 0, 5, tzinfo=UTC)


def page(n: int, platform: str = "twitter", at: datetime | None = None, **changes) -> dict:
    body = json.dumps({"data": [{"id": str(500 + n), "text": f"bins {n}"}]}).encode()
    row = {"id": n, "platform": platform, "account_key": "brent-council",
           "endpoint": "users/1/mentions", "request_url": f"http://x/2/users/1/mentions?n={n}",
           "request_params": {"n": str(n)}, "interval_start": START, "interval_end": START,
           "page_number": n % 3, "fetched_at": at or START + timedelta(hours=n % 24, minutes=n),
           "status": 200, "headers": {"content-type": "application/json"},
           "body": memoryview(body), "sha256": hashlib.sha256(body).hexdigest()}
    return {**row, **changes}


class Manifest:
    """The archive tables and raw pages in memory, behind archive/repo.py's functions."""

    def __init__(self):
        self.pages: list[dict] = []
        self.files: list[dict] = []
        self.records: list[dict] = []
        self.locks = 0
        self.transactions = 0

    def install(self, monkeypatch):
        monkeypatch.setattr(repo, "lock_chain", self.lock_chain)
        monkeypatch.setattr(repo, "day_pages", self.day_pages)
        monkeypatch.setattr(repo, "newest_day_file", self.newest_day_file)
        monkeypatch.setattr(repo, "chain_head", self.chain_head)
        monkeypatch.setattr(repo, "add_file", self.add_file)
        monkeypatch.setattr(repo, "totals", self.totals)

    @contextlib.contextmanager
    def begin(self):
        self.transactions += 1
        yield self

    def connect(self):
        return self.begin()

    def lock_chain(self, conn):
        assert conn is self
        self.locks += 1

    def day_pages(self, conn, platform, start, end):
        assert conn is self
        return sorted((p for p in self.pages if p["platform"] == platform
                       and start <= p["fetched_at"] < end),
                      key=lambda p: (p["fetched_at"], p["id"]))

    def newest_day_file(self, conn, platform, day):
        assert conn is self
        mine = [f for f in self.files if f["platform"] == platform and f["day"] == day]
        return max(mine, key=lambda f: f["version"]) if mine else None

    def chain_head(self, conn):
        assert conn is self
        if not self.files:
            return None
        last = max(self.files, key=lambda f: f["chain_position"])
        return SimpleNamespace(sha256=last["sha256"], chain_position=last["chain_position"])

    def add_file(self, conn, row, records):
        assert conn is self
        file_id = len(self.files) + 1
        self.files.append({"id": file_id, "expired_at": None, **row})
        self.records += [{"file_id": file_id, **r} for r in records]
        return file_id

    def totals(self, conn):
        return {"files": len(self.files), "conn": conn is self}


@pytest.fixture
def db(monkeypatch):
    fake = Manifest()
    fake.install(monkeypatch)
    return fake


def test_a_raw_page_row_becomes_an_exchange_field_by_field():
    row = page(7)
    ex = exchange(row)
    assert ex.body == bytes(row["body"]) and isinstance(ex.body, bytes)
    for name in ("id", "platform", "account_key", "endpoint", "request_url", "request_params",
                 "interval_start", "interval_end", "page_number", "fetched_at", "status",
                 "headers", "sha256"):
        assert getattr(ex, name) == row[name], name


def test_a_day_reads_its_own_platforms_pages_from_midnight_to_midnight(db):
    db.pages = [page(1, at=START - timedelta(microseconds=1)), page(2, at=START),
                page(3, at=START + timedelta(days=1) - timedelta(microseconds=1)),
                page(4, at=START + timedelta(days=1)), page(5, "facebook", at=START)]
    assert [e.id for e in exchanges_for_day(db, "twitter", DAY)] == [2, 3]
    assert [e.id for e in exchanges_for_day(db, "facebook", DAY)] == [5]


def test_the_first_file_starts_the_chain(db, tmp_path):
    db.pages = [page(1), page(2), page(3, "facebook")]
    out = archive_day(db, tmp_path, "twitter", DAY, WRITTEN_FOR)
    data = (tmp_path / "twitter/2026/11/twitter-2026-11-25.warc.gz").read_bytes()
    assert out == DayOutcome("twitter", DAY, "written", "twitter/2026/11/twitter-2026-11-25.warc.gz",
                             1, out.records, len(data), hashlib.sha256(data).hexdigest())
    assert out.records == len(db.records) > 2
    (row,) = db.files
    assert row == {
        "id": 1, "expired_at": None, "platform": "twitter", "day": DAY, "version": 1,
        "path": out.path, "records": out.records, "bytes": len(data), "sha256": out.sha256,
        "prev_sha256": None, "chain_position": 1, "first_fetched_at": page(1)["fetched_at"],
        "last_fetched_at": page(2)["fetched_at"], "written_for": WRITTEN_FOR}
    assert db.locks == 1 and db.transactions == 1


def test_record_rows_locate_each_record_in_the_file(db, tmp_path):
    db.pages = [page(1), page(2)]
    out = archive_day(db, tmp_path, "twitter", DAY, WRITTEN_FOR)
    data = (tmp_path / out.path).read_bytes()
    read = list(ArchiveIterator(io.BytesIO(data)))
    assert [r["record_index"] for r in db.records] == list(range(len(read)))
    assert [r["warc_record_id"] for r in db.records] == [
        rec.rec_headers.get_header("WARC-Record-ID") for rec in read]
    assert [r["warc_type"] for r in db.records] == [rec.rec_type for rec in read]
    for r in db.records:
        assert r["file_id"] == 1
        chunk = data[r["byte_offset"]:r["byte_offset"] + r["byte_length"]]
        assert hashlib.sha256(chunk).hexdigest() == r["sha256"]
    assert {r["raw_page_id"] for r in db.records} - {None} == {1, 2}
    info = next(iter(ArchiveIterator(io.BytesIO(data))))
    assert info.rec_type == "warcinfo"
    assert b"twitter API exchanges fetched on 2026-11-25 (UTC)" in info.content_stream().read()
    assert {r["record_class"] for r in db.records if r["raw_page_id"]} == {"mentions"}


def test_a_rerun_with_the_same_pages_changes_nothing(db, tmp_path):
    db.pages = [page(1), page(2)]
    first = archive_day(db, tmp_path, "twitter", DAY, WRITTEN_FOR)
    again = archive_day(db, tmp_path, "twitter", DAY, WRITTEN_FOR + timedelta(days=1))
    assert again == DayOutcome("twitter", DAY, "unchanged", first.path, 1, first.records,
                               first.bytes, first.sha256)
    assert len(db.files) == 1


def test_late_pages_make_the_next_version_chained_to_the_last_file(db, tmp_path, caplog):
    db.pages = [page(1), page(2), page(3, "facebook")]
    first = archive_day(db, tmp_path, "twitter", DAY, WRITTEN_FOR)
    other = archive_day(db, tmp_path, "facebook", DAY, WRITTEN_FOR)
    db.pages.append(page(4))
    late = archive_day(db, tmp_path, "twitter", DAY, WRITTEN_FOR)
    assert (late.outcome, late.version, late.path) == (
        "written", 2, "twitter/2026/11/twitter-2026-11-25-v2.warc.gz")
    assert db.files[2]["prev_sha256"] == other.sha256
    assert db.files[2]["chain_position"] == 3
    assert db.files[1]["prev_sha256"] == first.sha256 and db.files[1]["chain_position"] == 2
    assert (tmp_path / first.path).read_bytes() != (tmp_path / late.path).read_bytes()
    assert caplog.messages == [
        f"twitter 2026-11-25: the day's exchanges changed since {first.path}; wrote {late.path}"]
    assert {r["file_id"] for r in db.records if r["raw_page_id"] == 4} == {3}


def test_a_strangers_file_in_the_way_is_left_and_the_next_name_taken(db, tmp_path, caplog):
    db.pages = [page(1)]
    taken = tmp_path / "twitter/2026/11/twitter-2026-11-25.warc.gz"
    taken.parent.mkdir(parents=True)
    taken.write_bytes(b"someone else's")
    out = archive_day(db, tmp_path, "twitter", DAY, WRITTEN_FOR)
    assert (out.version, out.path) == (2, "twitter/2026/11/twitter-2026-11-25-v2.warc.gz")
    assert db.files[0]["version"] == 2 and db.files[0]["path"] == out.path
    assert taken.read_bytes() == b"someone else's"
    assert caplog.messages == [
        "twitter/2026/11/twitter-2026-11-25.warc.gz already exists with different content; "
        "archive files are never overwritten; writing the next version instead"]


def test_two_strangers_files_in_the_way(db, tmp_path):
    db.pages = [page(1)]
    for name in ("twitter-2026-11-25.warc.gz", "twitter-2026-11-25-v2.warc.gz"):
        (tmp_path / "twitter/2026/11").mkdir(parents=True, exist_ok=True)
        (tmp_path / "twitter/2026/11" / name).write_bytes(b"someone else's")
    assert archive_day(db, tmp_path, "twitter", DAY, WRITTEN_FOR).version == 3


def test_the_next_version_follows_the_manifest_not_the_files_left(db, tmp_path):
    # version 1 expired by retention (its file gone), version 2 still there: late pages are v3
    db.pages = [page(1)]
    archive_day(db, tmp_path, "twitter", DAY, WRITTEN_FOR)
    db.pages.append(page(2))
    archive_day(db, tmp_path, "twitter", DAY, WRITTEN_FOR)
    (tmp_path / db.files[0]["path"]).unlink()
    db.pages.append(page(3))
    out = archive_day(db, tmp_path, "twitter", DAY, WRITTEN_FOR)
    assert (out.version, out.path) == (3, "twitter/2026/11/twitter-2026-11-25-v3.warc.gz")
    assert not (tmp_path / db.files[0]["path"]).exists()


def test_a_day_with_no_pages_writes_nothing(db, tmp_path):
    db.pages = [page(1, "facebook")]
    assert archive_day(db, tmp_path, "twitter", DAY, WRITTEN_FOR) == DayOutcome(
        "twitter", DAY, "empty")
    assert db.files == [] and not any(tmp_path.iterdir())


def test_the_anchor_is_caught_up_only_when_one_is_given(db, tmp_path, monkeypatch):
    calls = []
    monkeypatch.setattr(manifest, "anchor_pending",
                        lambda engine, anchor, now: calls.append((engine, anchor, now.tzinfo)))
    db.pages = [page(1)]
    archive_day(db, tmp_path, "twitter", DAY, WRITTEN_FOR)
    assert calls == []
    archive_day(db, tmp_path, "twitter", DAY, WRITTEN_FOR, tmp_path / "a.log")
    assert calls == [(db, tmp_path / "a.log", UTC)]


def test_an_interval_archives_each_complete_day_for_each_platform(db, tmp_path, monkeypatch):
    anchored = []
    monkeypatch.setattr(manifest, "anchor_pending", lambda engine, anchor, now: anchored.append(anchor))
    db.pages = [page(1, at=START - timedelta(hours=2)), page(2, at=START + timedelta(hours=2)),
                page(3, "facebook", at=START + timedelta(hours=3))]
    end = START + timedelta(days=1, hours=1)
    outcomes = archive_interval(db, tmp_path, ["twitter", "facebook"], START - timedelta(hours=5),
                                end, "a.log")
    assert [(o.platform, o.day, o.outcome) for o in outcomes] == [
        ("twitter", DAY - timedelta(days=1), "written"),
        ("facebook", DAY - timedelta(days=1), "empty"),
        ("twitter", DAY, "written"), ("facebook", DAY, "written")]
    assert [f["written_for"] for f in db.files] == [end, end, end]
    assert anchored == ["a.log"] * 4


def test_totals_come_from_the_manifest(db):
    assert archive_totals(db) == {"files": 0, "conn": True}
