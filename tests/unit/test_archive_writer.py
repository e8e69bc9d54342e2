"""WARC writer, manifest verification and redaction, without a database."""

from __future__ import annotations

import gzip
import io
import json
import subprocess
import sys
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from warcio.archiveiterator import ArchiveIterator

from council_social.archive.redact import Redactor
from council_social.archive.verify import verify_manifest
from council_social.archive.writer import Exchange, build_day_file, record_class

DAY = date(2026, 11, 25)
T0 = datetime(2026, 11, 25, 9, 0, tzinfo=UTC)
WARCIO = Path(sys.executable).with_name("warcio")


def exchange(n: int, body: bytes | None = None, **overrides) -> Exchange:
    body = body if body is not None else json.dumps(
        {"data": [{"id": str(1000 + n), "text": f"missed bin {n}", "author_id": "77"}],
         "includes": {"users": [{"id": "77", "username": "resident77", "name": "Ann Resident"}]},
         "meta": {"result_count": 1}}).encode()
    import hashlib

    fields = dict(
        id=n, platform="twitter", account_key="brent-council", endpoint="users/154019375/mentions",
        request_url=f"http://127.0.0.1:8808/2/users/154019375/mentions?max_results=100&n={n}",
        request_params={"max_results": "100", "n": str(n)},
        interval_start=T0 - timedelta(minutes=15), interval_end=T0, page_number=0,
        fetched_at=T0 + timedelta(minutes=n), status=200,
        headers={"content-type": "application/json; charset=utf-8", "x-rate-limit-remaining": "449"},
        body=body, sha256=hashlib.sha256(body).hexdigest(),
    )
    fields.update(overrides)
    return Exchange(**fields)


def read_back(data: bytes) -> list:
    out = []
    for record in ArchiveIterator(io.BytesIO(data), check_digests=True):
        out.append((record.rec_type, dict(record.rec_headers.headers), record.http_headers,
                    record.content_stream().read()))
        assert record.digest_checker.passed is not False, record.digest_checker.problems
    return out


def test_same_exchanges_give_identical_bytes_whatever_the_order():
    exchanges = [exchange(n) for n in range(4)]
    first = build_day_file("twitter", DAY, exchanges)
    again = build_day_file("twitter", DAY, list(reversed(exchanges)))
    assert first.data == again.data and first.sha256 == again.sha256
    other = build_day_file("twitter", DAY, exchanges[:3])
    assert other.sha256 != first.sha256


def test_records_read_back_exactly_and_never_hold_the_token():
    body = b'{"data":[{"id":"1","text":"caf\xc3\xa9 \\u0000 =cmd()"}],"meta":{}}'
    ex = exchange(1, body=body, headers={"Content-Type": "application/json",
                                          "Content-Encoding": "gzip", "content-length": "42"})
    warc = build_day_file("twitter", DAY, [ex])
    records = read_back(warc.data)
    assert [r[0] for r in records] == ["warcinfo", "response", "request", "metadata"]
    _, response_headers, http, payload = records[1]
    assert payload == body  # exact bytes
    assert http.get_statuscode() == "200"
    assert http.get_header("Content-Length") == str(len(body))
    assert http.get_header("X-Archive-Orig-Content-Encoding") == "gzip"
    assert http.get_header("Content-Encoding") is None
    assert response_headers["WARC-Target-URI"] == ex.request_url
    _, request_headers, request_http, _ = records[2]
    assert request_http.protocol == "GET"
    assert request_http.get_header("Authorization") is None
    assert request_headers["WARC-Concurrent-To"] == response_headers["WARC-Record-ID"]
    _, meta_headers, _, meta = records[3]
    assert meta_headers["WARC-Concurrent-To"] == response_headers["WARC-Record-ID"]
    meta = json.loads(meta)
    assert meta["account"] == "brent-council" and meta["raw_page_id"] == 1
    assert meta["request_params"] == ex.request_params and meta["body_sha256"] == ex.sha256
    assert b"Bearer" not in gzip.decompress(warc.data)
    # record offsets and lengths cover the file exactly
    assert sum(r.length for r in warc.records) == len(warc.data)


def test_warcio_check_passes(tmp_path):
    path = tmp_path / "day.warc.gz"
    path.write_bytes(build_day_file("twitter", DAY, [exchange(n) for n in range(3)]).data)
    done = subprocess.run([str(WARCIO), "check", "-v", str(path)], capture_output=True, text=True)
    assert done.returncode == 0, done.stdout + done.stderr
    assert done.stdout.count("digest pass") == 10  # warcinfo + 3 x (response, request, metadata)


def test_record_classes():
    assert record_class("users/1/mentions") == "mentions"
    assert record_class("users/1/tweets") == "own_posts"
    assert record_class("tweets/lookup") == "rechecks"
    assert record_class("tweets/search/recent") == "search"
    assert record_class("page/feed") == "other"


# ----------------------------------------------------------------------------- verify
def manifest(tmp_path, days: int = 2):
    import hashlib

    files, records, prev = [], [], None
    for position in range(1, days + 1):
        day = DAY + timedelta(days=position)
        warc = build_day_file("twitter", day, [exchange(10 * position + n) for n in range(2)])
        path = f"twitter/{day:%Y}/{day:%m}/twitter-{day}.warc.gz"
        (tmp_path / path).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / path).write_bytes(warc.data)
        files.append({"id": position, "path": path, "records": len(warc.records),
                      "bytes": len(warc.data), "sha256": warc.sha256, "prev_sha256": prev,
                      "chain_position": position, "expired_at": None})
        prev = hashlib.sha256(warc.data).hexdigest()
        records += [{"file_id": position, "record_index": r.index, "warc_record_id": r.warc_record_id,
                     "warc_type": r.warc_type, "byte_offset": r.offset, "byte_length": r.length,
                     "sha256": r.sha256} for r in warc.records]
    return files, records


def test_a_clean_archive_verifies(tmp_path):
    files, records = manifest(tmp_path)
    report = verify_manifest(files, records, tmp_path)
    assert report.ok, report.problems
    assert report.files == 2 and report.records == len(records)


def test_a_flipped_byte_names_the_file_and_record(tmp_path):
    files, records = manifest(tmp_path)
    target = next(r for r in records if r["file_id"] == 2 and r["record_index"] == 4)
    path = tmp_path / files[1]["path"]
    data = bytearray(path.read_bytes())
    data[target["byte_offset"] + target["byte_length"] // 2] ^= 0x01
    path.write_bytes(bytes(data))
    report = verify_manifest(files, records, tmp_path)
    named = [p for p in report.problems if p.record]
    assert [(p.path, p.record.split()[1]) for p in named] == [(files[1]["path"], target["warc_record_id"])]


def test_a_removed_record_is_named(tmp_path):
    files, records = manifest(tmp_path)
    target = next(r for r in records if r["file_id"] == 1 and r["record_index"] == 2)
    path = tmp_path / files[0]["path"]
    data = path.read_bytes()
    start, end = target["byte_offset"], target["byte_offset"] + target["byte_length"]
    path.write_bytes(data[:start] + data[end:])
    report = verify_manifest(files, records, tmp_path)
    assert not report.ok
    assert report.problems[0].path == files[0]["path"]
    assert target["warc_record_id"] in report.problems[0].record


def test_a_broken_chain_is_caught(tmp_path):
    files, records = manifest(tmp_path, days=3)
    files[2]["prev_sha256"] = "0" * 64
    report = verify_manifest(files, records, tmp_path)
    assert [p.path for p in report.problems] == [files[2]["path"]]
    assert "chain broken" in report.problems[0].message
    # a manifest row dropped from the middle breaks the chain too
    files, records = manifest(tmp_path / "b", days=3)
    report = verify_manifest([files[0], files[2]], records, tmp_path / "b")
    assert any("chain" in p.message for p in report.problems)


def test_a_stray_and_a_missing_file_are_caught(tmp_path):
    files, records = manifest(tmp_path)
    (tmp_path / files[0]["path"]).rename(tmp_path / "twitter" / "stray.warc.gz")
    report = verify_manifest(files, records, tmp_path)
    assert [(p.path, p.message) for p in report.problems] == [(files[0]["path"], "file is missing")]
    assert report.unlisted == ["twitter/stray.warc.gz"]


def test_the_databases_word_alone_cannot_expire_a_file(tmp_path):
    # Marking a row expired and deleting its file is the tamper of issue 24: without the
    # expiry event in an anchor log the missing file fails. (The anchored expiry that
    # passes is in tests/integration/test_archive_tamper.py.)
    files, records = manifest(tmp_path)
    (tmp_path / files[0]["path"]).unlink()
    files[0]["expired_at"] = T0
    report = verify_manifest(files, records, tmp_path)
    assert not report.ok
    assert any("no anchor log holds its expiry event" in str(p) for p in report.problems)


# ----------------------------------------------------------------------------- redaction
@pytest.fixture
def redactor():
    return Redactor(["Brent_Council"], ["154019375"],
                    {"77": ("resident77", "Ann Resident"), "154019375": ("Brent_Council", "Brent Council")})


def test_redaction_keeps_council_accounts_and_pseudonymises_people(redactor):
    doc = {"data": [{"id": "5", "author_id": "77", "in_reply_to_user_id": "154019375",
                     "text": "@Brent_Council @resident77 and Ann Resident say hi @stranger",
                     "entities": {"mentions": [{"start": 0, "end": 14, "username": "Brent_Council"},
                                               {"start": 15, "end": 26, "username": "resident77"}]}}],
           "includes": {"users": [
               {"id": "77", "username": "resident77", "name": "Ann Resident", "location": "Wembley"},
               {"id": "154019375", "username": "Brent_Council", "name": "Brent Council"}]}}
    out = redactor.json(doc)
    text = json.dumps(out)
    assert "resident77" not in text and "Ann Resident" not in text and "stranger" not in text
    assert "Wembley" not in text and '"77"' not in text
    tweet = out["data"][0]
    assert tweet["author_id"] == "person-1" and tweet["in_reply_to_user_id"] == "154019375"
    assert tweet["text"].startswith("@Brent_Council @[person-1] and [name redacted] say hi @[redacted]")
    assert out["includes"]["users"][1] == {"id": "154019375", "username": "Brent_Council",
                                           "name": "Brent Council"}
    assert out["includes"]["users"][0]["id"] == "person-1"
    assert redactor.handle("resident77") == "[person-1]"  # stable across the export


def test_redaction_works_across_platform_shapes(redactor):
    facebook = {"data": [{"id": "150_1", "message": "Thanks Ann Resident!",
                          "from": {"id": "77", "name": "Ann Resident"},
                          "comments": {"data": [{"id": "c1", "from": {"id": "154019375",
                                                                      "name": "Brent Council"}}]}}]}
    out = redactor.json(facebook)
    assert out["data"][0]["from"] == {"id": "person-1", "name": "[redacted]"}
    assert out["data"][0]["message"] == "Thanks [name redacted]!"
    assert out["data"][0]["comments"]["data"][0]["from"]["name"] == "Brent Council"
    rss = "<item><dc:creator>resident77</dc:creator><title>Bins, by Ann Resident</title></item>"
    assert redactor.text(rss) == ("<item><dc:creator>[person-1]</dc:creator>"
                                  "<title>Bins, by [name redacted]</title></item>")
    assert redactor.text("https://x.com/resident77/status/5") == "https://x.com/[person-1]/status/5"
