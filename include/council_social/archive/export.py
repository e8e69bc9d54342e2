"""FoI export: a zip bundle of exactly what a search found, with hashes and a README.

Bundle contents:
  records.warc.gz    the API exchanges that evidence the matching items (each version's
                     page, the latest sighting, the deletion lookup): response, request
                     and metadata records, copied out of the archive's WARC files after
                     those files verified against the chain and the anchor (never rebuilt
                     from the database). Unredacted, every record is byte-identical to
                     the archive's; redacted ones are rebuilt from the archived bodies.
  items.csv          one row per matching item (formula-injection guarded)
  item_versions.csv  every stored text of those items, oldest first
  manifest.json      the query, counts, the sha256 and size of every other file, and each
                     record's sha256, offset, source file, file sha256 and chain position
                     (`council-social archive verify-bundle` checks them)
  README.txt         for the requester: what each file is and how to check it
"""

from __future__ import annotations

import csv
import dataclasses
import hashlib
import io
import json
import zipfile
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import Engine

from council_social.archive import repo
from council_social.archive.bundle import archived_records, response_body
from council_social.archive.manifest import exchange
from council_social.archive.redact import Redactor
from council_social.archive.search import SearchQuery, search_items
from council_social.archive.writer import build_export_file
from council_social.safe_text import defuse_formula

ITEM_COLUMNS = ["platform", "external_id", "created_at", "account_key", "author_username",
                "author_name", "kind", "text", "versions", "deleted", "deleted_at", "url",
                "warc_record_ids"]
VERSION_COLUMNS = ["platform", "external_id", "version", "observed_at", "text"]
REDACTION_NOTE = ("third-party personal data redacted: names, handles and ids of people "
                  "who are not council accounts replaced by [redacted] or a stable pseudonym")


@dataclass(frozen=True)
class ExportSummary:
    path: str
    items: int
    exchanges: int
    warc_records: int
    redacted: bool
    files: dict[str, str]  # name -> sha256


def guard_cell(value) -> str:
    """Spreadsheet formula injection: a cell starting =, +, -, @, tab or CR is made text."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        value = value.astimezone(UTC).isoformat()
    return defuse_formula(str(value))


def _csv(columns: list[str], rows: list[dict]) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(columns)
    for row in rows:
        writer.writerow([guard_cell(row.get(c)) for c in columns])
    return buffer.getvalue().encode("utf-8-sig")  # BOM: Excel then reads UTF-8


def council_redactor(conn, config) -> Redactor:
    return Redactor([a.handle for a in config.accounts],
                    [a.external_id for a in config.accounts], repo.author_names(conn))


def redact_body(redactor: Redactor, body: bytes) -> bytes:
    """JSON field by field; any other text (an RSS feed) string by string."""
    try:
        decoded = body.decode("utf-8")
    except UnicodeDecodeError:
        return b"[body withheld: not UTF-8 text, so it cannot be redacted]"
    try:
        doc = json.loads(decoded)
    except ValueError:
        return redactor.text(decoded).encode("utf-8")
    return json.dumps(redactor.json(doc), ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def _readme(query: SearchQuery, items: int, exchanges: int, redacted: bool, council: str,
            not_archived: int = 0) -> str:
    q = query.describe()
    lines = [
        f"Social media records from {council}",
        "",
        "This bundle answers a request for information. It holds:",
        "",
        "  items.csv          one row per post, reply or mention found, with its author,",
        "                     date (UTC), text, how many versions were seen and whether",
        "                     it was later deleted. A cell starting with = + - @ has a",
        "                     leading ' so spreadsheets show it as text.",
        "  item_versions.csv  every text we recorded for those posts, oldest first: an",
        "                     edited post has more than one.",
        "  records.warc.gz    the platform's own answers (API responses) in which we saw",
        "                     those posts, in WARC 1.1, the web archiving standard",
        "                     (ISO 28500). Open it with https://replayweb.page or the",
        "                     Python tool warcio. Each response is a whole page of the",
        "                     platform's answer and may include other public posts.",
        "  manifest.json      the search that produced this bundle, the SHA-256 of",
        "                     each file, and of each WARC record with the archive file",
        "                     and hash-chain position it was copied from, to show",
        "                     nothing changed after it was made.",
        "",
        f"Search: words={q['words']!r} from={q['from']} to={q['to']} account={q['account']}"
        f" author={q['author']} platform={q['platform']}",
        f"Found: {items} items in {exchanges} platform responses.",
        "",
        "To check a file: `sha256sum items.csv` (Linux/macOS) or",
        "`certutil -hashfile items.csv SHA256` (Windows) gives the value in manifest.json.",
        "`council-social archive verify-bundle THIS.zip --anchor HEAD.eml` checks every",
        "file and record, and the source files against the council's chain-head e-mail.",
    ]
    if not_archived:
        lines += ["", f"{not_archived} platform response(s) were fetched too recently to be in the",
                  "archive yet; their records are not in records.warc.gz (manifest.json",
                  "lists them under not_archived). Ask again after the next daily archive."]
    if redacted:
        lines += ["", "Redaction: names, handles and account ids of people other than the",
                  "council's own accounts are replaced by [redacted] or a stable pseudonym",
                  "(person-1, person-2, ...): the same person has the same pseudonym",
                  "throughout this bundle. Redacted WARC records carry new record ids and",
                  "name the archived record they were derived from."]
    else:
        lines += ["", "The WARC records are byte-identical to the council's archive: copied",
                  "out of its files after they were verified against the hash chain."]
    return "\n".join(lines) + "\n"


def export_bundle(engine: Engine, config, query: SearchQuery, out_path: str | Path,
                  redact: bool = False, root=None, anchor=None) -> ExportSummary:
    """The bundle; its records come out of the verified archive files (BundleError if they
    do not verify). `root`/`anchor` default to the configured ones."""
    from council_social.archive.storage import anchor_path, archive_root

    root = archive_root(config) if root is None else root
    anchor = anchor_path(config) if anchor is None else anchor
    with engine.connect() as conn:
        found = search_items(conn, query, config.council.timezone)
        keys = [(r["platform"], r["external_id"]) for r in found]
        versions = repo.versions_of(conn, keys)
        page_ids = repo.evidence_pages(conn, keys)
        archived, not_archived = archived_records(conn, root, anchor, list(page_ids))
        redactor = council_redactor(conn, config) if redact else None
        pages = ([exchange(r) for r in repo.pages_by_id(conn, page_ids)]
                 if (page_ids and redact) else [])

    if redactor is None:
        data = bytearray()
        record_entries = []
        for record in archived:
            record_entries.append(record.manifest_entry(len(data)))
            data += record.data
        warc_data, warc_count = bytes(data), len(archived)
        responses = {r.raw_page_id: r.warc_record_id for r in archived if r.warc_type == "response"}
    else:
        # Redaction rewrites the archived body, never the database's copy of it.
        source = {r.raw_page_id: r for r in archived if r.warc_type == "response"}
        pages = [dataclasses.replace(p, body=response_body(source[p.id])) for p in pages
                 if p.id in source]
        bodies = {p.id: redact_body(redactor, p.body) for p in pages}
        warc = build_export_file(pages, bodies, REDACTION_NOTE)
        warc_data, warc_count = warc.data, len(warc.records)
        record_entries = []
        for r in warc.records:
            origin = source.get(r.raw_page_id)
            record_entries.append({
                "warc_record_id": r.warc_record_id, "warc_type": r.warc_type, "sha256": r.sha256,
                "offset": r.offset, "bytes": r.length, "redacted": True,
                "file": origin.file if origin else None,
                "file_sha256": origin.file_sha256 if origin else None,
                "chain_position": origin.chain_position if origin else None})
        responses = {r.raw_page_id: r.warc_record_id for r in warc.records
                     if r.warc_type == "response"}
    exchanges_count = len({r.raw_page_id for r in archived})
    page_of: dict[tuple[str, str], set[int]] = {}
    for v in versions:
        page_of.setdefault((v["platform"], v["external_id"]), set()).add(v["raw_page_id"])
    for r in found:
        page_of.setdefault((r["platform"], r["external_id"]), set()).add(r["raw_page_id"])

    item_rows = []
    for r in found:
        row = dict(r)
        row["warc_record_ids"] = " ".join(
            responses[p] for p in sorted(page_of[(r["platform"], r["external_id"])]) if p in responses)
        if redactor is not None:
            row["author_username"] = redactor.handle(r["author_username"], r["author_external_id"])
            if not redactor.is_council(r["author_external_id"], r["author_username"]):
                row["author_name"] = "[redacted]" if r["author_name"] else None
            row["text"] = redactor.text(r["text"])
            row["url"] = redactor.text(r["url"])
        item_rows.append(row)
    version_rows = [dict(v, text=redactor.text(v["text"]) if redactor else v["text"])
                    for v in versions]

    files = {
        "records.warc.gz": warc_data,
        "items.csv": _csv(ITEM_COLUMNS, item_rows),
        "item_versions.csv": _csv(VERSION_COLUMNS, version_rows),
        "README.txt": _readme(query, len(found), exchanges_count, redact,
                              config.council.name, len(not_archived)).encode("utf-8"),
    }
    hashes = {name: hashlib.sha256(data).hexdigest() for name, data in files.items()}
    generated = datetime.now(UTC).replace(microsecond=0)
    manifest = {
        "generated_at": generated.isoformat(),
        "council": config.council.name,
        "query": query.describe(),
        "redacted": redact,
        "redaction": REDACTION_NOTE if redact else None,
        "items": len(found),
        "exchanges": exchanges_count,
        "warc_records": warc_count,
        "files": {name: {"sha256": hashes[name], "bytes": len(files[name])} for name in files},
        "records": record_entries,
        "not_archived": {"raw_page_ids": not_archived,
                         "note": "fetched after the last archive run; not in records.warc.gz"},
    }
    files["manifest.json"] = json.dumps(manifest, indent=2, sort_keys=True).encode("utf-8")
    out = Path(out_path)
    out.parent.mkdir(parents=True, exist_ok=True)
    part = out.with_name(out.name + ".part")
    with zipfile.ZipFile(part, "w") as bundle:
        for name, data in files.items():
            kind = zipfile.ZIP_STORED if name.endswith(".gz") else zipfile.ZIP_DEFLATED
            info = zipfile.ZipInfo(name, date_time=generated.timetuple()[:6])
            info.external_attr = 0o644 << 16  # readable when unzipped
            bundle.writestr(info, data, compress_type=kind)
    part.replace(out)
    return ExportSummary(str(out), len(found), exchanges_count, warc_count, redact, hashes)
