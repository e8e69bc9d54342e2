"""The archive's tamper suite: every way of damaging it is one FAIL line naming what changed.

Three files (three days) are written with the anchor log beside, not under, the
root; each test damages one thing, as an attacker with the database and the
archive root but not the anchor would.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import insert, text

from council_social.archive.anchor import mail_head, read_anchor
from council_social.archive.manifest import archive_day
from council_social.archive.verify import verify_archive
from council_social.cli import main
from council_social.store.tables import raw_pages

pytestmark = pytest.mark.postgres

DAYS = [date(2026, 11, 23), date(2026, 11, 24), date(2026, 11, 25)]


def land_page(engine, day: date, n: int) -> None:
    body = json.dumps({"data": [{"id": str(5000 + n), "text": f"missed bin {n}",
                                 "author_id": "77"}], "meta": {"result_count": 1}}).encode()
    at = datetime.combine(day, datetime.min.time(), tzinfo=UTC) + timedelta(hours=9, minutes=n)
    with engine.begin() as conn:
        conn.execute(insert(raw_pages).values(
            platform="twitter", account_key="brent-council", endpoint="users/1/mentions",
            request_url=f"http://127.0.0.1:8808/2/users/1/mentions?n={n}",
            request_params={"n": str(n)}, interval_start=at - timedelta(minutes=15),
            interval_end=at, page_number=0, fetched_at=at, status=200,
            headers={"content-type": "application/json"}, body=body,
            sha256=hashlib.sha256(body).hexdigest()))


@pytest.fixture
def archive(clean_db, tmp_path):
    """(engine, root, anchor, [paths]) of three chained, anchored files."""
    root, anchor = tmp_path / "archive", tmp_path / "anchor" / "anchor.log"
    root.mkdir()
    paths = []
    for n, day in enumerate(DAYS):
        land_page(clean_db, day, 2 * n)
        land_page(clean_db, day, 2 * n + 1)
        outcome = archive_day(clean_db, root, "twitter", day, datetime.now(UTC), anchor)
        paths.append(outcome.path)
    report = verify_archive(clean_db, root, anchor)
    assert report.ok and report.files == 3 and report.anchored == 3, report.problems
    return clean_db, root, anchor, paths


def sql(engine, statement: str, **params) -> list:
    with engine.begin() as conn:
        result = conn.execute(text(statement), params)
        return result.all() if result.returns_rows else []


def problems(engine, root, anchor) -> list[str]:
    return [str(p) for p in verify_archive(engine, root, anchor).problems]


def run_verify(capsys, database_url, monkeypatch, root, anchor) -> tuple[int, list[str], str]:
    monkeypatch.setenv("COUNCIL_SOCIAL_DATABASE_URL", database_url)
    code = main(["archive", "verify", "--root", str(root), "--anchor", str(anchor)])
    captured = capsys.readouterr()
    return code, captured.out.splitlines(), captured.err


def test_an_untouched_archive_verifies(archive, capsys, database_url, monkeypatch):
    engine, root, anchor, _ = archive
    code, out, err = run_verify(capsys, database_url, monkeypatch, root, anchor)
    assert code == 0 and out[-1].startswith("archive verified: 3 files") and "3 anchored" in out[-1]
    assert err == ""


def test_an_edited_record_digest_is_named(archive):
    engine, root, anchor, paths = archive
    sql(engine, "UPDATE social.archive_records SET sha256 = repeat('0', 64)"
                " WHERE record_index = 2 AND file_id = (SELECT id FROM social.archive_files"
                " WHERE chain_position = 2)")
    found = problems(engine, root, anchor)
    assert len(found) == 1 and found[0].startswith(f"{paths[1]} record 2 ")
    assert "bytes differ from the manifest" in found[0]


def test_an_edited_file_names_the_record(archive):
    engine, root, anchor, paths = archive
    offset, rid = sql(engine, "SELECT byte_offset, warc_record_id FROM social.archive_records"
                              " WHERE record_index = 3 AND file_id = (SELECT id FROM"
                              " social.archive_files WHERE chain_position = 1)")[0]
    target = root / paths[0]
    data = bytearray(target.read_bytes())
    data[offset + 10] ^= 0xFF
    target.write_bytes(bytes(data))
    found = problems(engine, root, anchor)
    assert any(p.startswith(f"{paths[0]} record 3 {rid}") for p in found)
    assert any("file sha256" in p for p in found)


@pytest.mark.parametrize("keep", [0.5, 0.0], ids=["truncated", "emptied"])
def test_a_truncated_or_emptied_file_is_cut_short(archive, keep):
    engine, root, anchor, paths = archive
    target = root / paths[1]
    data = target.read_bytes()
    target.write_bytes(data[:int(len(data) * keep)])
    found = problems(engine, root, anchor)
    assert any(p.startswith(f"{paths[1]} record") and "cut short or removed" in p for p in found)
    assert any(f"({int(len(data) * keep)} bytes) is not the manifest's" in p for p in found)
    assert all(p.startswith(paths[1]) for p in found)


def test_swapped_files_both_fail(archive):
    engine, root, anchor, paths = archive
    first, second = root / paths[0], root / paths[1]
    a, b = first.read_bytes(), second.read_bytes()
    first.write_bytes(b)
    second.write_bytes(a)
    found = problems(engine, root, anchor)
    assert {p.split(" ", 1)[0].rstrip(":") for p in found} == {paths[0], paths[1]}


def test_a_missing_middle_file(archive):
    engine, root, anchor, paths = archive
    (root / paths[1]).unlink()
    assert problems(engine, root, anchor) == [f"{paths[1]}: file is missing"]


def test_a_directory_in_place_of_a_file(archive):
    engine, root, anchor, paths = archive
    (root / paths[1]).unlink()
    (root / paths[1]).mkdir()
    found = problems(engine, root, anchor)
    assert found == [f"{paths[1]}: is a directory where the file should be"]


@pytest.mark.parametrize("target", ["/dev/zero", "inside"])
def test_a_symlink_is_never_followed(archive, target):
    engine, root, anchor, paths = archive
    newest = root / paths[2]
    newest.unlink()
    # /dev/zero would be read for ever; a link to another archive file would hash "fine".
    os.symlink(target if target.startswith("/") else root / paths[0], newest)
    found = problems(engine, root, anchor)
    assert found == [f"{paths[2]}: is a symbolic link, not a regular file; not followed"]


def test_a_symlinked_folder_out_of_the_root_is_refused(archive, tmp_path):
    engine, root, anchor, paths = archive
    folder = (root / paths[0]).parent
    outside = tmp_path / "elsewhere"
    shutil.move(folder, outside)
    os.symlink(outside, folder)
    found = problems(engine, root, anchor)
    assert found and all("resolves outside the archive root" in p for p in found)


@pytest.mark.parametrize("path", ["../../../../etc/passwd", "/etc/passwd", "twitter/../../x"])
def test_a_manifest_path_escaping_the_root_is_not_read(archive, path):
    engine, root, anchor, paths = archive
    sql(engine, "UPDATE social.archive_files SET path = :p WHERE chain_position = 2", p=path)
    found = problems(engine, root, anchor)
    assert f"{path}: path escapes the archive root; not read" in found
    # the anchor still knows the real name of position 2
    assert any(p.startswith(f"{paths[1]}: anchored at chain position 2") for p in found)


def test_cutting_off_the_newest_file_with_its_rows_fails(archive, capsys, database_url,
                                                         monkeypatch):
    engine, root, anchor, paths = archive
    (root / paths[2]).unlink()
    sql(engine, "DELETE FROM social.archive_records WHERE file_id = (SELECT id FROM"
                " social.archive_files WHERE chain_position = 3)")
    sql(engine, "DELETE FROM social.archive_files WHERE chain_position = 3")
    code, out, err = run_verify(capsys, database_url, monkeypatch, root, anchor)
    assert code == 1
    assert len(out) == 1 and out[0].startswith(f"FAIL {paths[2]}: anchored at chain position 3")
    assert "missing from the manifest" in out[0]
    assert len(err.splitlines()) == 1 and "1 problem(s)" in err

    # writing on over the cut does not hide it: position 3 now holds another hash
    land_page(engine, DAYS[2] + timedelta(days=1), 99)
    archive_day(engine, root, "twitter", DAYS[2] + timedelta(days=1), datetime.now(UTC), anchor)
    found = problems(engine, root, anchor)
    assert len(found) == 1 and "anchored at chain position 3 with sha256" in found[0]


def test_a_missing_or_damaged_anchor_fails(archive):
    engine, root, anchor, paths = archive
    good = anchor.read_bytes()
    anchor.write_bytes(good + b"{not json\n" + b"x" * 10_000 + b"\n")
    found = problems(engine, root, anchor)
    assert found == [f"{anchor}: anchor log: line 4 is not an anchor entry",
                     f"{anchor}: anchor log: line 5 is longer than 4096 bytes"]
    anchor.unlink()
    found = problems(engine, root, anchor)
    assert len(found) == 1 and "anchor log is missing" in found[0]


def test_each_problem_is_one_line_even_with_a_hostile_path(archive, capsys, database_url,
                                                          monkeypatch):
    engine, root, anchor, paths = archive
    sql(engine, "UPDATE social.archive_files SET path = :p WHERE chain_position = 1",
        p="a\nFAIL forged\r\u2028line.warc.gz")
    code, out, _ = run_verify(capsys, database_url, monkeypatch, root, anchor)
    assert code == 1 and all(line.startswith(("FAIL ", "WARN ")) for line in out)
    assert not any(line.startswith("FAIL forged") for line in out)


def test_a_crash_before_anchoring_is_caught_up_by_the_next_write(archive):
    engine, root, anchor, paths = archive
    day = DAYS[2] + timedelta(days=1)
    land_page(engine, day, 50)
    archive_day(engine, root, "twitter", day, datetime.now(UTC))  # no anchor: "crashed"
    report = verify_archive(engine, root, anchor)
    assert report.ok and len(report.unanchored) == 1
    archive_day(engine, root, "twitter", day, datetime.now(UTC), anchor)  # the rerun
    report = verify_archive(engine, root, anchor)
    assert report.ok and report.anchored == 4 and not report.unanchored


def test_the_head_is_mailed_once_a_day(archive):
    engine, root, anchor, paths = archive

    class Outbox:
        def __init__(self):
            self.sent = []

        def send_message(self, msg):
            self.sent.append(msg)

    outbox = Outbox()
    now = datetime.now(UTC)
    entry = mail_head(anchor, DAYS[2], "records@example.gov.uk", "ops@example.gov.uk", outbox, now)
    assert entry["position"] == 3 and len(outbox.sent) == 1
    body = outbox.sent[0].get_content()
    assert paths[2] in body and entry["sha256"] in body
    assert mail_head(anchor, DAYS[2], "records@example.gov.uk", "ops@example.gov.uk", outbox,
                     now) is None
    assert len(outbox.sent) == 1 and read_anchor(anchor).head["position"] == 3
    assert verify_archive(engine, root, anchor).ok
