"""Raw API exchanges -> one WARC/1.1 file (gzip per record), byte for byte reproducible.

Each exchange becomes three records: a `response` (status line, headers and
body exactly as stored in `social.raw_pages`), a `request` (the request line
and Host header rebuilt from the stored URL: the Authorization header is never
archived) and a `metadata` record (account, endpoint, parameters, fetch time,
ingest interval) linked to the response by WARC-Concurrent-To. Record ids and
dates derive from the raw page id and sha256, never from the clock, so writing
the same pages again gives identical bytes.

Two header changes keep the record replayable, and the metadata record keeps
the headers as received: the body is stored decoded, so Content-Encoding and
Transfer-Encoding become X-Archive-Orig-* (pywb's convention) and
Content-Length states the stored body's length.
"""

from __future__ import annotations

import hashlib
import io
import json
import uuid
from dataclasses import dataclass
from datetime import UTC, date, datetime
from http import HTTPStatus
from typing import Any
from urllib.parse import urlsplit

from warcio.statusandheaders import StatusAndHeaders
from warcio.timeutils import datetime_to_iso_date
from warcio.utils import Digester
from warcio.warcwriter import WARCWriter

SOFTWARE = "council-social archive (warcio)"
# Fixed namespace: record ids are uuid5(namespace, what the record holds).
RECORD_NAMESPACE = uuid.UUID("6f1d3c1e-2b1a-5c8e-9a55-0c0a7c1a5e01")
_DECODED_HEADERS = ("content-encoding", "transfer-encoding")


@dataclass(frozen=True)
class Exchange:
    """One row of social.raw_pages."""

    id: int
    platform: str
    account_key: str
    endpoint: str
    request_url: str
    request_params: dict[str, Any]
    interval_start: datetime
    interval_end: datetime
    page_number: int
    fetched_at: datetime
    status: int
    headers: dict[str, str]
    body: bytes
    sha256: str


@dataclass(frozen=True)
class RecordInfo:
    index: int
    warc_record_id: str
    warc_type: str
    raw_page_id: int | None
    record_class: str
    offset: int
    length: int
    sha256: str


@dataclass(frozen=True)
class WarcFile:
    data: bytes
    records: list[RecordInfo]

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.data).hexdigest()


def record_class(endpoint: str) -> str:
    """The retention class of an exchange, from its endpoint label."""
    if endpoint.endswith("/mentions"):
        return "mentions"
    if endpoint == "tweets/lookup":
        return "rechecks"
    if "search" in endpoint:
        return "search"
    if endpoint.endswith("/tweets") or endpoint.endswith("/posts"):
        return "own_posts"
    return "other"


class _Writer(WARCWriter):
    """warcio's writer with sha256 digests (the default is sha1)."""

    @staticmethod
    def _create_digester():
        return Digester("sha256")


def _record_id(*parts: object) -> str:
    return f"<urn:uuid:{uuid.uuid5(RECORD_NAMESPACE, ':'.join(map(str, parts)))}>"


def _warc_date(moment: datetime) -> str:
    return datetime_to_iso_date(moment.astimezone(UTC).replace(tzinfo=None), use_micros=True)


def response_headers(stored: dict[str, str], body_length: int) -> list[tuple[str, str]]:
    """The stored headers, in a fixed order, made consistent with the stored body."""
    out: list[tuple[str, str]] = []
    for name, value in sorted(stored.items(), key=lambda kv: kv[0].lower()):
        low = name.lower()
        if low in _DECODED_HEADERS:
            out.append((f"X-Archive-Orig-{name}", str(value)))
        elif low == "content-length":
            if str(value) != str(body_length):
                out.append((f"X-Archive-Orig-{name}", str(value)))
        else:
            out.append((name, str(value)))
    out.append(("Content-Length", str(body_length)))
    return out


def _status_line(status: int) -> str:
    try:
        return f"{status} {HTTPStatus(status).phrase}"
    except ValueError:
        return str(status)


def _records_for(writer: _Writer, ex: Exchange, body: bytes | None = None,
                 extra_metadata: dict[str, Any] | None = None,
                 id_salt: str = "") -> list[tuple[str, str, Any]]:
    """(warc_type, record_id, record) for one exchange; `body` overrides (redaction)."""
    body = ex.body if body is None else body
    uri = ex.request_url
    when = _warc_date(ex.fetched_at)
    response_id = _record_id(id_salt, "response", ex.platform, ex.id, ex.sha256)
    response = writer.create_warc_record(
        uri, "response", payload=io.BytesIO(body), length=len(body),
        warc_headers_dict={"WARC-Record-ID": response_id, "WARC-Date": when},
        http_headers=StatusAndHeaders(_status_line(ex.status),
                                      response_headers(ex.headers, len(body)),
                                      protocol="HTTP/1.1"),
    )
    parts = urlsplit(uri)
    target = parts.path + (f"?{parts.query}" if parts.query else "")
    request_id = _record_id(id_salt, "request", ex.platform, ex.id, ex.sha256)
    request = writer.create_warc_record(
        uri, "request", payload=io.BytesIO(b""), length=0,
        warc_headers_dict={"WARC-Record-ID": request_id, "WARC-Date": when,
                           "WARC-Concurrent-To": response_id},
        http_headers=StatusAndHeaders(f"GET {target or '/'} HTTP/1.1",
                                      [("Host", parts.netloc)], is_http_request=True),
    )
    meta = {
        "raw_page_id": ex.id,
        "platform": ex.platform,
        "account": ex.account_key,
        "endpoint": ex.endpoint,
        "record_class": record_class(ex.endpoint),
        "request_params": ex.request_params,
        "request_note": "request line and Host rebuilt from the stored URL; "
                        "the Authorization header is never archived",
        "response_headers_as_received": ex.headers,
        "fetched_at": ex.fetched_at.astimezone(UTC).isoformat(),
        "interval_start": ex.interval_start.astimezone(UTC).isoformat(),
        "interval_end": ex.interval_end.astimezone(UTC).isoformat(),
        "page_number": ex.page_number,
        "body_sha256": ex.sha256,
        **(extra_metadata or {}),
    }
    meta_bytes = json.dumps(meta, sort_keys=True, ensure_ascii=False, indent=1).encode("utf-8")
    metadata_id = _record_id(id_salt, "metadata", ex.platform, ex.id, ex.sha256)
    metadata = writer.create_warc_record(
        uri, "metadata", payload=io.BytesIO(meta_bytes), length=len(meta_bytes),
        warc_content_type="application/json",
        warc_headers_dict={"WARC-Record-ID": metadata_id, "WARC-Date": when,
                           "WARC-Concurrent-To": response_id},
    )
    return [("response", response_id, response), ("request", request_id, request),
            ("metadata", metadata_id, metadata)]


def _serialise(writer_records: list[tuple[str, str, Any, int | None, str]]) -> WarcFile:
    out = bytearray()
    infos: list[RecordInfo] = []
    for index, (warc_type, record_id, record, raw_page_id, klass) in enumerate(writer_records):
        buffer = io.BytesIO()
        _Writer(buffer, gzip=True, warc_version="1.1").write_record(record)
        member = buffer.getvalue()
        infos.append(RecordInfo(index, record_id, warc_type, raw_page_id, klass, len(out),
                                len(member), hashlib.sha256(member).hexdigest()))
        out += member
    return WarcFile(bytes(out), infos)


def _warcinfo(writer: _Writer, record_id: str, when: datetime, fields: dict[str, str]):
    body = "".join(f"{k}: {v}\r\n" for k, v in fields.items()).encode("utf-8")
    return writer.create_warc_record(
        "", "warcinfo", payload=io.BytesIO(body), length=len(body),
        warc_content_type="application/warc-fields",
        warc_headers_dict={"WARC-Record-ID": record_id, "WARC-Date": _warc_date(when)},
    )


def build_day_file(platform: str, day: date, exchanges: list[Exchange]) -> WarcFile:
    """The WARC file of one platform's exchanges fetched on one UTC day.

    Its bytes depend only on (platform, day, the exchanges), not on the file
    name or when it runs, so a rerun can compare hashes.
    """
    if not exchanges:
        raise ValueError(f"no exchanges for {platform} on {day.isoformat()}")
    ordered = sorted(exchanges, key=lambda e: (e.fetched_at, e.id))
    writer = _Writer(io.BytesIO(), gzip=True, warc_version="1.1")
    content = hashlib.sha256("\n".join(f"{e.id}:{e.sha256}" for e in ordered).encode()).hexdigest()
    records: list[tuple[str, str, Any, int | None, str]] = []
    info_id = _record_id("warcinfo", platform, day.isoformat(), content)
    records.append(("warcinfo", info_id, _warcinfo(writer, info_id, ordered[0].fetched_at, {
        "software": SOFTWARE,
        "format": "WARC File Format 1.1",
        "conformsTo": "https://iipc.github.io/warc-specifications/specifications/warc-format/warc-1.1/",
        "description": f"{platform} API exchanges fetched on {day.isoformat()} (UTC)",
        "exchanges": str(len(ordered)),
    }), None, "other"))
    for ex in ordered:
        klass = record_class(ex.endpoint)
        records += [(t, rid, rec, ex.id, klass) for t, rid, rec in _records_for(writer, ex)]
    return _serialise(records)


def build_export_file(exchanges: list[Exchange], bodies: dict[int, bytes] | None = None,
                      note: str | None = None) -> WarcFile:
    """A WARC of chosen exchanges (an FoI export), optionally with redacted bodies.

    A redacted record gets its own id and says which archived record it was
    derived from, since its bytes no longer match the archive's.
    """
    writer = _Writer(io.BytesIO(), gzip=True, warc_version="1.1")
    records: list[tuple[str, str, Any, int | None, str]] = []
    for ex in sorted(exchanges, key=lambda e: (e.fetched_at, e.id)):
        body = (bodies or {}).get(ex.id)
        extra = None
        salt = ""
        if body is not None:
            salt = "redacted"
            extra = {"redaction": note or "redacted",
                     "derived_from": _record_id("", "response", ex.platform, ex.id, ex.sha256)}
        klass = record_class(ex.endpoint)
        records += [(t, rid, rec, ex.id, klass)
                    for t, rid, rec in _records_for(writer, ex, body, extra, salt)]
    return _serialise(records)


def build_resource_file(description: str, when: datetime,
                        resources: list[tuple[str, str, bytes]]) -> WarcFile:
    """A WARC of documents the council made itself (e.g. a competition's rules, entry list
    and draw): one `resource` record per (uri, content type, bytes), ids from the content,
    so the same documents give the same bytes."""
    if not resources:
        raise ValueError("no resources to archive")
    writer = _Writer(io.BytesIO(), gzip=True, warc_version="1.1")
    content = hashlib.sha256(b"".join(hashlib.sha256(body).digest()
                                      for _, _, body in resources)).hexdigest()
    info_id = _record_id("warcinfo", "resources", description, content)
    records: list[tuple[str, str, Any, int | None, str]] = [(
        "warcinfo", info_id, _warcinfo(writer, info_id, when, {
            "software": SOFTWARE, "format": "WARC File Format 1.1",
            "description": description, "resources": str(len(resources))}), None, "other")]
    for uri, content_type, body in resources:
        rid = _record_id("resource", uri, hashlib.sha256(body).hexdigest())
        records.append(("resource", rid, writer.create_warc_record(
            uri, "resource", payload=io.BytesIO(body), length=len(body),
            warc_content_type=content_type,
            warc_headers_dict={"WARC-Record-ID": rid, "WARC-Date": _warc_date(when)}),
            None, "other"))
    return _serialise(records)
