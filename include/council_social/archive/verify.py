"""Recompute every file's and every record's sha256, walk the hash chain and
compare its head with the anchor log kept outside the database.

Each problem names the file and, where the damage is inside one, the record
(its index and WARC-Record-ID), so an officer can say exactly what changed.
The database's word is not taken for what it cannot prove: a file counts as
expired only when the anchor log holds its expiry event, and the manifest's
record rows must tile each file and match the records the file itself holds.
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

from sqlalchemy import Engine

from council_social.archive import repo
from council_social.archive.anchor import AnchorLog, read_source

CHUNK = 1 << 20
_CONTROL = re.compile(r"[\x00-\x1f\x7f\u2028\u2029]")


def one_line(value: str) -> str:
    """`value` with control characters and line separators escaped: one output line."""
    # A manifest path or anchor line is data: it cannot start a second output line.
    return _CONTROL.sub(lambda m: repr(m.group())[1:-1], value)


@dataclass(frozen=True)
class Problem:
    path: str
    message: str
    record: str | None = None

    def __str__(self) -> str:
        where = f" record {self.record}" if self.record else ""
        return one_line(f"{self.path}{where}: {self.message}")


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
    anchors: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


def anchor_sources(anchor) -> list[Path]:
    """None, one path, or several (the first is the log; the rest copies or .eml)."""
    if anchor is None:
        return []
    paths = [anchor] if isinstance(anchor, (str, os.PathLike)) else list(anchor)
    return [Path(p) for p in dict.fromkeys(str(p) for p in paths)]


def verify_archive(engine: Engine, root, anchor=None, record: bool = True) -> VerifyReport:
    """Check the archive under `root` against the manifest in the database and the
    manifest against the anchor: `anchor` is the log's path, or several sources (the log
    first, then copies of it or chain-head e-mails)."""
    logs = [read_source(p) for p in anchor_sources(anchor)]
    with engine.connect() as conn:
        files = repo.all_files(conn)
        records = repo.records_of(conn)
    report = verify_manifest(files, records, root, logs)
    if record:
        from council_social.archive.verify_log import record_run

        record_run(engine, report)  # the home and Archive pages show the last check
    return report


def verify_configured(engine: Engine, config) -> dict:
    """The scheduled check (the `archive` and `archive_retention` DAGs): the configured root
    and anchor log, the outcome kept for the pages; RuntimeError naming the problems."""
    from council_social.archive.storage import anchor_path, archive_root

    report = verify_archive(engine, archive_root(config), anchor_path(config))
    if not report.ok:
        raise RuntimeError(f"archive verification failed ({len(report.problems)} problems): "
                           + "; ".join(str(p) for p in report.problems[:20]))
    return {"files": report.files, "records": report.records, "expired": report.expired,
            "anchored": report.anchored, "unanchored": report.unanchored}


def verify_manifest(files: list, records: list, root, logs: list[AnchorLog] | None = None) -> VerifyReport:
    """The checks themselves, over manifest rows (mappings), the files under `root` and the
    anchor sources read (`logs`, the log first)."""
    report = VerifyReport(root=str(root))
    by_file: dict[int, list] = {}
    for r in sorted(records, key=lambda r: (r["file_id"], r["record_index"])):
        by_file.setdefault(r["file_id"], []).append(r)
    anchored: dict[int, dict] = check_anchor(report, files, logs) if logs else {}
    expiries: dict[int, dict] = {}
    for log in logs or []:
        for position, event in log.expired.items():
            expiries.setdefault(position, event)
    previous = None
    for row in sorted(files, key=lambda f: f["chain_position"]):
        _check_link(report, row, previous)
        previous = row
        event = expiries.get(row["chain_position"])
        if event is not None and (event["sha256"] != row["sha256"] or event.get("path") != row["path"]):
            report.problems.append(Problem(row["path"], (
                f"the anchor log's expiry event for chain position {row['chain_position']} names "
                f"{event.get('path')} with sha256 {event['sha256']}, not this file")))
            event = None
        _check_file(report, root, row, by_file.get(row["id"], []),
                    anchored.get(row["chain_position"]), event)
    _check_strays(report, root, {row["path"] for row in files})
    return report


def verify_files(every: list, chosen: set[int], records: list, root,
                 logs: list[AnchorLog] | None) -> VerifyReport:
    """The whole chain and the anchor, but only the `chosen` files (ids) hashed: what an
    export checks before it copies records out of them."""
    report = VerifyReport(root=str(root))
    anchored = check_anchor(report, every, logs) if logs else {}
    by_file: dict[int, list] = {}
    for r in sorted(records, key=lambda r: (r["file_id"], r["record_index"])):
        by_file.setdefault(r["file_id"], []).append(r)
    previous = None
    for row in sorted(every, key=lambda f: f["chain_position"]):
        _check_link(report, row, previous)
        previous = row
        if row["id"] in chosen:
            _check_file(report, root, row, by_file.get(row["id"], []),
                        anchored.get(row["chain_position"]))
    return report


def _span(positions: list[int]) -> str:
    return (f"{positions[0]}" if len(positions) == 1
            else f"{positions[0]}-{positions[-1]}" if positions[-1] - positions[0] == len(positions) - 1
            else ", ".join(map(str, positions)))


def check_anchor(report: VerifyReport, files: list, logs: list[AnchorLog]) -> dict[int, dict]:
    """Every anchored file must still be in the manifest, at its position, with its hash;
    every source must agree; the log must still hold every line it was given (the
    manifest's `anchored_at`, a copy or an e-mail says which). Returns position -> entry."""
    primary = logs[0]
    for log in logs:
        report.anchors.append(str(log.path))
        what = "anchor e-mail" if log.kind == "email" else "anchor log"
        for problem in log.problems:
            report.problems.append(Problem(str(log.path), f"{what}: {problem}"))
    by_position = {row["chain_position"]: row for row in files}
    if primary.refused:
        return {}
    if not primary.exists:
        if files:
            report.problems.append(Problem(str(primary.path), (
                f"anchor log is missing, so the manifest's {len(files)} files cannot be "
                "confirmed complete (see README, Archive)")))
        return {}
    merged: dict[int, tuple[dict, AnchorLog]] = {}
    flagged: set[int] = set()
    for log in logs:
        for position, entry in sorted(log.entries.items()):
            known = merged.get(position)
            if known is None:
                merged[position] = (entry, log)
            elif known[0]["sha256"] != entry["sha256"] and position not in flagged:
                flagged.add(position)
                report.problems.append(Problem(str(entry.get("path")), (
                    f"chain position {position} has sha256 {known[0]['sha256']} in {known[1].path}"
                    f" but {entry['sha256']} in {log.path}: an anchor source was rewritten")))
    for position, (entry, log) in sorted(merged.items()):
        report.anchored += 1
        if position in flagged:
            continue
        row = by_position.get(position)
        path = str(entry.get("path"))
        if row is None:
            flagged.add(position)
            report.problems.append(Problem(path, (
                f"anchored at chain position {position} (sha256 {entry['sha256']}, "
                f"{entry.get('anchored_at') or entry.get('day')}, in {log.path}) but missing from "
                "the manifest: the archive was cut off or rows were deleted")))
        elif row["sha256"] != entry["sha256"] or row["path"] != path:
            flagged.add(position)
            report.problems.append(Problem(path, (
                f"anchored at chain position {position} with sha256 {entry['sha256']}, but the "
                f"manifest has {row['path']} with sha256 {row['sha256']} there")))
    if primary.kind == "log":
        _check_shortened(report, files, primary, merged, flagged)
    head = max(merged, default=0)
    report.unanchored = [row["path"] for row in files
                         if row["chain_position"] > head and row.get("anchored_at") is None]
    # Only entries that match their manifest row: a mismatch is already one FAIL line.
    return {position: entry for position, (entry, _) in merged.items() if position not in flagged}


def _check_shortened(report: VerifyReport, files: list, log: AnchorLog,
                     merged: dict[int, tuple[dict, AnchorLog]], flagged: set[int]) -> None:
    """Positions the log once held (the manifest marks them anchored, another source has
    them, or they lie below its head) but no longer does: one line for the log."""
    head = max(log.entries, default=0)
    expected = {row["chain_position"] for row in files if row.get("anchored_at") is not None}
    expected |= set(merged)
    expected |= {row["chain_position"] for row in files if row["chain_position"] < head}
    missing = sorted(p for p in expected - flagged if p not in log.entries)
    if not missing:
        return
    paths = {row["chain_position"]: row["path"] for row in files}
    named = ", ".join(str(paths.get(p, merged.get(p, ({},))[0].get("path"))) for p in missing[:3])
    more = f" and {len(missing) - 3} more" if len(missing) > 3 else ""
    state = ("is empty" if not log.entries
             else f"has no line for chain position(s) {_span(missing)}")
    report.problems.append(Problem(str(log.path), (
        f"anchor log {state}, but {len(missing)} file(s) were anchored there ({named}{more}): "
        "the log was emptied, shortened or lines were removed")))


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


def _check_file(report: VerifyReport, root, row, records: list, anchored: dict | None = None,
                expiry: dict | None = None) -> None:
    path = row["path"]
    try:
        fh, size = _open_regular(root, path)
    except FileNotFoundError:
        if expiry is not None:
            report.expired += 1  # gone, and the anchor log says who expired it and why
            return
        why = ""
        if row["expired_at"] is not None:
            why = (f" (the database marks it expired at {row['expired_at']}, but no anchor log "
                   "holds its expiry event)")
        report.problems.append(Problem(path, f"file is missing{why}"))
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
        _check_records_tile(report, fh, size, row, records, anchored)
        # A file of another size cannot match: not hashed, so a huge one costs no time either.
        whole = _digest(fh, 0, size)[0] if size == row["bytes"] else "(not computed)"
        if whole != row["sha256"] or size != row["bytes"]:
            report.problems.append(Problem(
                path, f"file sha256 {whole} ({size} bytes) is not the manifest's "
                      f"{row['sha256']} ({row['bytes']} bytes)"))


# A gap bigger than this is not parsed for its records' ids (it is reported by size).
_GAP_PARSE_LIMIT = 64 << 20


def _records_in(fh, start: int, end: int) -> list[tuple[str, str]] | None:
    """(WARC-Record-ID, WARC-Type) of the records in bytes [start, end), or None if
    they are not whole WARC records."""
    import io

    from warcio.archiveiterator import ArchiveIterator
    from warcio.exceptions import ArchiveLoadFailed

    if end - start > _GAP_PARSE_LIMIT:
        return None
    fh.seek(start)
    try:
        return [(rec.rec_headers.get_header("WARC-Record-ID"), rec.rec_type)
                for rec in ArchiveIterator(io.BytesIO(fh.read(end - start)))]
    except (ArchiveLoadFailed, OSError, ValueError, EOFError):
        return None


def _check_records_tile(report: VerifyReport, fh, size: int, row, records: list,
                        anchored: dict | None) -> None:
    """The record rows must cover the file end to end, and their count must be the file's
    own: a deleted row (and a lowered count) leaves bytes no row accounts for."""
    path = row["path"]
    gaps: list[tuple[int, int, int]] = []  # (start, end, index the missing record had)
    at, index = 0, 0
    for r in records:
        if r["byte_offset"] > at:
            gaps.append((at, r["byte_offset"], index))
        at = max(at, r["byte_offset"] + r["byte_length"])
        index = r["record_index"] + 1
    if size > at:
        gaps.append((at, size, index))
    held = len(records)
    unnamed: list[tuple[int, int]] = []
    found: list[tuple[int, str, str, int, int]] = []
    for start, end, first in gaps:
        inside = _records_in(fh, start, end)
        if not inside:
            unnamed.append((start, end))
            continue
        held += len(inside)
        found += [(first + n, rid, kind, start, end) for n, (rid, kind) in enumerate(inside)]
    expected = anchored.get("records") if anchored else None
    counts = (f"the manifest row says {row['records']} records, lists {len(records)}, and the "
              f"file holds {held}" + (f"; anchored with {expected}" if expected is not None else ""))
    for n, (index, rid, kind, start, end) in enumerate(found):
        report.problems.append(Problem(path, (
            f"in the file (bytes {start}-{end}) but has no manifest row"
            + (f": {counts}" if n == 0 else "")), f"{index} {rid} ({kind})"))
    for start, end in unnamed:
        report.problems.append(Problem(
            path, f"{end - start} unexpected bytes {'after the last record' if end == size else f'at {start}'}"))
    if not found and (len(records) != row["records"]
                      or (expected is not None and expected != row["records"])):
        report.problems.append(Problem(path, f"record count differs: {counts}"))


def _check_strays(report: VerifyReport, root, known: set[str]) -> None:
    if not root.exists():
        return
    for found in root.rglob("*.warc.gz"):
        relative = found.relative_to(root).as_posix()
        if relative not in known:
            report.unlisted.append(relative)
