"""The chain's head, kept outside the database and the archive root.

The manifest's hash chain proves that nothing *inside* it changed, but whoever
can delete rows can also cut off its newest files and leave a shorter chain
that still verifies. So after every file is written its manifest row (position,
path, sha256) is appended to an append-only anchor log in a separately
configured place, and each day's head is mailed to the records officer.
`verify` then requires every anchored file to still be in the manifest with the
same hash. The log is JSON lines, only ever appended to:

    {"position": 7, "path": "twitter/...warc.gz", "sha256": "...", "records": 9, "bytes": 1234,
     "anchored_at": "..."}
    {"mailed": "2026-11-26", "position": 7, "sha256": "...", "to": "...", "at": "..."}
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass, field
from datetime import date, datetime
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid
from pathlib import Path

from sqlalchemy import Engine, select, text

from council_social.archive.tables import archive_files

ANCHOR_ENV_VAR = "COUNCIL_SOCIAL_ARCHIVE_ANCHOR"
# A longer line is not one this code wrote: refused without reading it into memory whole.
MAX_LINE = 4096
# The same advisory lock as the manifest writers (manifest.CHAIN_LOCK): one appender at a time.
CHAIN_LOCK = 7_240_006


def anchor_path(config, override: str | os.PathLike | None = None) -> Path:
    """`--anchor`, else $COUNCIL_SOCIAL_ARCHIVE_ANCHOR, else `archive.anchor_path`, else
    `<data_dir>/archive-anchor.log`."""
    value = override if override is not None else (
        os.environ.get(ANCHOR_ENV_VAR) or config.archive.anchor_path)
    if value is None:
        return config.data_dir_path / "archive-anchor.log"
    path = Path(str(value)).expanduser()
    return path if path.is_absolute() else config.project_root / path


@dataclass
class AnchorLog:
    path: Path
    exists: bool = False
    entries: dict[int, dict] = field(default_factory=dict)
    mailed: list[dict] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)

    @property
    def head(self) -> dict | None:
        return self.entries[max(self.entries)] if self.entries else None


def read_anchor(path: Path) -> AnchorLog:
    """Read the log a line at a time; a malformed or conflicting line is a problem, not a crash."""
    log = AnchorLog(path=Path(path))
    try:
        fh = open(log.path, "rb")
    except FileNotFoundError:
        return log
    log.exists = True
    with fh:
        number = 0
        while raw := fh.readline(MAX_LINE + 1):
            number += 1
            if len(raw) > MAX_LINE and not raw.endswith(b"\n"):
                log.problems.append(f"line {number} is longer than {MAX_LINE} bytes")
                while (rest := fh.readline(MAX_LINE)) and not rest.endswith(b"\n"):
                    pass
                continue
            if not raw.strip():
                continue
            try:
                entry = json.loads(raw)
                if "mailed" in entry:
                    log.mailed.append(entry)
                    continue
                position = entry["position"]
                if not isinstance(position, int) or not isinstance(entry["sha256"], str):
                    raise TypeError
            except (ValueError, KeyError, TypeError):
                log.problems.append(f"line {number} is not an anchor entry")
                continue
            known = log.entries.get(position)
            if known is not None and known["sha256"] != entry["sha256"]:
                log.problems.append(f"line {number} anchors position {position} a second time "
                                    f"with another sha256 ({entry['sha256']}, was {known['sha256']})")
                continue
            log.entries[position] = entry
    return log


def _append(path: Path, entries: list[dict]) -> None:
    if not entries:
        return
    path.parent.mkdir(parents=True, exist_ok=True)
    data = b"".join(json.dumps(e, sort_keys=True).encode() + b"\n" for e in entries)
    fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o640)
    try:
        os.write(fd, data)
        os.fsync(fd)
    finally:
        os.close(fd)


def anchor_pending(engine: Engine, path: Path, now: datetime) -> list[dict]:
    """Append every manifest row past the anchor's head; idempotent, so a crash between a
    manifest commit and its anchor is caught up by the next write (or run)."""
    with engine.begin() as conn:
        conn.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": CHAIN_LOCK})
        head = read_anchor(path).head
        after = head["position"] if head else 0
        rows = conn.execute(
            select(archive_files.c.chain_position, archive_files.c.path, archive_files.c.sha256,
                   archive_files.c.records, archive_files.c.bytes)
            .where(archive_files.c.chain_position > after)
            .order_by(archive_files.c.chain_position)).all()
        entries = [{"position": r.chain_position, "path": r.path, "sha256": r.sha256,
                    "records": r.records, "bytes": r.bytes, "anchored_at": now.isoformat()}
                   for r in rows]
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
        "To check: `council-social archive verify` must list this file and hash; the\n"
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
