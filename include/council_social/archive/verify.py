"""Recompute every file's and every record's sha256 and walk the hash chain.

Each problem names the file and, where the damage is inside one, the record
(its index and WARC-Record-ID), so an officer can say exactly what changed.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field

from sqlalchemy import Engine, select

from council_social.archive.tables import archive_files, archive_records


@dataclass(frozen=True)
class Problem:
    path: str
    message: str
    record: str | None = None

    def __str__(self) -> str:
        where = f" record {self.record}" if self.record else ""
        return f"{self.path}{where}: {self.message}"


@dataclass
class VerifyReport:
    root: str
    files: int = 0
    records: int = 0
    bytes: int = 0
    expired: int = 0
    problems: list[Problem] = field(default_factory=list)
    # files under the root the manifest does not list: not part of the record, so reported
    # for a person to look at, but no hash of the record is in doubt because of them
    unlisted: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


def _sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def verify_archive(engine: Engine, root) -> VerifyReport:
    """Check the archive under `root` against the manifest in the database."""
    with engine.connect() as conn:
        files = conn.execute(select(archive_files).order_by(archive_files.c.chain_position)).mappings().all()
        records = conn.execute(select(archive_records).order_by(
            archive_records.c.file_id, archive_records.c.record_index)).mappings().all()
    report = verify_manifest(files, records, root)
    from council_social.archive.verify_log import record_run

    record_run(engine, report)  # the home page shows when the chain was last checked
    return report


def verify_manifest(files: list, records: list, root) -> VerifyReport:
    """The checks themselves, over manifest rows (mappings) and the files under `root`."""
    report = VerifyReport(root=str(root))
    by_file: dict[int, list] = {}
    for r in sorted(records, key=lambda r: (r["file_id"], r["record_index"])):
        by_file.setdefault(r["file_id"], []).append(r)
    previous = None
    for row in sorted(files, key=lambda f: f["chain_position"]):
        _check_link(report, row, previous)
        previous = row
        if row["expired_at"] is not None:
            report.expired += 1
            continue
        _check_file(report, root, row, by_file.get(row["id"], []))
    _check_strays(report, root, {row["path"] for row in files})
    return report


def _check_link(report: VerifyReport, row, previous) -> None:
    expected_position = previous["chain_position"] + 1 if previous else 1
    if row["chain_position"] != expected_position:
        report.problems.append(Problem(row["path"], (
            f"chain position {row['chain_position']}, expected {expected_position}: "
            "a manifest row is missing")))
    expected_prev = previous["sha256"] if previous else None
    if row["prev_sha256"] != expected_prev:
        before = previous["path"] if previous else "(start of chain)"
        report.problems.append(Problem(row["path"], (
            f"chain broken: prev_sha256 {row['prev_sha256']} is not the sha256 "
            f"{expected_prev} of {before}")))


def _check_file(report: VerifyReport, root, row, records: list) -> None:
    path = row["path"]
    target = root / path
    if not target.exists():
        report.problems.append(Problem(path, "file is missing"))
        return
    data = target.read_bytes()
    report.files += 1
    report.bytes += len(data)
    damaged = 0
    for r in records:
        report.records += 1
        member = data[r["byte_offset"]:r["byte_offset"] + r["byte_length"]]
        if _sha(member) != r["sha256"]:
            damaged += 1
            reason = ("cut short or removed" if len(member) < r["byte_length"]
                      else "bytes differ from the manifest")
            report.problems.append(Problem(
                path, f"sha256 mismatch ({reason})",
                f"{r['record_index']} {r['warc_record_id']} ({r['warc_type']})"))
    if len(records) != row["records"]:
        report.problems.append(Problem(
            path, f"manifest says {row['records']} records but holds {len(records)} digests"))
    end = max((r["byte_offset"] + r["byte_length"] for r in records), default=0)
    if len(data) > end:
        report.problems.append(Problem(path, f"{len(data) - end} unexpected bytes after the last record"))
    if _sha(data) != row["sha256"] or len(data) != row["bytes"]:
        report.problems.append(Problem(
            path, f"file sha256 {_sha(data)} ({len(data)} bytes) is not the manifest's "
                  f"{row['sha256']} ({row['bytes']} bytes)"))


def _check_strays(report: VerifyReport, root, known: set[str]) -> None:
    if not root.exists():
        return
    for found in root.rglob("*.warc.gz"):
        relative = found.relative_to(root).as_posix()
        if relative not in known:
            report.unlisted.append(relative)
