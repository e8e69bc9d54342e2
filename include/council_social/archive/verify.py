"""Recompute every file's and every record's sha256, walk the hash chain and
compare its head with the anchor log kept outside the database.

Each problem names the file and, where the damage is inside one, the record
(its index and WARC-Record-ID), so an officer can say exactly what changed.
Files are streamed (memory stays bounded whatever is under the root) and only
regular files inside the root are read: a manifest path that escapes the root,
a symlink or a directory is reported, never followed.
"""

from __future__ import annotations

import hashlib
import os
import re
import stat
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

from sqlalchemy import Engine, select

from council_social.archive.anchor import read_anchor
from council_social.archive.tables import archive_files, archive_records

CHUNK = 1 << 20
_CONTROL = re.compile(r"[\x00-\x1f\x7f\u2028\u2029]")


def _one_line(value: str) -> str:
    # A manifest path or anchor line is data: it cannot start a second output line.
    return _CONTROL.sub(lambda m: repr(m.group())[1:-1], value)


@dataclass(frozen=True)
class Problem:
    path: str
    message: str
    record: str | None = None

    def __str__(self) -> str:
        where = f" record {self.record}" if self.record else ""
        return _one_line(f"{self.path}{where}: {self.message}")


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
    # manifest files written after the anchor's head (a run that has not anchored yet)
    unanchored: list[str] = field(default_factory=list)
    anchored: int = 0

    @property
    def ok(self) -> bool:
        return not self.problems


def verify_archive(engine: Engine, root, anchor: Path | None = None) -> VerifyReport:
    """Check the archive under `root` against the manifest in the database and, given
    `anchor` (the anchor log's path), the manifest against the anchor."""
    with engine.connect() as conn:
        files = conn.execute(select(archive_files).order_by(archive_files.c.chain_position)).mappings().all()
        records = conn.execute(select(archive_records).order_by(
            archive_records.c.file_id, archive_records.c.record_index)).mappings().all()
    report = verify_manifest(files, records, root)
    if anchor is not None:
        check_anchor(report, files, anchor)
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


def check_anchor(report: VerifyReport, files: list, anchor: Path) -> None:
    """Every anchored file must still be in the manifest, at its position, with its hash."""
    log = read_anchor(anchor)
    where = str(anchor)
    for problem in log.problems:
        report.problems.append(Problem(where, f"anchor log: {problem}"))
    by_position = {row["chain_position"]: row for row in files}
    if not log.exists:
        if files:
            report.problems.append(Problem(where, (
                f"anchor log is missing, so the manifest's {len(files)} files cannot be "
                "confirmed complete (see README, Archive)")))
        return
    for position, entry in sorted(log.entries.items()):
        report.anchored += 1
        row = by_position.get(position)
        path = str(entry.get("path"))
        if row is None:
            report.problems.append(Problem(path, (
                f"anchored at chain position {position} (sha256 {entry['sha256']}, "
                f"{entry.get('anchored_at')}) but missing from the manifest: the archive was "
                "cut off or rows were deleted")))
        elif row["sha256"] != entry["sha256"] or row["path"] != path:
            report.problems.append(Problem(path, (
                f"anchored at chain position {position} with sha256 {entry['sha256']}, but the "
                f"manifest has {row['path']} with sha256 {row['sha256']} there")))
    head = max(log.entries, default=0)
    report.unanchored = [row["path"] for row in files if row["chain_position"] > head]


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


class _Refused(Exception):
    """The manifest path cannot be read as a regular file inside the root."""


def _safe_relative(path: str) -> PurePosixPath:
    relative = PurePosixPath(path)
    if (not path or relative.is_absolute() or "\\" in path or "\x00" in path
            or any(part in ("..", "") for part in relative.parts)):
        raise _Refused("path escapes the archive root; not read")
    return relative


def _open_regular(root, path: str):
    """An open binary file and its size, only for a regular file inside `root`."""
    relative = _safe_relative(path)
    target = root / relative.as_posix()
    if not isinstance(root, Path):  # an fsspec root: no symlinks to follow
        if not target.exists():
            raise FileNotFoundError(path)
        if not target.is_file():
            raise _Refused("not a regular file (a directory or something else in its place)")
        fh = target.open("rb")
        return fh, target.stat().st_size
    try:
        inside = target.resolve().is_relative_to(root.resolve())
    except (OSError, RuntimeError):  # a symlink loop
        inside = False
    info = os.lstat(target)  # FileNotFoundError: missing
    if stat.S_ISLNK(info.st_mode):
        raise _Refused("is a symbolic link, not a regular file; not followed")
    if not inside:
        raise _Refused("resolves outside the archive root; not read")
    if not stat.S_ISREG(info.st_mode):
        kind = "a directory" if stat.S_ISDIR(info.st_mode) else "not a regular file"
        raise _Refused(f"is {kind} where the file should be")
    # O_NOFOLLOW/O_NONBLOCK: swapped for a link or a FIFO since the lstat, it is still refused.
    fd = os.open(target, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK)
    opened = os.fstat(fd)
    if not stat.S_ISREG(opened.st_mode):
        os.close(fd)
        raise _Refused("is not a regular file")
    return os.fdopen(fd, "rb"), opened.st_size


def _digest(fh, offset: int, length: int) -> tuple[str, int]:
    """sha256 of up to `length` bytes from `offset`, read in chunks; and how many there were."""
    fh.seek(offset)
    digest = hashlib.sha256()
    got = 0
    while got < length and (block := fh.read(min(CHUNK, length - got))):
        digest.update(block)
        got += len(block)
    return digest.hexdigest(), got


def _check_file(report: VerifyReport, root, row, records: list) -> None:
    path = row["path"]
    try:
        fh, size = _open_regular(root, path)
    except FileNotFoundError:
        report.problems.append(Problem(path, "file is missing"))
        return
    except _Refused as exc:
        report.problems.append(Problem(path, str(exc)))
        return
    except OSError as exc:
        report.problems.append(Problem(path, f"cannot be read: {exc.strerror or exc}"))
        return
    with fh:
        report.files += 1
        report.bytes += size
        for r in records:
            report.records += 1
            digest, got = _digest(fh, r["byte_offset"], r["byte_length"])
            if digest != r["sha256"]:
                reason = ("cut short or removed" if got < r["byte_length"]
                          else "bytes differ from the manifest")
                report.problems.append(Problem(
                    path, f"sha256 mismatch ({reason})",
                    f"{r['record_index']} {r['warc_record_id']} ({r['warc_type']})"))
        if len(records) != row["records"]:
            report.problems.append(Problem(
                path, f"manifest says {row['records']} records but holds {len(records)} digests"))
        end = max((r["byte_offset"] + r["byte_length"] for r in records), default=0)
        if size > end:
            report.problems.append(Problem(path, f"{size - end} unexpected bytes after the last record"))
        # A file of another size cannot match: not hashed, so a huge one costs no time either.
        whole = _digest(fh, 0, size)[0] if size == row["bytes"] else "(not computed)"
        if whole != row["sha256"] or size != row["bytes"]:
            report.problems.append(Problem(
                path, f"file sha256 {whole} ({size} bytes) is not the manifest's "
                      f"{row['sha256']} ({row['bytes']} bytes)"))


def _check_strays(report: VerifyReport, root, known: set[str]) -> None:
    if not root.exists():
        return
    for found in root.rglob("*.warc.gz"):
        relative = found.relative_to(root).as_posix()
        if relative not in known:
            report.unlisted.append(relative)
