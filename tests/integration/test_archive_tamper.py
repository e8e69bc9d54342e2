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


# --- issue 24: each tamper fails `archive verify` with the configured anchor and with a copy.

def verify_with(capsys, database_url, monkeypatch, root, anchor, copy=None):
    """`archive verify` with the configured (default) anchor, or with the log and a copy."""
    monkeypatch.setenv("COUNCIL_SOCIAL_DATABASE_URL", database_url)
    monkeypatch.setenv("COUNCIL_SOCIAL_ARCHIVE_ANCHOR", str(anchor))
    extra = ["--anchor", str(anchor), "--anchor", str(copy)] if copy else []
    code = main(["archive", "verify", "--root", str(root), *extra])
    captured = capsys.readouterr()
    return code, [line for line in captured.out.splitlines() if line.startswith("FAIL ")]


@pytest.fixture(params=["default", "copy"])
def copy(request, archive, tmp_path):
    """None (the configured anchor only), or an untouched copy of the anchor log."""
    if request.param == "default":
        return None
    kept = tmp_path / "records-officer" / "anchor-copy.log"
    kept.parent.mkdir()
    shutil.copy(archive[2], kept)
    return kept


def test_an_untouched_archive_verifies_with_a_copy(archive, copy, capsys, database_url,
                                                   monkeypatch):
    engine, root, anchor, _ = archive
    assert verify_with(capsys, database_url, monkeypatch, root, anchor, copy) == (0, [])


def test_expired_in_the_database_then_deleted_fails(archive, copy, capsys, database_url,
                                                    monkeypatch):
    engine, root, anchor, paths = archive
    sql(engine, "UPDATE social.archive_files SET expired_at = now() WHERE chain_position = 2")
    (root / paths[1]).unlink()
    code, fails = verify_with(capsys, database_url, monkeypatch, root, anchor, copy)
    assert code == 1 and len(fails) == 1
    assert fails[0].startswith(f"FAIL {paths[1]}: file is missing (the database marks it expired")


def test_expired_in_the_database_then_overwritten_fails(archive, copy, capsys, database_url,
                                                        monkeypatch):
    engine, root, anchor, paths = archive
    sql(engine, "UPDATE social.archive_files SET expired_at = now() WHERE chain_position = 2")
    target = root / paths[1]
    data = bytearray(target.read_bytes())
    data[len(data) // 2] ^= 0xFF
    target.write_bytes(bytes(data))
    code, fails = verify_with(capsys, database_url, monkeypatch, root, anchor, copy)
    assert code == 1 and fails and all(f.startswith(f"FAIL {paths[1]}") for f in fails)


def test_a_file_expired_by_retention_is_proved_gone_and_checked_until_then(archive, tmp_path):
    from council_social.archive.retention import expire_files
    from council_social.config.sections.archive import ArchiveRetention

    engine, root, anchor, paths = archive
    sql(engine, "UPDATE social.archive_files SET day = day - 3650 WHERE chain_position = 1")
    later = datetime.now(UTC) + timedelta(days=1)
    outcome = expire_files(engine, root, ArchiveRetention(default_years=1), later, anchor,
                           by="test run")
    assert [r["path"] for r in outcome.expired] == [paths[0]] and not (root / paths[0]).exists()
    [event] = read_anchor(anchor).expired.values()
    assert (event["position"], event["by"]) == (1, "test run") and "mentions 1y" in event["rule"]
    report = verify_archive(engine, root, anchor)
    assert report.ok and report.expired == 1, report.problems
    # back again, but changed: still checked (the event names the file's last sha256)
    (root / paths[0]).write_bytes(b"not the archived file")
    found = problems(engine, root, anchor)
    assert found and all(p.startswith(paths[0]) for p in found)


@pytest.mark.parametrize("path", ["../../../victim.txt", "twitter/../../victim.txt",
                                  "/tmp/victim.txt"])
def test_retention_never_leaves_the_root(archive, tmp_path, path):
    from council_social.archive.retention import RetentionError, expire_files
    from council_social.config.sections.archive import ArchiveRetention

    engine, root, anchor, paths = archive
    victim = tmp_path / "victim.txt"
    victim.write_text("not the archive's")
    escape = path.replace("/tmp/victim.txt", str(victim))
    # the database's word alone (expired_at) deletes nothing
    sql(engine, "UPDATE social.archive_files SET path = :p, expired_at = now()"
                " WHERE chain_position = 3", p=escape)
    expire_files(engine, root, ArchiveRetention(), datetime.now(UTC), anchor)
    assert victim.exists()
    # a file due for expiry whose path leaves the root stops the run, before anything is marked
    sql(engine, "UPDATE social.archive_files SET expired_at = NULL, day = day - 3650"
                " WHERE chain_position = 3")
    with pytest.raises(RetentionError) as stopped:
        expire_files(engine, root, ArchiveRetention(default_years=1),
                     datetime.now(UTC) + timedelta(days=1), anchor)
    assert "\n" not in str(stopped.value) and escape in str(stopped.value)
    assert victim.exists() and not read_anchor(anchor).expired
    assert sql(engine, "SELECT count(*) FROM social.retention_log")[0][0] == 0


def test_a_hold_placed_before_deletion_stops_the_run(archive):
    from council_social.archive.anchor import anchor_expiries
    from council_social.archive.repo import place_hold
    from council_social.archive.retention import RetentionError, delete_expired

    engine, root, anchor, paths = archive
    row = sql(engine, "SELECT chain_position, path, sha256, records, bytes FROM"
                      " social.archive_files WHERE chain_position = 1")[0]
    with engine.begin() as conn:  # expired, but the file not yet deleted (a crash between)
        anchor_expiries(conn, anchor, [dict(row._mapping, rule="test")], "test", datetime.now(UTC))
        place_hold(conn, "twitter", "5000", "complaint", "CMP-1")
    with pytest.raises(RetentionError, match="under legal hold"):
        delete_expired(engine, root, anchor)
    assert (root / paths[0]).exists()


def test_an_emptied_anchor_fails(archive, copy, capsys, database_url, monkeypatch):
    engine, root, anchor, paths = archive
    anchor.write_bytes(b"")
    code, fails = verify_with(capsys, database_url, monkeypatch, root, anchor, copy)
    assert code == 1 and len(fails) == 1
    assert fails[0].startswith(f"FAIL {anchor}: anchor log is empty, but 3 file(s)")


def test_a_shortened_anchor_fails(archive, copy, capsys, database_url, monkeypatch):
    engine, root, anchor, paths = archive
    anchor.write_bytes(b"".join(anchor.read_bytes().splitlines(keepends=True)[:2]))
    code, fails = verify_with(capsys, database_url, monkeypatch, root, anchor, copy)
    assert code == 1 and len(fails) == 1
    assert fails[0].startswith(f"FAIL {anchor}: anchor log has no line for chain position(s) 3")
    assert paths[2] in fails[0]


def test_a_rewritten_anchor_fails(archive, copy, capsys, database_url, monkeypatch):
    engine, root, anchor, paths = archive
    lines = anchor.read_bytes().splitlines(keepends=True)
    entry = json.loads(lines[1])
    entry["sha256"] = "0" * 64  # the middle line rewritten, its chain left as it was
    lines[1] = json.dumps(entry, sort_keys=True).encode() + b"\n"
    anchor.write_bytes(b"".join(lines))
    code, fails = verify_with(capsys, database_url, monkeypatch, root, anchor, copy)
    assert code == 1 and fails
    assert any(f.startswith(f"FAIL {anchor}: anchor log: line 3 does not follow") for f in fails)
    assert any(f.startswith(f"FAIL {paths[1]}:") for f in fails)


def test_a_consistently_rewritten_anchor_is_caught_by_the_copy(archive, tmp_path, capsys,
                                                               database_url, monkeypatch):
    """The whole log re-chained over a forged second file: only an untouched copy shows it."""
    from council_social.archive.anchor import _append

    engine, root, anchor, paths = archive
    kept = tmp_path / "anchor-copy.log"
    shutil.copy(anchor, kept)
    entries = [{k: v for k, v in json.loads(line).items() if k != "prev"}
               for line in anchor.read_bytes().splitlines()]
    entries[1]["sha256"] = "f" * 64
    sql(engine, "UPDATE social.archive_files SET sha256 = :s WHERE chain_position = 2", s="f" * 64)
    anchor.unlink()
    _append(anchor, entries)
    code, fails = verify_with(capsys, database_url, monkeypatch, root, anchor, kept)
    assert code == 1
    assert any(f.startswith(f"FAIL {paths[1]}: chain position 2 has sha256") and "rewritten" in f
               for f in fails)


def test_cutting_off_the_newest_file_with_its_anchor_lines_fails_with_a_copy(
        archive, tmp_path, capsys, database_url, monkeypatch):
    engine, root, anchor, paths = archive
    kept = tmp_path / "anchor-copy.log"
    shutil.copy(anchor, kept)
    (root / paths[2]).unlink()
    sql(engine, "DELETE FROM social.archive_records WHERE file_id = (SELECT id FROM"
                " social.archive_files WHERE chain_position = 3)")
    sql(engine, "DELETE FROM social.archive_files WHERE chain_position = 3")
    anchor.write_bytes(b"".join(anchor.read_bytes().splitlines(keepends=True)[:2]))
    code, fails = verify_with(capsys, database_url, monkeypatch, root, anchor, kept)
    assert code == 1 and len(fails) == 1
    assert fails[0].startswith(f"FAIL {paths[2]}: anchored at chain position 3")


def test_the_chain_head_email_is_an_anchor_source(archive, tmp_path, capsys, database_url,
                                                  monkeypatch):
    engine, root, anchor, paths = archive

    class Outbox:
        sent: list = []

        def send_message(self, msg):
            self.sent.append(msg)

    mail_head(anchor, DAYS[2], "records@example.gov.uk", "ops@example.gov.uk", Outbox(),
              datetime.now(UTC))
    eml = tmp_path / "head.eml"
    eml.write_bytes(bytes(Outbox.sent[-1]))
    assert verify_with(capsys, database_url, monkeypatch, root, anchor, eml) == (0, [])
    # the log cut back to two files and the third's rows gone: the e-mail still says 3
    (root / paths[2]).unlink()
    sql(engine, "DELETE FROM social.archive_records WHERE file_id = (SELECT id FROM"
                " social.archive_files WHERE chain_position = 3)")
    sql(engine, "DELETE FROM social.archive_files WHERE chain_position = 3")
    anchor.write_bytes(b"".join(anchor.read_bytes().splitlines(keepends=True)[:2]))
    code, fails = verify_with(capsys, database_url, monkeypatch, root, anchor, eml)
    assert code == 1 and len(fails) == 1 and fails[0].startswith(f"FAIL {paths[2]}: anchored")


@pytest.mark.parametrize("which", ["middle", "last"])
def test_a_deleted_record_row_with_a_lowered_count_fails(archive, copy, capsys, database_url,
                                                         monkeypatch, which):
    engine, root, anchor, paths = archive
    index = 4 if which == "middle" else 6
    rid = sql(engine, "SELECT warc_record_id FROM social.archive_records WHERE record_index = :i"
                      " AND file_id = (SELECT id FROM social.archive_files WHERE chain_position = 2)",
              i=index)[0][0]
    sql(engine, "DELETE FROM social.archive_records WHERE record_index = :i AND file_id ="
                " (SELECT id FROM social.archive_files WHERE chain_position = 2)", i=index)
    sql(engine, "UPDATE social.archive_files SET records = records - 1 WHERE chain_position = 2")
    code, fails = verify_with(capsys, database_url, monkeypatch, root, anchor, copy)
    assert code == 1 and len(fails) == 1
    assert fails[0].startswith(f"FAIL {paths[1]} record {index} {rid}")
    assert "has no manifest row" in fails[0] and "the file holds 7; anchored with 7" in fails[0]


@pytest.mark.parametrize("kind", ["fifo", "dev-zero", "link-to-dev-zero"])
def test_an_anchor_that_is_not_a_regular_file_is_refused_at_once(archive, tmp_path, capsys,
                                                                 database_url, monkeypatch, kind):
    import time

    engine, root, anchor, paths = archive
    odd = tmp_path / "odd-anchor"
    if kind == "fifo":
        os.mkfifo(odd)
    elif kind == "link-to-dev-zero":
        os.symlink("/dev/zero", odd)
    else:
        odd = "/dev/zero"
    for sources in ([odd], [anchor, odd]):
        monkeypatch.setenv("COUNCIL_SOCIAL_DATABASE_URL", database_url)
        args = [a for s in sources for a in ("--anchor", str(s))]
        started = time.monotonic()
        code = main(["archive", "verify", "--root", str(root), *args])
        elapsed = time.monotonic() - started
        fails = [line for line in capsys.readouterr().out.splitlines() if line.startswith("FAIL")]
        assert code == 1 and elapsed < 10
        assert fails == [f"FAIL {odd}: anchor log: {odd} is not a regular file; not read"]
    # nor does the archive run append to one (a FIFO would block for ever)
    from council_social.archive.anchor import AnchorError

    land_page(engine, DAYS[2] + timedelta(days=1), 70)
    with pytest.raises(AnchorError, match="not a regular file"):
        archive_day(engine, root, "twitter", DAYS[2] + timedelta(days=1), datetime.now(UTC), odd)


@pytest.fixture
def exported(clean_db, config, simulator, tmp_path, monkeypatch, database_url):
    """Ingested items archived (root and anchor configured), then a raw page forged."""
    from tests.conftest import SIM_NOW
    from tests.integration.test_archive import DAY, land

    root, anchor = tmp_path / "archive", tmp_path / "anchor" / "anchor.log"
    monkeypatch.setenv("COUNCIL_SOCIAL_DATABASE_URL", database_url)
    monkeypatch.setenv("COUNCIL_SOCIAL_ARCHIVE_ROOT", str(root))
    monkeypatch.setenv("COUNCIL_SOCIAL_ARCHIVE_ANCHOR", str(anchor))
    land(clean_db, config, simulator)
    written = archive_day(clean_db, root, "twitter", DAY, SIM_NOW, anchor)
    sql(clean_db, "UPDATE social.raw_pages SET body = convert_to(replace(convert_from(body,"
                  " 'UTF8'), '\"text\":\"', '\"text\":\"FORGED '), 'UTF8')")
    assert sql(clean_db, "SELECT count(*) FROM social.raw_pages WHERE position('FORGED' in"
                         " convert_from(body, 'UTF8')) > 0")[0][0] > 0
    return clean_db, root, anchor, written, DAY


def export_args(day, out) -> list[str]:
    return ["archive", "export", "--from", str(day - timedelta(days=1)), "--to", str(day),
            "--query", "bin", str(out)]


def test_a_forged_raw_page_never_reaches_a_bundle(exported, tmp_path, capsys):
    import io
    import zipfile

    from warcio.archiveiterator import ArchiveIterator

    engine, root, anchor, written, day = exported
    out = tmp_path / "foi.zip"
    assert main(export_args(day, out)) == 0
    with zipfile.ZipFile(out) as bundle:
        warc = bundle.read("records.warc.gz")
        manifest = json.loads(bundle.read("manifest.json"))
    payloads = b"".join(r.content_stream().read() for r in ArchiveIterator(io.BytesIO(warc)))
    assert payloads and b"FORGED" not in payloads
    # every record is the archive file's own bytes, at the offset and chain position it names
    archived = (root / written.path).read_bytes()
    rows = {r[0]: r[1:] for r in sql(engine, "SELECT warc_record_id, byte_offset, byte_length"
                                             " FROM social.archive_records")}
    assert manifest["records"] and not manifest["not_archived"]["raw_page_ids"]
    for entry in manifest["records"]:
        offset, length = rows[entry["warc_record_id"]]
        assert warc[entry["offset"]:entry["offset"] + entry["bytes"]] == archived[offset:offset + length]
        assert (entry["file"], entry["chain_position"], entry["file_sha256"]) == (
            written.path, 1, written.sha256)
    capsys.readouterr()

    # verify-bundle: no database, with and without the anchor
    monkeypatch_db = os.environ.pop("COUNCIL_SOCIAL_DATABASE_URL")
    try:
        assert main(["archive", "verify-bundle", str(out), "--anchor", str(anchor)]) == 0
        assert capsys.readouterr().out.startswith("bundle verified: 4 files and ")
        # one byte changed in one record, the zip rebuilt so only the digest can tell
        changed = tmp_path / "changed.zip"
        entry = manifest["records"][3]
        at = entry["offset"] + entry["bytes"] // 2
        with zipfile.ZipFile(out) as src, zipfile.ZipFile(changed, "w") as dst:
            for info in src.infolist():
                data = src.read(info)
                if info.filename == "records.warc.gz":
                    data = data[:at] + bytes([data[at] ^ 1]) + data[at + 1:]
                dst.writestr(info, data)
        assert main(["archive", "verify-bundle", str(changed)]) == 1
        fails = [line for line in capsys.readouterr().out.splitlines() if line.startswith("FAIL")]
        assert f"FAIL records.warc.gz record 3 {entry['warc_record_id']}: sha256" in "\n".join(fails)
        assert any(f.startswith("FAIL records.warc.gz: sha256") for f in fails)
        # a byte flipped in the zip file itself
        raw = bytearray(out.read_bytes())
        raw[len(raw) // 3] ^= 0xFF
        flipped = tmp_path / "flipped.zip"
        flipped.write_bytes(bytes(raw))
        assert main(["archive", "verify-bundle", str(flipped)]) in (1, 2)
        # a FIFO is refused, not read
        fifo = tmp_path / "bundle.zip"
        os.mkfifo(fifo)
        assert main(["archive", "verify-bundle", str(fifo)]) == 2
        assert "not a regular file" in capsys.readouterr().err
    finally:
        os.environ["COUNCIL_SOCIAL_DATABASE_URL"] = monkeypatch_db


def test_a_bundle_is_refused_from_an_archive_that_does_not_verify(exported, tmp_path, capsys):
    engine, root, anchor, written, day = exported
    target = root / written.path
    target.write_bytes(target.read_bytes()[:-20])
    out = tmp_path / "foi.zip"
    assert main(export_args(day, out)) == 1
    err = capsys.readouterr().err
    assert len(err.splitlines()) == 1 and "export refused" in err and written.path in err
    assert not out.exists()


def test_verify_bundle_checks_the_sources_against_the_anchor(exported, tmp_path, capsys):
    engine, root, anchor, written, day = exported
    out = tmp_path / "foi.zip"
    assert main(export_args(day, out)) == 0
    other = tmp_path / "other-anchor.log"
    line = json.loads(anchor.read_bytes().splitlines()[0])
    other.write_text(json.dumps({**line, "sha256": "0" * 64, "prev": None}) + "\n")
    capsys.readouterr()
    assert main(["archive", "verify-bundle", str(out), "--anchor", str(other)]) == 1
    fails = [x for x in capsys.readouterr().out.splitlines() if x.startswith("FAIL")]
    assert fails == [f"FAIL {written.path}: the bundle says chain position 1 is {written.path}"
                     f" with sha256 {written.sha256}; the anchor has {written.path} with {'0' * 64}"]
