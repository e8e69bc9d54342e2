"""The chain's head, kept outside the database and the archive root.

The manifest's hash chain proves that nothing *inside* it changed, but whoever
can delete rows can also cut off its newest files and leave a shorter chain
that still verifies. So after every file is written its manifest row (position,
path, sha256) is appended to an append-only anchor log in a separately
configured place, and each day's head is mailed to the records officer.
`verify` then requires every anchored file to still be in the manifest with the
same hash. The log is JSON lines, only ever appended to, each line carrying the
sha256 of the line before it (`prev`), so an edited, removed or reordered line
breaks the log's own chain:

    {"position": 7, "path": "twitter/...warc.gz", "sha256": "...", "records": 9, "bytes": 1234,
     "anchored_at": "...", "prev": "..."}
    {"mailed": "2026-11-26", "position": 7, "sha256": "...", "to": "...", "at": "...", "prev": "..."}
    {"event": "expired", "position": 3, "path": "...", "sha256": "...", "rule": "...",
     "by": "...", "at": "...", "prev": "..."}

Expiry is an event here, not a database flag: `verify` accepts a file's absence
only when the log says who expired it, when, under which rule and with which hash.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import stat
from dataclasses import dataclass, field
from datetime import date, datetime
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid
from pathlib import Path

from sqlalchemy import Connection, Engine

from council_social.archive import repo
from council_social.archive.storage import ANCHOR_ENV_VAR, anchor_path

__all__ = ["ANCHOR_ENV_VAR", "anchor_path", "AnchorError", "AnchorLog", "read_anchor",
           "read_source", "anchor_pending", "anchor_expiries", "mail_head", "head_message"]

# A longer line is not one this code wrote: refused without reading it into memory whole.
MAX_LINE = 4096
# A chain-head e-mail is a few hundred bytes; a bigger "e-mail" is not read.
MAX_EMAIL = 1 << 20


class AnchorError(RuntimeError):
    """The anchor log cannot be used (not a regular file, cannot be opened for appending)."""


class NotRegular(OSError):
    """A FIFO, a device, a directory or a socket where an anchor file should be."""


def open_regular(path: Path, flags: int = os.O_RDONLY, mode: int = 0o640):
    """An fd for `path` only if it is a regular file, decided before reading a byte.

    stat() first, so a FIFO is never opened (opening one for writing blocks without a
    reader); O_NONBLOCK and fstat() after, so a swap in between is refused too.
    FileNotFoundError when there is nothing there.
    """
    try:
        info = os.stat(path)
    except FileNotFoundError:
        if not flags & os.O_CREAT:
            raise
    else:
        if not stat.S_ISREG(info.st_mode):
            raise NotRegular(f"{path} is not a regular file; not read")
    fd = os.open(path, flags | os.O_NONBLOCK, mode)
    if not stat.S_ISREG(os.fstat(fd).st_mode):
        os.close(fd)
        raise NotRegular(f"{path} is not a regular file; not read")
    return fd


@dataclass
class AnchorLog:
    path: Path
    kind: str = "log"  # log | email
    exists: bool = False
    entries: dict[int, dict] = field(default_factory=dict)
    mailed: list[dict] = field(default_factory=list)
    expired: dict[int, dict] = field(default_factory=dict)
    problems: list[str] = field(default_factory=list)
    # sha256 of the last line, which the next appended line names as its `prev`
    last_digest: str | None = None
    # not a regular file, or unreadable: its one problem says so, nothing else is compared
    refused: bool = False

    @property
    def head(self) -> dict | None:
        return self.entries[max(self.entries)] if self.entries else None


def _digest(raw: bytes) -> str:
    return hashlib.sha256(raw.rstrip(b"\n")).hexdigest()


def read_source(path: Path) -> AnchorLog:
    """An anchor log, or a chain-head e-mail (`.eml`) as a one-entry log."""
    return read_email(path) if str(path).lower().endswith(".eml") else read_anchor(path)


def read_anchor(path: Path) -> AnchorLog:
    """Read the log a line at a time; a malformed, conflicting or unchained line is a
    problem, not a crash. Anything but a regular file is refused unread."""
    log = AnchorLog(path=Path(path))
    try:
        fd = open_regular(log.path)
    except FileNotFoundError:
        return log
    except OSError as exc:
        log.exists = log.refused = True
        log.problems.append(str(exc) if isinstance(exc, NotRegular)
                            else f"cannot be read: {exc.strerror or exc}")
        return log
    log.exists = True
    chained = False
    with os.fdopen(fd, "rb") as fh:
        number = 0
        while raw := fh.readline(MAX_LINE + 1):
            number += 1
            if len(raw) > MAX_LINE and not raw.endswith(b"\n"):
                log.problems.append(f"line {number} is longer than {MAX_LINE} bytes")
                while (rest := fh.readline(MAX_LINE)) and not rest.endswith(b"\n"):
                    pass
                log.last_digest = None
                continue
            if not raw.strip():
                continue
            previous, log.last_digest = log.last_digest, _digest(raw)
            try:
                entry = json.loads(raw)
                if not isinstance(entry, dict):
                    raise TypeError
            except (ValueError, TypeError):
                log.problems.append(f"line {number} is not an anchor entry")
                continue
            if "prev" in entry:
                chained = True
                if entry["prev"] != previous:
                    log.problems.append(
                        f"line {number} does not follow the line before it (prev "
                        f"{entry['prev']}, but that line hashes to {previous}): a line was "
                        "edited, removed or reordered")
            elif chained:
                log.problems.append(f"line {number} has no prev after chained lines: "
                                    "it was not appended by council-social")
            _add(log, entry, number)
    return log


def _add(log: AnchorLog, entry: dict, number: int) -> None:
    try:
        if "mailed" in entry:
            log.mailed.append(entry)
            return
        position = entry["position"]
        if not isinstance(position, int) or not isinstance(entry["sha256"], str):
            raise TypeError
    except (KeyError, TypeError):
        log.problems.append(f"line {number} is not an anchor entry")
        return
    if entry.get("event") == "expired":
        log.expired[position] = entry
        return
    known = log.entries.get(position)
    if known is not None and known["sha256"] != entry["sha256"]:
        log.problems.append(f"line {number} anchors position {position} a second time "
                            f"with another sha256 ({entry['sha256']}, was {known['sha256']})")
        return
    log.entries[position] = entry


_EMAIL_FIELD = re.compile(r"^(position|file|sha256|records|bytes|day):\s*(\S+)\s*$", re.M)


def read_email(path: Path) -> AnchorLog:
    """The records officer's copy: the chain-head e-mail `mail_head` sends, saved as .eml."""
    from email import message_from_bytes
    from email.policy import default

    log = AnchorLog(path=Path(path), kind="email")
    try:
        fd = open_regular(log.path)
    except FileNotFoundError:
        log.problems.append("chain-head e-mail not found")
        return log
    except OSError as exc:
        log.exists = log.refused = True
        log.problems.append(str(exc) if isinstance(exc, NotRegular)
                            else f"cannot be read: {exc.strerror or exc}")
        return log
    log.exists = True
    with os.fdopen(fd, "rb") as fh:
        data = fh.read(MAX_EMAIL + 1)
    if len(data) > MAX_EMAIL:
        log.problems.append(f"longer than {MAX_EMAIL} bytes: not a chain-head e-mail")
        return log
    part = message_from_bytes(data, policy=default).get_body(preferencelist=("plain",))
    fields = dict(_EMAIL_FIELD.findall(part.get_content() if part is not None else ""))
    try:
        entry = {"position": int(fields["position"]), "path": fields["file"],
                 "sha256": fields["sha256"], "day": fields.get("day")}
        for key in ("records", "bytes"):
            if fields.get(key, "None") != "None":
                entry[key] = int(fields[key])
    except (KeyError, ValueError):
        log.problems.append("not a chain-head e-mail (no position, file and sha256)")
        return log
    log.entries[entry["position"]] = entry
    return log


def _append(path: Path, entries: list[dict]) -> None:
    """Append `entries`, each chained to the line before it; fsync'd."""
    if not entries:
        return
    path = Path(path)
    previous = read_anchor(path).last_digest
    lines = []
    for entry in entries:
        line = json.dumps({**entry, "prev": previous}, sort_keys=True).encode()
        previous = _digest(line)
        lines.append(line + b"\n")
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        fd = open_regular(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT)
    except OSError as exc:
        raise AnchorError(f"anchor log {path}: {exc.strerror or exc}") from None
    try:
        os.write(fd, b"".join(lines))
        os.fsync(fd)
    finally:
        os.close(fd)


def anchor_pending(engine: Engine, path: Path, now: datetime) -> list[dict]:
    """Append every manifest row past the anchor's head; idempotent, so a crash between a
    manifest commit and its anchor is caught up by the next write (or run). Each row
    appended is marked `anchored_at`, so a later shortened log shows."""
    with engine.begin() as conn:
        repo.lock_chain(conn)
        head = read_anchor(path).head
        rows = repo.files_after(conn, head["position"] if head else 0)
        entries = [{"position": r.chain_position, "path": r.path, "sha256": r.sha256,
                    "records": r.records, "bytes": r.bytes, "anchored_at": now.isoformat()}
                   for r in rows]
        _append(path, entries)
        if entries:
            repo.mark_anchored(conn, [e["position"] for e in entries], now)
    return entries


def anchor_expiries(conn: Connection, path: Path, expired: list[dict], by: str,
                    now: datetime) -> list[dict]:
    """Record each expiry in the anchor log (inside the caller's transaction, before any
    file goes): position, path, the file's last sha256, the rule, who and when."""
    entries = [{"event": "expired", "position": row["chain_position"], "path": row["path"],
                "sha256": row["sha256"], "records": row["records"], "bytes": row["bytes"],
                "rule": row["rule"], "by": by, "at": now.isoformat()} for row in expired]
    _append(path, entries)
    return entries


def head_message(head: dict, day: date, to: str, from_email: str, now: datetime) -> EmailMessage:
    msg = EmailMessage()
    msg["From"] = from_email
    msg["To"] = to
    msg["Subject"] = f"Social media archive: chain head for {day} is file {head['position']}"
    msg["Date"] = format_datetime(now)
    msg["Message-ID"] = make_msgid(f"archive-head-{day}-{head['position']}", "council-social")
    msg.set_content(
        "Please keep this email: it is an independent copy of the social media archive's\n"
        "newest file, so the archive cannot be shortened without it showing.\n\n"
        f"day:       {day}\n"
        f"position:  {head['position']}\n"
        f"file:      {head['path']}\n"
        f"sha256:    {head['sha256']}\n"
        f"records:   {head.get('records')}\n"
        f"bytes:     {head.get('bytes')}\n\n"
        "To check: save this e-mail as a .eml file and run\n"
        "`council-social archive verify --anchor ANCHOR.log --anchor THIS.eml`; the\n"
        f"anchor log line with \"position\": {head['position']} must show the same sha256.\n")
    return msg


def mail_head(path: Path, day: date, to: str, from_email: str, sender, now: datetime) -> dict | None:
    """Mail the anchor's head for `day` once; None if there is no head or it was mailed."""
    log = read_anchor(path)
    head = log.head
    if head is None or any(m.get("mailed") == day.isoformat() and m.get("sha256") == head["sha256"]
                           for m in log.mailed):
        return None
    sender.send_message(head_message(head, day, to, from_email, now))
    entry = {"mailed": day.isoformat(), "position": head["position"], "sha256": head["sha256"],
             "to": to, "at": now.isoformat()}
    _append(Path(path), [entry])
    return entry
