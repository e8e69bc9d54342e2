"""FoI export: a zip bundle of exactly what a search found, with hashes and a README.

Bundle contents:
  records.warc.gz    the API exchanges that evidence the matching items (each version's
                     page, the latest sighting, the deletion lookup): response, request
                     and metadata records. Unredacted, every record is byte-identical to
                     the archive's (same WARC-Record-ID and digests).
  items.csv          one row per matching item (formula-injection guarded)
  item_versions.csv  every stored text of those items, oldest first
  manifest.json      the query, counts, and the sha256 and size of every other file
  README.txt         for the requester: what each file is and how to check it
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import zipfile
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import Engine, select

from council_social.archive.manifest import exchange
from council_social.archive.redact import Redactor
from council_social.archive.search import SearchQuery, evidence_pages, search_items, versions_of
from council_social.archive.writer import build_export_file
from council_social.safe_text import defuse_formula
from council_social.store.tables import authors, raw_pages

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
    people = {r.external_id: (r.username, r.display_name)
              for r in conn.execute(select(authors.c.external_id, authors.c.username,
                                           authors.c.display_name))}
    return Redactor([a.handle for a in config.accounts],
                    [a.external_id for a in config.accounts], people)


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


def _readme(query: SearchQuery, items: int, exchanges: int, redacted: bool, council: str) -> str:
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
        "  manifest.json      the search that produced this bundle and the SHA-256 of",
        "                     each file, to show nothing changed after it was made.",
        "",
        f"Search: words={q['words']!r} from={q['from']} to={q['to']} account={q['account']}"
        f" author={q['author']} platform={q['platform']}",
        f"Found: {items} items in {exchanges} platform responses.",
        "",
        "To check a file: `sha256sum items.csv` (Linux/macOS) or",
        "`certutil -hashfile items.csv SHA256` (Windows) gives the value in manifest.json.",
    ]
    if redacted:
        lines += ["", "Redaction: names, handles and account ids of people other than the",
                  "council's own accounts are replaced by [redacted] or a stable pseudonym",
                  "(person-1, person-2, ...): the same person has the same pseudonym",
                  "throughout this bundle. Redacted WARC records carry new record ids and",
                  "name the archived record they were derived from."]
    else:
        lines += ["", "The WARC records are byte-identical to the council's archive."]
    return "\n".join(lines) + "\n"


def export_bundle(engine: Engine, config, query: SearchQuery, out_path: str | Path,
                  redact: bool = False) -> ExportSummary:
    with engine.connect() as conn:
        found = search_items(conn, query, config.council.timezone)
        keys = [(r["platform"], r["external_id"]) for r in found]
        versions = versions_of(conn, keys)
        page_ids = evidence_pages(conn, keys)
        pages = [exchange(r) for r in conn.execute(
            select(raw_pages).where(raw_pages.c.id.in_(page_ids)).order_by(raw_pages.c.id)
        ).mappings()] if page_ids else []
        redactor = council_redactor(conn, config) if redact else None

    bodies = None
    if redactor is not None:
        bodies = {}
        for p in pages:
            bodies[p.id] = redact_body(redactor, p.body)
    warc = build_export_file(pages, bodies, REDACTION_NOTE if redact else None)
    responses: dict[int, str] = {r.raw_page_id: r.warc_record_id for r in warc.records
                                 if r.warc_type == "response"}
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
        "records.warc.gz": warc.data,
        "items.csv": _csv(ITEM_COLUMNS, item_rows),
        "item_versions.csv": _csv(VERSION_COLUMNS, version_rows),
        "README.txt": _readme(query, len(found), len(pages), redact,
                              config.council.name).encode("utf-8"),
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
        "exchanges": len(pages),
        "warc_records": len(warc.records),
        "files": {name: {"sha256": hashes[name], "bytes": len(files[name])} for name in files},
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
    return ExportSummary(str(out), len(found), len(pages), len(warc.records), redact, hashes)
