"""archive/verify.py rule by rule, without a database: the manifest rows are dicts, the files
are written under tmp_path, the anchor sources are AnchorLog values. Each test pins one
message or count, so a changed comparison or a dropped check fails here."""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest

from council_social.archive import repo, verify
from council_social.archive.anchor import AnchorLog
from council_social.archive.verify import (
    Problem,
    VerifyReport,
    anchor_sources,
    check_anchor,
    verify_archive,
    verify_configured,
    verify_files,
    verify_manifest,
)
from council_social.archive.writer import Exchange, build_day_file

DAY = date(2026, 11, 25)
T0 = datetime(2026, 11, 25, 9, 0, tzinfo=UTC)


def exchange(n: int) -> Exchange:
    body = json.dumps({"data": [{"id": str(1000 + n), "text": f"missed bin {n}"}]}).encode()
    return Exchange(
        id=n, platform="twitter", account_key="brent-council", endpoint="users/1/mentions",
        request_url=f"http://127.0.0.1:8808/2/users/1/mentions?n={n}",
        request_params={"n": str(n)}, interval_start=T0 - timedelta(minutes=15),
        interval_end=T0, page_number=0, fetched_at=T0 + timedelta(minutes=n), status=200,
        headers={"content-type": "application/json"}, body=body,
        sha256=hashlib.sha256(body).hexdigest())


def manifest(root: Path, days: int = 2, pages: int = 2) -> tuple[list[dict], list[dict]]:
    """`days` chained files under `root` and their manifest rows (as the repo returns them)."""
    files, records, prev = [], [], None
    for position in range(1, days + 1):
        day = DAY + timedelta(days=position)
        warc = build_day_file("twitter", day, [exchange(10 * position + n) for n in range(pages)])
        path = f"twitter/{day:%Y}/twitter-{day}.warc.gz"
        (root / path).parent.mkdir(parents=True, exist_ok=True)
        (root / path).write_bytes(warc.data)
        files.append({"id": position, "path": path, "records": len(warc.records),
                      "bytes": len(warc.data), "sha256": warc.sha256, "prev_sha256": prev,
                      "chain_position": position, "expired_at": None, "anchored_at": None})
        prev = warc.sha256
        records += [{"file_id": position, "record_index": r.index,
                     "warc_record_id": r.warc_record_id, "warc_type": r.warc_type,
                     "byte_offset": r.offset, "byte_length": r.length, "sha256": r.sha256}
                    for r in warc.records]
    return files, records


def entry(row: dict, **extra) -> dict:
    return {"position": row["chain_position"], "path": row["path"], "sha256": row["sha256"],
            "records": row["records"], "bytes": row["bytes"], **extra}


def anchor_log(path: Path, *rows: dict, kind: str = "log", **fields) -> AnchorLog:
    return AnchorLog(path=path, kind=kind, exists=True,
                     entries={r["chain_position"]: entry(r) for r in rows}, **fields)


def messages(report: VerifyReport) -> list[str]:
    return [str(p) for p in report.problems]


# --- problems as lines -------------------------------------------------------------------


def test_a_problem_is_one_line_whatever_the_path_holds():
    hostile = "a\nb\rc\x00d\x1fe\x7ff\u2028g\u2029h i"
    assert str(Problem(hostile, "bad")) == r"a\nb\rc\x00d\x1fe\x7ff\u2028g\u2029h i: bad"
    assert str(Problem("p", "bad", "3 <urn:x> (response)")) == "p record 3 <urn:x> (response): bad"
    assert VerifyReport(root="r").ok
    assert not VerifyReport(root="r", problems=[Problem("p", "m")]).ok


def test_anchor_sources_are_one_path_or_several_without_repeats(tmp_path):
    assert anchor_sources(None) == []
    assert anchor_sources("a.log") == [Path("a.log")]
    assert anchor_sources(tmp_path / "a.log") == [tmp_path / "a.log"]
    assert anchor_sources(["a.log", "b.eml", "a.log", Path("c")]) == [
        Path("a.log"), Path("b.eml"), Path("c")]


# --- the chain ---------------------------------------------------------------------------


def test_the_chain_starts_at_position_one_with_no_previous_hash(tmp_path):
    files, records = manifest(tmp_path, days=1)
    files[0]["chain_position"] = 2
    files[0]["prev_sha256"] = "f" * 64
    assert messages(verify_manifest(files, records, tmp_path)) == [
        f"{files[0]['path']}: chain position 2, expected 1: a manifest row is missing",
        f"{files[0]['path']}: chain broken: prev_sha256 {'f' * 64} is not the sha256 None of "
        "(start of chain)"]


def test_a_row_missing_from_the_middle_names_the_position_expected(tmp_path):
    files, records = manifest(tmp_path, days=3)
    report = verify_manifest([files[0], files[2]], records, tmp_path)
    assert messages(report)[0] == (
        f"{files[2]['path']}: chain position 3, expected 2: a manifest row is missing")
    assert messages(report)[1] == (
        f"{files[2]['path']}: chain broken: prev_sha256 {files[1]['sha256']} is not the sha256 "
        f"{files[0]['sha256']} of {files[0]['path']}")
    assert report.files == 2 and report.records == 2 * files[0]["records"]


def test_rows_are_checked_in_chain_order_whatever_order_they_come_in(tmp_path):
    files, records = manifest(tmp_path, days=3)
    report = verify_manifest(list(reversed(files)), list(reversed(records)), tmp_path)
    assert report.ok, messages(report)
    assert report.bytes == sum(f["bytes"] for f in files)


# --- files and records -------------------------------------------------------------------


def test_counts_of_a_clean_archive(tmp_path):
    files, records = manifest(tmp_path, days=2, pages=3)
    report = verify_manifest(files, records, tmp_path)
    assert report.ok
    assert (report.files, report.records, report.bytes, report.expired) == (
        2, len(records), sum(f["bytes"] for f in files), 0)
    assert report.root == str(tmp_path) and report.unlisted == [] and report.unanchored == []


def test_a_changed_record_says_whether_it_was_cut_short_or_altered(tmp_path):
    files, records = manifest(tmp_path, days=1)
    last = max((r for r in records), key=lambda r: r["record_index"])
    path = tmp_path / files[0]["path"]
    data = path.read_bytes()
    path.write_bytes(data[:last["byte_offset"] + last["byte_length"] - 1])
    cut = verify_manifest(files, records, tmp_path)
    assert f"{files[0]['path']} record {last['record_index']} {last['warc_record_id']} " \
           f"({last['warc_type']}): sha256 mismatch (cut short or removed)" in messages(cut)
    altered = bytearray(data)
    altered[last["byte_offset"] + 1] ^= 0x01
    path.write_bytes(bytes(altered))
    report = verify_manifest(files, records, tmp_path)
    assert messages(report)[0] == (
        f"{files[0]['path']} record {last['record_index']} {last['warc_record_id']} "
        f"({last['warc_type']}): sha256 mismatch (bytes differ from the manifest)")
    whole = hashlib.sha256(bytes(altered)).hexdigest()
    assert messages(report)[1] == (
        f"{files[0]['path']}: file sha256 {whole} ({len(data)} bytes) is not the manifest's "
        f"{files[0]['sha256']} ({files[0]['bytes']} bytes)")


def test_a_file_of_another_size_is_not_hashed(tmp_path):
    files, records = manifest(tmp_path, days=1)
    files[0]["bytes"] += 1
    assert messages(verify_manifest(files, records, tmp_path)) == [
        f"{files[0]['path']}: file sha256 (not computed) ({files[0]['bytes'] - 1} bytes) is not "
        f"the manifest's {files[0]['sha256']} ({files[0]['bytes']} bytes)"]


def test_only_the_file_hash_wrong_is_one_problem(tmp_path):
    files, records = manifest(tmp_path, days=1)
    files[0]["sha256"] = "0" * 64
    whole = hashlib.sha256((tmp_path / files[0]["path"]).read_bytes()).hexdigest()
    assert messages(verify_manifest(files, records, tmp_path)) == [
        f"{files[0]['path']}: file sha256 {whole} ({files[0]['bytes']} bytes) is not the "
        f"manifest's {'0' * 64} ({files[0]['bytes']} bytes)"]


def test_a_record_longer_than_a_read_chunk_is_hashed_whole(tmp_path, monkeypatch):
    monkeypatch.setattr(verify, "CHUNK", 7)
    files, records = manifest(tmp_path, days=1)
    assert verify_manifest(files, records, tmp_path).ok
    records[1] = {**records[1], "sha256": "0" * 64}
    assert [p.record.split()[0] for p in verify_manifest(files, records, tmp_path).problems] == [
        str(records[1]["record_index"])]


def test_a_deleted_record_row_is_found_in_the_file_and_named(tmp_path):
    files, records = manifest(tmp_path, days=1, pages=2)
    mine = [r for r in records if r["file_id"] == 1]
    gone = mine[2]
    kept = [r for r in records if r is not gone]
    report = verify_manifest(files, kept, tmp_path)
    counts = (f"the manifest row says {files[0]['records']} records, lists {len(kept)}, and the "
              f"file holds {len(mine)}")
    assert messages(report) == [
        f"{files[0]['path']} record {gone['record_index']} {gone['warc_record_id']} "
        f"({gone['warc_type']}): in the file (bytes {gone['byte_offset']}-"
        f"{gone['byte_offset'] + gone['byte_length']}) but has no manifest row: {counts}"]


def test_two_deleted_rows_in_one_gap_are_each_named_and_the_counts_said_once(tmp_path):
    files, records = manifest(tmp_path, days=1, pages=2)
    gone = records[1:3]
    kept = [records[0]] + records[3:]
    found = [p for p in verify_manifest(files, kept, tmp_path).problems]
    assert [p.record.split()[:2] for p in found] == [
        [str(g["record_index"]), g["warc_record_id"]] for g in gone]
    assert ": the manifest row says" in found[0].message
    assert ": the manifest row says" not in found[1].message
    assert found[1].message == (f"in the file (bytes {gone[0]['byte_offset']}-"
                                f"{gone[1]['byte_offset'] + gone[1]['byte_length']}) but has no "
                                "manifest row")


def test_the_last_record_row_deleted_is_found_after_the_others(tmp_path):
    files, records = manifest(tmp_path, days=1)
    last = records[-1]
    report = verify_manifest(files, records[:-1], tmp_path)
    assert [p.record for p in report.problems] == [
        f"{last['record_index']} {last['warc_record_id']} ({last['warc_type']})"]
    assert f"(bytes {last['byte_offset']}-{files[0]['bytes']})" in report.problems[0].message


def test_bytes_that_are_not_records_are_reported_by_size_and_place(tmp_path):
    files, records = manifest(tmp_path, days=1)
    path = tmp_path / files[0]["path"]
    path.write_bytes(path.read_bytes() + b"junk!")
    assert (f"{files[0]['path']}: 5 unexpected bytes after the last record"
            in messages(verify_manifest(files, records, tmp_path)))
    first = records[0]
    shifted = [{**r, "byte_offset": r["byte_offset"] + 3} for r in records]
    data = (tmp_path / files[0]["path"]).read_bytes()[:-5]
    path.write_bytes(b"abc" + data)
    files[0] = {**files[0], "bytes": len(data) + 3,
                "sha256": hashlib.sha256(b"abc" + data).hexdigest()}
    report = verify_manifest(files, shifted, tmp_path)
    assert messages(report) == [f"{files[0]['path']}: 3 unexpected bytes at 0"]
    assert first["byte_offset"] == 0


def test_a_gap_too_big_to_parse_is_reported_by_size(tmp_path, monkeypatch):
    monkeypatch.setattr(verify, "_GAP_PARSE_LIMIT", 10)
    files, records = manifest(tmp_path, days=1)
    gone = records[-1]
    report = verify_manifest(files, records[:-1], tmp_path)
    assert messages(report)[0] == (
        f"{files[0]['path']}: {gone['byte_length']} unexpected bytes after the last record")
    monkeypatch.setattr(verify, "_GAP_PARSE_LIMIT", gone["byte_length"])
    assert verify_manifest(files, records[:-1], tmp_path).problems[0].record is not None


def test_a_lowered_record_count_with_no_row_missing(tmp_path):
    files, records = manifest(tmp_path, days=1)
    files[0]["records"] -= 1
    assert messages(verify_manifest(files, records, tmp_path)) == [
        f"{files[0]['path']}: record count differs: the manifest row says "
        f"{files[0]['records']} records, lists {len(records)}, and the file holds {len(records)}"]


def test_the_anchored_record_count_is_checked_too(tmp_path):
    files, records = manifest(tmp_path, days=1)
    log = anchor_log(tmp_path / "anchor.log", files[0])
    log.entries[1]["records"] = files[0]["records"] + 1
    assert messages(verify_manifest(files, records, tmp_path, [log])) == [
        f"{files[0]['path']}: record count differs: the manifest row says {files[0]['records']} "
        f"records, lists {len(records)}, and the file holds {len(records)}; anchored with "
        f"{files[0]['records'] + 1}"]
    log.entries[1]["records"] = files[0]["records"]
    assert verify_manifest(files, records, tmp_path, [log]).ok


# --- what is read, and what is refused ---------------------------------------------------


def test_a_missing_file_and_the_databases_unproved_expiry(tmp_path):
    files, records = manifest(tmp_path, days=2)
    (tmp_path / files[0]["path"]).unlink()
    assert messages(verify_manifest(files, records, tmp_path)) == [
        f"{files[0]['path']}: file is missing"]
    files[0]["expired_at"] = T0
    assert messages(verify_manifest(files, records, tmp_path)) == [
        f"{files[0]['path']}: file is missing (the database marks it expired at {T0}, but no "
        "anchor log holds its expiry event)"]


@pytest.mark.parametrize("path", ["", "/etc/passwd", "../outside.warc.gz", "a/../../b",
                                  "twitter\\x.warc.gz", "a\x00b"])
def test_a_path_that_escapes_the_root_is_not_read(tmp_path, path):
    files, records = manifest(tmp_path, days=1)
    files[0]["path"] = path
    assert [p.message for p in verify_manifest(files, records, tmp_path).problems] == [
        "path escapes the archive root; not read"]


def test_a_symlink_a_directory_and_a_fifo_are_refused(tmp_path):
    files, records = manifest(tmp_path, days=3)
    first, second, third = (tmp_path / f["path"] for f in files)
    moved = tmp_path / "elsewhere.bin"
    first.rename(moved)
    first.symlink_to(moved)
    second.unlink()
    second.mkdir()
    third.unlink()
    os.mkfifo(third)
    assert [p.message for p in verify_manifest(files, records, tmp_path).problems] == [
        "is a symbolic link, not a regular file; not followed",
        "is a directory where the file should be",
        "is not a regular file where the file should be"]


def test_a_folder_linked_out_of_the_root_is_refused(tmp_path):
    root, outside = tmp_path / "root", tmp_path / "outside"
    root.mkdir()
    files, records = manifest(outside, days=1)
    (root / "twitter").symlink_to(outside / "twitter")
    assert [p.message for p in verify_manifest(files, records, root).problems] == [
        "resolves outside the archive root; not read"]


def test_a_symlink_loop_is_refused(tmp_path):
    files, records = manifest(tmp_path, days=1)
    target = tmp_path / files[0]["path"]
    target.unlink()
    target.symlink_to(target)
    assert [p.message for p in verify_manifest(files, records, tmp_path).problems] == [
        "is a symbolic link, not a regular file; not followed"]


def test_a_path_the_system_cannot_open_says_why(tmp_path):
    files, records = manifest(tmp_path, days=1)
    files[0]["path"] = "twitter/" + "x" * 300 + ".warc.gz"
    assert [(p.path, p.message) for p in verify_manifest(files, records, tmp_path).problems] == [
        (files[0]["path"], "cannot be read: File name too long")]


def test_an_object_storage_root_is_read_without_following_links(tmp_path):
    from upath import UPath

    root = UPath(f"memory://verify-{os.getpid()}-{id(tmp_path)}")
    files, records = manifest(tmp_path, days=2)
    for row in files:
        (root / row["path"]).write_bytes((tmp_path / row["path"]).read_bytes())
    assert verify_manifest(files, records, root).ok
    (root / files[1]["path"]).unlink()
    (root / files[1]["path"]).mkdir(parents=True)
    (root / files[1]["path"] / "x").write_bytes(b"x")
    (root / files[0]["path"]).unlink()
    assert [(p.path, p.message) for p in verify_manifest(files, records, root).problems] == [
        (files[0]["path"], "file is missing"),
        (files[1]["path"], "not a regular file (a directory or something else in its place)")]


def test_unlisted_files_are_listed_not_failed_and_a_missing_root_has_none(tmp_path):
    files, records = manifest(tmp_path, days=1)
    (tmp_path / "twitter" / "extra.warc.gz").write_bytes(b"x")
    (tmp_path / "twitter" / "notes.txt").write_bytes(b"x")
    report = verify_manifest(files, records, tmp_path)
    assert report.ok and report.unlisted == ["twitter/extra.warc.gz"]
    assert verify_manifest([], [], tmp_path / "none").unlisted == []


# --- the anchor --------------------------------------------------------------------------


def test_an_anchored_archive_verifies_and_counts_what_the_anchor_holds(tmp_path):
    files, records = manifest(tmp_path, days=3)
    log = anchor_log(tmp_path / "anchor.log", *files[:2])
    report = verify_manifest(files, records, tmp_path, [log])
    assert report.ok, messages(report)
    assert report.anchored == 2 and report.anchors == [str(tmp_path / "anchor.log")]
    assert report.unanchored == [files[2]["path"]]
    files[2]["anchored_at"] = T0  # marked anchored, but the log has no line: shortened
    assert not verify_manifest(files, records, tmp_path, [log]).ok


def test_a_missing_anchor_log_fails_only_when_there_are_files(tmp_path):
    files, records = manifest(tmp_path, days=2)
    missing = AnchorLog(path=tmp_path / "anchor.log")
    assert messages(verify_manifest(files, records, tmp_path, [missing])) == [
        f"{tmp_path / 'anchor.log'}: anchor log is missing, so the manifest's 2 files cannot be "
        "confirmed complete (see README, Archive)"]
    assert verify_manifest([], [], tmp_path / "empty", [missing]).ok


def test_a_refused_anchor_is_its_own_one_problem(tmp_path):
    files, records = manifest(tmp_path, days=1)
    refused = AnchorLog(path=tmp_path / "fifo", exists=True, refused=True,
                        problems=["fifo is not a regular file; not read"],
                        entries={9: {"position": 9, "sha256": "x", "path": "p"}})
    assert messages(verify_manifest(files, records, tmp_path, [refused])) == [
        f"{tmp_path / 'fifo'}: anchor log: fifo is not a regular file; not read"]


def test_source_problems_say_whether_a_log_or_an_email(tmp_path):
    files, records = manifest(tmp_path, days=1)
    log = anchor_log(tmp_path / "a.log", files[0], problems=["line 2 is not an anchor entry"])
    mail = anchor_log(tmp_path / "head.eml", files[0], kind="email",
                      problems=["not a chain-head e-mail"])
    report = verify_manifest(files, records, tmp_path, [log, mail])
    assert messages(report) == [
        f"{tmp_path / 'a.log'}: anchor log: line 2 is not an anchor entry",
        f"{tmp_path / 'head.eml'}: anchor e-mail: not a chain-head e-mail"]
    assert report.anchors == [str(tmp_path / "a.log"), str(tmp_path / "head.eml")]


def test_an_anchored_file_missing_from_the_manifest(tmp_path):
    files, records = manifest(tmp_path, days=2)
    log = anchor_log(tmp_path / "a.log", *files)
    log.entries[2]["anchored_at"] = "2026-11-27T00:10:00+00:00"
    report = verify_manifest(files[:1], records, tmp_path, [log])
    assert messages(report) == [
        f"{files[1]['path']}: anchored at chain position 2 (sha256 {files[1]['sha256']}, "
        f"2026-11-27T00:10:00+00:00, in {tmp_path / 'a.log'}) but missing from the manifest: the "
        "archive was cut off or rows were deleted"]
    mail = anchor_log(tmp_path / "h.eml", files[1], kind="email")
    mail.entries[2]["day"] = "2026-11-27"
    assert "(sha256 " + files[1]["sha256"] + ", 2026-11-27, in " in messages(
        verify_manifest(files[:1], records, tmp_path, [anchor_log(tmp_path / "a.log", files[0]),
                                                        mail]))[0]


@pytest.mark.parametrize("field", ["sha256", "path"])
def test_an_anchored_file_changed_in_the_manifest(tmp_path, field):
    files, records = manifest(tmp_path, days=2)
    log = anchor_log(tmp_path / "a.log", *files)
    anchored = dict(log.entries[2])
    changed = {**files[1], field: "twitter/other.warc.gz" if field == "path" else "0" * 64}
    report = verify_manifest([files[0], changed], records, tmp_path, [log])
    assert messages(report)[0] == (
        f"{anchored['path']}: anchored at chain position 2 with sha256 {anchored['sha256']}, but "
        f"the manifest has {changed['path']} with sha256 {changed['sha256']} there")
    # a mismatch is one line, not also a record-count line from the anchor's entry
    log.entries[2]["records"] = 99
    assert not any("anchored with 99" in m
                   for m in messages(verify_manifest([files[0], changed], records, tmp_path, [log])))


def test_two_sources_that_disagree_are_one_problem_per_position(tmp_path):
    files, records = manifest(tmp_path, days=2)
    log = anchor_log(tmp_path / "a.log", *files)
    copy = anchor_log(tmp_path / "b.log", *files)
    third = anchor_log(tmp_path / "c.log", *files)
    copy.entries[2] = {**copy.entries[2], "sha256": "1" * 64}
    third.entries[2] = {**third.entries[2], "sha256": "2" * 64}
    report = verify_manifest(files, records, tmp_path, [log, copy, third])
    assert messages(report) == [
        f"{files[1]['path']}: chain position 2 has sha256 {files[1]['sha256']} in "
        f"{tmp_path / 'a.log'} but {'1' * 64} in {tmp_path / 'b.log'}: an anchor source was "
        "rewritten"]
    assert report.anchored == 2


def test_the_first_source_holding_a_position_is_the_one_compared(tmp_path):
    files, records = manifest(tmp_path, days=2)
    log = anchor_log(tmp_path / "a.log", files[0])
    copy = anchor_log(tmp_path / "b.log", *files)
    report = verify_manifest(files, records, tmp_path, [log, copy])
    # the copy holds position 2 and the log, below its head... does not: it was shortened
    assert report.anchored == 2
    assert messages(report) == [
        f"{tmp_path / 'a.log'}: anchor log has no line for chain position(s) 2, but 1 file(s) "
        f"were anchored there ({files[1]['path']}): the log was emptied, shortened or lines "
        "were removed"]


def test_an_emptied_log_names_the_files_it_held(tmp_path):
    files, records = manifest(tmp_path, days=5, pages=1)
    for row in files:
        row["anchored_at"] = T0
    empty = AnchorLog(path=tmp_path / "a.log", exists=True)
    report = verify_manifest(files, records, tmp_path, [empty])
    named = ", ".join(f["path"] for f in files[:3])
    assert messages(report) == [
        f"{tmp_path / 'a.log'}: anchor log is empty, but 5 file(s) were anchored there "
        f"({named} and 2 more): the log was emptied, shortened or lines were removed"]


def test_lines_removed_below_the_head_are_named_by_span(tmp_path):
    files, records = manifest(tmp_path, days=6, pages=1)
    log = anchor_log(tmp_path / "a.log", files[0], files[4], files[5])
    assert "has no line for chain position(s) 2-4, but 3 file(s)" in messages(
        verify_manifest(files, records, tmp_path, [log]))[0]
    log = anchor_log(tmp_path / "a.log", files[0], files[2], files[4], files[5])
    assert "has no line for chain position(s) 2, 4, but 2 file(s)" in messages(
        verify_manifest(files, records, tmp_path, [log]))[0]
    log = anchor_log(tmp_path / "a.log", files[0], files[2], files[3], files[4], files[5])
    assert "has no line for chain position(s) 2, but 1 file(s)" in messages(
        verify_manifest(files, records, tmp_path, [log]))[0]
    assert "(and" not in messages(verify_manifest(files, records, tmp_path, [log]))[0]
    assert " and " not in messages(verify_manifest(files, records, tmp_path, [log]))[0].split(
        "were anchored there")[1].split("):")[0]


def test_files_past_the_head_not_marked_anchored_are_only_unanchored(tmp_path):
    files, records = manifest(tmp_path, days=3, pages=1)
    log = anchor_log(tmp_path / "a.log", files[0])
    report = verify_manifest(files, records, tmp_path, [log])
    assert report.ok and report.unanchored == [files[1]["path"], files[2]["path"]]
    files[2]["anchored_at"] = T0
    report = verify_manifest(files, records, tmp_path, [log])
    assert report.unanchored == [files[1]["path"]]
    assert "chain position(s) 3, but 1 file(s)" in messages(report)[0]


def test_a_position_the_log_holds_at_its_head_is_not_called_missing(tmp_path):
    files, records = manifest(tmp_path, days=2, pages=1)
    for row in files:
        row["anchored_at"] = T0
    log = anchor_log(tmp_path / "a.log", *files)
    assert verify_manifest(files, records, tmp_path, [log]).ok
    files.append({**files[1], "chain_position": 3, "id": 3, "path": "twitter/none.warc.gz",
                  "prev_sha256": files[1]["sha256"]})
    report = verify_manifest(files, records, tmp_path, [log])
    assert [m for m in messages(report) if "anchor log" in m] == [
        f"{tmp_path / 'a.log'}: anchor log has no line for chain position(s) 3, but 1 file(s) "
        "were anchored there (twitter/none.warc.gz): the log was emptied, shortened or lines "
        "were removed"]


def test_a_chain_head_email_alone_is_not_checked_for_shortening(tmp_path):
    files, records = manifest(tmp_path, days=3, pages=1)
    for row in files:
        row["anchored_at"] = T0
    mail = anchor_log(tmp_path / "h.eml", files[1], kind="email")
    report = verify_manifest(files, records, tmp_path, [mail])
    assert report.ok, messages(report)
    assert report.unanchored == []


def test_a_mismatch_already_flagged_is_not_also_called_missing_from_the_log(tmp_path):
    files, records = manifest(tmp_path, days=2, pages=1)
    log = anchor_log(tmp_path / "a.log", files[0])
    copy = anchor_log(tmp_path / "b.log", *files)
    copy.entries[1] = {**copy.entries[1], "sha256": "3" * 64}
    report = verify_manifest(files, records, tmp_path, [log, copy])
    assert len([m for m in messages(report) if "an anchor source was rewritten" in m]) == 1
    assert len([m for m in messages(report) if "no line for chain position(s) 2," in m]) == 1
    assert not any("position(s) 1" in m for m in messages(report))


# --- expiry ------------------------------------------------------------------------------


def expiry(row: dict, **changes) -> dict:
    return {"event": "expired", "position": row["chain_position"], "path": row["path"],
            "sha256": row["sha256"], **changes}


def test_an_expiry_event_in_the_anchor_proves_a_file_gone(tmp_path):
    files, records = manifest(tmp_path, days=2)
    (tmp_path / files[0]["path"]).unlink()
    log = anchor_log(tmp_path / "a.log", *files, expired={1: expiry(files[0])})
    report = verify_manifest(files, records, tmp_path, [log])
    assert report.ok, messages(report)
    assert (report.expired, report.files) == (1, 1)


def test_every_expired_file_is_counted(tmp_path):
    files, records = manifest(tmp_path, days=3)
    for row in files[:2]:
        (tmp_path / row["path"]).unlink()
    log = anchor_log(tmp_path / "a.log", *files,
                     expired={1: expiry(files[0]), 2: expiry(files[1])})
    report = verify_manifest(files, records, tmp_path, [log])
    assert report.ok and (report.expired, report.files) == (2, 1)


def test_an_expired_file_still_there_is_checked_until_it_goes(tmp_path):
    files, records = manifest(tmp_path, days=1)
    log = anchor_log(tmp_path / "a.log", *files, expired={1: expiry(files[0])})
    report = verify_manifest(files, records, tmp_path, [log])
    assert report.ok and (report.expired, report.files) == (0, 1)


@pytest.mark.parametrize("changes", [{"sha256": "9" * 64}, {"path": "twitter/other.warc.gz"}])
def test_an_expiry_event_for_another_file_proves_nothing(tmp_path, changes):
    files, records = manifest(tmp_path, days=1)
    (tmp_path / files[0]["path"]).unlink()
    event = expiry(files[0], **changes)
    log = anchor_log(tmp_path / "a.log", *files, expired={1: event})
    assert messages(verify_manifest(files, records, tmp_path, [log])) == [
        f"{files[0]['path']}: the anchor log's expiry event for chain position 1 names "
        f"{event['path']} with sha256 {event['sha256']}, not this file",
        f"{files[0]['path']}: file is missing"]


def test_the_first_source_with_an_expiry_event_is_the_one_used(tmp_path):
    files, records = manifest(tmp_path, days=1)
    (tmp_path / files[0]["path"]).unlink()
    good = anchor_log(tmp_path / "a.log", *files, expired={1: expiry(files[0])})
    bad = anchor_log(tmp_path / "b.log", *files, expired={1: expiry(files[0], sha256="8" * 64)})
    assert verify_manifest(files, records, tmp_path, [good, bad]).ok
    assert not verify_manifest(files, records, tmp_path, [bad, good]).ok


# --- the export's check: the whole chain, only the chosen files hashed --------------------


def test_verify_files_hashes_only_the_chosen_files_but_walks_the_whole_chain(tmp_path):
    files, records = manifest(tmp_path, days=3)
    (tmp_path / files[0]["path"]).write_bytes(b"tampered")
    report = verify_files(files, {2, 3}, records, tmp_path, None)
    assert report.ok and report.files == 2 and report.records == 2 * files[1]["records"]
    assert report.root == str(tmp_path)
    files[2]["prev_sha256"] = "0" * 64
    assert [p.path for p in verify_files(files, {2}, records, tmp_path, None).problems] == [
        files[2]["path"]]
    report = verify_files(list(reversed(files)), {1}, records, tmp_path, None)
    paths = [p.path for p in report.problems]
    assert paths[0] == files[0]["path"] and files[1]["path"] not in paths
    assert paths[-1] == files[2]["path"] and "chain broken" in report.problems[-1].message


def test_verify_files_checks_the_anchor_and_its_record_counts(tmp_path):
    files, records = manifest(tmp_path, days=2)
    log = anchor_log(tmp_path / "a.log", files[0])
    assert verify_files(files, {1}, records, tmp_path, [log]).anchored == 1
    log.entries[1]["records"] = 1
    assert "anchored with 1" in str(verify_files(files, {1}, records, tmp_path, [log]).problems[0])
    log.entries[1] = {**log.entries[1], "sha256": "0" * 64}
    assert "anchored at chain position 1 with sha256" in str(
        verify_files(files, {1}, records, tmp_path, [log]).problems[0])


def test_check_anchor_returns_only_the_entries_that_match(tmp_path):
    files, _ = manifest(tmp_path, days=2)
    log = anchor_log(tmp_path / "a.log", *files)
    log.entries[2] = {**log.entries[2], "sha256": "0" * 64}
    report = VerifyReport(root=str(tmp_path))
    assert check_anchor(report, files, [log]) == {1: log.entries[1]}


# --- against the database (the repo's rows) and the scheduled check -----------------------


class FakeEngine:
    def connect(self):
        return contextlib.nullcontext("conn")


@pytest.fixture
def database_rows(tmp_path, monkeypatch):
    files, records = manifest(tmp_path, days=2)
    monkeypatch.setattr(repo, "all_files", lambda conn: files if conn == "conn" else None)
    monkeypatch.setattr(repo, "records_of", lambda conn: records if conn == "conn" else None)
    recorded = []
    from council_social.archive import verify_log

    monkeypatch.setattr(verify_log, "record_run",
                        lambda engine, report: recorded.append((engine, report)))
    return files, records, recorded


def test_verify_archive_checks_the_manifest_rows_and_records_the_run(tmp_path, database_rows):
    files, _, recorded = database_rows
    log = tmp_path / "anchor.log"
    log.write_text("")
    engine = FakeEngine()
    report = verify_archive(engine, tmp_path, log)
    assert recorded == [(engine, report)]
    assert report.files == 2 and report.anchors == [str(log)]
    assert report.ok  # an empty log, and no row says it was anchored: only unanchored
    assert report.unanchored == [f["path"] for f in files]
    assert verify_archive(FakeEngine(), tmp_path, [log, log], record=False).anchors == [str(log)]
    assert len(recorded) == 1
    assert verify_archive(FakeEngine(), tmp_path).ok and verify_archive(FakeEngine(), tmp_path).anchors == []


def test_verify_configured_raises_naming_the_first_twenty_problems(tmp_path, database_rows,
                                                                   monkeypatch):
    files, records, _ = database_rows
    from council_social.archive import storage

    anchor = tmp_path / "anchor.log"
    monkeypatch.setattr(storage, "archive_root", lambda config: tmp_path if config == "cfg" else None)
    monkeypatch.setattr(storage, "anchor_path", lambda config: anchor if config == "cfg" else None)
    with pytest.raises(RuntimeError) as failed:
        verify_configured(FakeEngine(), "cfg")
    assert str(failed.value) == (
        f"archive verification failed (1 problems): {anchor}: anchor log is missing, so the "
        "manifest's 2 files cannot be confirmed complete (see README, Archive)")
    anchor.write_text("")
    for row in files:
        (tmp_path / row["path"]).unlink()
    with pytest.raises(RuntimeError) as failed:
        verify_configured(FakeEngine(), "cfg")
    assert str(failed.value) == (f"archive verification failed (2 problems): {files[0]['path']}: "
                                 f"file is missing; {files[1]['path']}: file is missing")
    many = [{**files[0], "chain_position": n, "id": n, "path": f"x/{n}.warc.gz",
             "prev_sha256": files[0]["sha256"] if n > 1 else None} for n in range(1, 26)]
    monkeypatch.setattr(repo, "all_files", lambda conn: many)
    with pytest.raises(RuntimeError) as failed:
        verify_configured(FakeEngine(), "cfg")
    assert str(failed.value).startswith("archive verification failed (25 problems): ")
    assert "x/20.warc.gz: file is missing" in str(failed.value)
    assert "x/21.warc.gz" not in str(failed.value)


def test_verify_configured_returns_the_figures_the_task_logs(tmp_path, database_rows, monkeypatch):
    files, records, _ = database_rows
    from council_social.archive import storage

    anchor = tmp_path / "anchor.log"
    anchor.write_text("")
    monkeypatch.setattr(storage, "archive_root", lambda config: tmp_path)
    monkeypatch.setattr(storage, "anchor_path", lambda config: anchor)
    assert verify_configured(FakeEngine(), "cfg") == {
        "files": 2, "records": len(records), "expired": 0, "anchored": 0,
        "unanchored": [f["path"] for f in files]}


def test_a_chosen_file_with_no_record_rows_is_checked_not_crashed(tmp_path):
    files, records = manifest(tmp_path, days=2)
    others = [r for r in records if r["file_id"] != 2]
    report = verify_files(files, {2}, others, tmp_path, None)
    assert report.files == 1 and report.records == 0
    assert [p.record.split()[0] for p in report.problems] == [
        str(r["record_index"]) for r in records if r["file_id"] == 2]


def test_a_rewritten_first_position_does_not_stop_the_check_of_the_next(tmp_path):
    files, records = manifest(tmp_path, days=2, pages=1)
    log = anchor_log(tmp_path / "a.log", *files)
    copy = anchor_log(tmp_path / "b.log", *files)
    copy.entries[1] = {**copy.entries[1], "sha256": "4" * 64}
    report = verify_manifest(files[:1], records, tmp_path, [log, copy])
    assert report.anchored == 2
    assert [m.split(": ", 1)[1] for m in messages(report)] == [
        f"chain position 1 has sha256 {files[0]['sha256']} in {tmp_path / 'a.log'} but "
        f"{'4' * 64} in {tmp_path / 'b.log'}: an anchor source was rewritten",
        f"anchored at chain position 2 (sha256 {files[1]['sha256']}, None, in {tmp_path / 'a.log'})"
        " but missing from the manifest: the archive was cut off or rows were deleted"]


def test_a_position_only_a_copy_holds_and_the_manifest_lost_is_one_problem(tmp_path):
    files, records = manifest(tmp_path, days=2, pages=1)
    log = anchor_log(tmp_path / "a.log", files[0])
    copy = anchor_log(tmp_path / "b.log", *files)
    report = verify_manifest(files[:1], records, tmp_path, [log, copy])
    assert messages(report) == [
        f"{files[1]['path']}: anchored at chain position 2 (sha256 {files[1]['sha256']}, None, "
        f"in {tmp_path / 'b.log'}) but missing from the manifest: the archive was cut off or "
        "rows were deleted"]


@pytest.mark.parametrize(("lost", "more"), [(3, ""), (4, " and 1 more")])
def test_a_shortened_log_names_three_files_and_counts_the_rest(tmp_path, lost, more):
    files, records = manifest(tmp_path, days=lost + 1, pages=1)
    log = anchor_log(tmp_path / "a.log", files[-1])
    named = ", ".join(f["path"] for f in files[:3])
    assert messages(verify_manifest(files, records, tmp_path, [log])) == [
        f"{tmp_path / 'a.log'}: anchor log has no line for chain position(s) 1-{lost}, but {lost} "
        f"file(s) were anchored there ({named}{more}): the log was emptied, shortened or lines "
        "were removed"]


def test_the_first_record_row_deleted_is_named_as_record_zero(tmp_path):
    files, records = manifest(tmp_path, days=1)
    first = records[0]
    report = verify_manifest(files, records[1:], tmp_path)
    assert [p.record for p in report.problems] == [
        f"0 {first['warc_record_id']} ({first['warc_type']})"]


def test_rows_deleted_in_two_places_are_all_named_and_junk_between_does_not_stop_it(tmp_path):
    files, records = manifest(tmp_path, days=1, pages=3)
    one, three = records[1], records[3]
    kept = [r for r in records if r not in (one, three)]
    report = verify_manifest(files, kept, tmp_path)
    assert [p.record.split()[0] for p in report.problems if p.record] == ["1", "3"]
    # the first gap's bytes made unreadable: reported by size, and the second still named
    path = tmp_path / files[0]["path"]
    data = bytearray(path.read_bytes())
    data[one["byte_offset"]:one["byte_offset"] + 8] = b"garbage!"
    path.write_bytes(bytes(data))
    report = verify_manifest(files, kept, tmp_path)
    assert f"{one['byte_length']} unexpected bytes at {one['byte_offset']}" in [
        p.message for p in report.problems]
    assert [p.record.split()[0] for p in report.problems if p.record] == ["3"]


def test_a_file_with_no_record_rows_is_checked_not_crashed(tmp_path):
    files, records = manifest(tmp_path, days=2)
    others = [r for r in records if r["file_id"] != 2]
    report = verify_manifest(files, others, tmp_path)
    assert report.files == 2 and report.records == len(others)
    assert [p.record.split()[0] for p in report.problems] == [
        str(r["record_index"]) for r in records if r["file_id"] == 2]
