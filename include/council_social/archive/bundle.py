"""FoI bundles built from the archive itself, and checked without the database.

`archived_records` finds the WARC records that hold the chosen exchanges in the
archive's own files, verifies those files (every record, the whole file, the
chain and the anchor) and copies the records' bytes out of them: the database's
`raw_pages` rows are never the source of a bundle's evidence, so a forged row
cannot reach one. Each record carries its digest and where it came from (file,
chain position, the file's sha256), so `verify_bundle` can check a bundle with
nothing but the zip and, optionally, an anchor log or chain-head e-mail.
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

from council_social.archive import repo
from council_social.archive.anchor import NotRegular, open_regular, read_source
from council_social.archive.verify import anchor_sources, one_line, verify_files

# A bundle's manifest.json is a few MB at most; a bigger one is refused unread.
MAX_MANIFEST = 64 << 20


class BundleError(RuntimeError):
    """The export or the bundle check cannot go on (one line for the user)."""


@dataclass(frozen=True)
class ArchivedRecord:
    raw_page_id: int | None
    warc_record_id: str
    warc_type: str
    sha256: str
    data: bytes
    file: str
    file_sha256: str
    chain_position: int
    record_index: int

    def manifest_entry(self, offset: int) -> dict:
        return {"warc_record_id": self.warc_record_id, "warc_type": self.warc_type,
                "sha256": self.sha256, "offset": offset, "bytes": len(self.data),
                "file": self.file, "file_sha256": self.file_sha256,
                "chain_position": self.chain_position, "record_index": self.record_index}


def archived_records(conn, root, anchor, page_ids: list[int]) -> tuple[list[ArchivedRecord], list[int]]:
    """The archived records of `page_ids` (each page from the first file that holds it),
    copied from files that verified just now; and the page ids no file holds yet."""
    if not page_ids:
        return [], []
    holders = repo.record_holders(conn, page_ids)
    files = repo.files_by_id(conn, {h.file_id for h in holders})
    first: dict[int, int] = {}
    for h in sorted(holders, key=lambda h: files[h.file_id]["chain_position"]):
        first.setdefault(h.raw_page_id, h.file_id)
    chosen = sorted({first[p] for p in first}, key=lambda i: files[i]["chain_position"])
    records = repo.records_of(conn, chosen)
    every = repo.all_files(conn)
    logs = [read_source(Path(a)) for a in anchor_sources(anchor)] or None
    problems = verify_files(every, set(chosen), records, root, logs).problems
    if problems:
        raise BundleError(f"export refused: the archive does not verify: {problems[0]}"
                          + (f" (and {len(problems) - 1} more)" if len(problems) > 1 else ""))
    out: list[ArchivedRecord] = []
    for file_id in chosen:
        f = files[file_id]
        wanted = {p for p, holder in first.items() if holder == file_id}
        with open(Path(root) / f["path"], "rb") as fh:
            for r in records:
                if r["file_id"] != file_id or r["raw_page_id"] not in wanted:
                    continue
                fh.seek(r["byte_offset"])
                data = fh.read(r["byte_length"])
                if hashlib.sha256(data).hexdigest() != r["sha256"]:  # changed since the check
                    raise BundleError(f"export refused: {f['path']} record {r['record_index']} "
                                      "changed while the bundle was made")
                out.append(ArchivedRecord(r["raw_page_id"], r["warc_record_id"], r["warc_type"],
                                          r["sha256"], data, f["path"], f["sha256"],
                                          f["chain_position"], r["record_index"]))
    missing = sorted(set(page_ids) - set(first))
    return out, missing


def response_body(record: ArchivedRecord) -> bytes:
    """The payload of an archived response record, exactly as archived."""
    from warcio.archiveiterator import ArchiveIterator

    for rec in ArchiveIterator(io.BytesIO(record.data)):
        return rec.raw_stream.read()
    return b""


@dataclass
class BundleCheck:
    files: int = 0
    records: int = 0
    sources: int = 0
    problems: list[str] = field(default_factory=list)

    def fail(self, where: str, message: str) -> None:
        self.problems.append(one_line(f"{where}: {message}"))


def _open_zip(path: Path) -> zipfile.ZipFile:
    try:
        fd = open_regular(path)
    except FileNotFoundError:
        raise BundleError(f"{path}: no such file") from None
    except NotRegular:
        raise BundleError(f"{path}: not a regular file; not read") from None
    except OSError as exc:
        raise BundleError(f"{path}: cannot be read: {exc.strerror or exc}") from None
    fh = os.fdopen(fd, "rb")
    try:
        return zipfile.ZipFile(fh)
    except (zipfile.BadZipFile, OSError, ValueError):
        fh.close()
        raise BundleError(f"{path}: not a zip file") from None


def _read(bundle: zipfile.ZipFile, name: str, limit: int | None = None) -> bytes:
    with bundle.open(name) as fh:
        data = fh.read(limit + 1 if limit else -1)
    if limit and len(data) > limit:
        raise BundleError(f"{name} is larger than {limit} bytes")
    return data


def verify_bundle(path: Path, anchors: list[Path] | None = None) -> BundleCheck:
    """Check every file against manifest.json, every WARC record against its digest and
    id, and (given anchors) every source file's sha256 at its chain position."""
    check = BundleCheck()
    with _open_zip(Path(path)) as bundle:
        names = set(bundle.namelist())
        if "manifest.json" not in names:
            raise BundleError(f"{path}: no manifest.json; not an FoI bundle")
        try:
            manifest = json.loads(_read(bundle, "manifest.json", MAX_MANIFEST))
            listed = manifest["files"]
            if not isinstance(listed, dict):
                raise TypeError
        except (ValueError, KeyError, TypeError, zipfile.BadZipFile, OSError):
            raise BundleError(f"{path}: manifest.json is not a bundle manifest") from None
        for name in sorted(names - set(listed) - {"manifest.json"}):
            check.fail(name, "in the bundle but not in manifest.json")
        for name, expected in sorted(listed.items()):
            if name not in names:
                check.fail(name, "listed in manifest.json but missing from the bundle")
                continue
            digest, size = _hash_member(bundle, name)
            check.files += 1
            if digest != expected.get("sha256") or size != expected.get("bytes"):
                check.fail(name, f"sha256 {digest} ({size} bytes) is not manifest.json's "
                                 f"{expected.get('sha256')} ({expected.get('bytes')} bytes)")
        records = manifest.get("records") or []
        if not isinstance(records, list) or not all(isinstance(r, dict) for r in records):
            raise BundleError(f"{path}: manifest.json's records are not a list of records")
        if "records.warc.gz" in names and records:
            try:
                _check_records(check, bundle, records)
            except (zipfile.BadZipFile, OSError, ValueError, EOFError) as exc:
                check.fail("records.warc.gz", f"cannot be read from the zip: {exc}")
    if anchors:
        _check_sources(check, records, anchors)
    return check


def _hash_member(bundle: zipfile.ZipFile, name: str) -> tuple[str, int]:
    digest = hashlib.sha256()
    size = 0
    try:
        with bundle.open(name) as fh:
            while block := fh.read(1 << 20):
                digest.update(block)
                size += len(block)
    except (zipfile.BadZipFile, OSError, ValueError):
        return "(unreadable)", size
    return digest.hexdigest(), size


def _check_records(check: BundleCheck, bundle: zipfile.ZipFile, records: list) -> None:
    from warcio.archiveiterator import ArchiveIterator
    from warcio.exceptions import ArchiveLoadFailed

    with bundle.open("records.warc.gz") as fh:
        at = 0
        for n, entry in enumerate(records):
            where = f"records.warc.gz record {n} {entry.get('warc_record_id')}"
            if entry.get("offset") != at:
                check.fail(where, f"starts at byte {entry.get('offset')}, expected {at}")
                return
            data = fh.read(int(entry.get("bytes") or 0))
            at += len(data)
            check.records += 1
            if hashlib.sha256(data).hexdigest() != entry.get("sha256"):
                check.fail(where, f"sha256 {hashlib.sha256(data).hexdigest()} is not the "
                                  f"archived record's {entry.get('sha256')}")
                continue
            try:
                rid = next(iter(ArchiveIterator(io.BytesIO(data)))).rec_headers.get_header(
                    "WARC-Record-ID")
            except (ArchiveLoadFailed, StopIteration, OSError, ValueError):
                rid = None
            if rid != entry.get("warc_record_id"):
                check.fail(where, f"holds WARC-Record-ID {rid}")
        if fh.read(1):
            check.fail("records.warc.gz", "bytes after the last record manifest.json lists")
    check.sources = len({r.get("chain_position") for r in records})


def _check_sources(check: BundleCheck, records: list, anchors: list[Path]) -> None:
    logs = [read_source(a) for a in anchors]
    for log in logs:
        for problem in log.problems:
            check.fail(str(log.path), f"anchor: {problem}")
    anchored: dict[int, dict] = {}
    for log in logs:
        for position, entry in log.entries.items():
            anchored.setdefault(position, entry)
    seen: set[int] = set()
    for entry in records:
        position = entry.get("chain_position")
        if position in seen:
            continue
        seen.add(position)
        known = anchored.get(position)
        if known is None:
            check.fail(str(entry.get("file")), f"chain position {position} is not in the anchor")
        elif known["sha256"] != entry.get("file_sha256") or known.get("path") != entry.get("file"):
            check.fail(str(entry.get("file")), (
                f"the bundle says chain position {position} is {entry.get('file')} with sha256 "
                f"{entry.get('file_sha256')}; the anchor has {known.get('path')} with "
                f"{known['sha256']}"))
