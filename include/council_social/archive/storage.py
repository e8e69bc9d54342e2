"""Where the archive's files live: a local folder (or a mounted bucket), or an fsspec URL.

Files are written once and never changed: a new name for new content, an
atomic rename on local disks so a crash never leaves half a file under the
final name.
"""

from __future__ import annotations

import hashlib
import os
from datetime import date
from pathlib import Path

# Where the archive and its anchor are is configuration (the production guard needs it
# without importing the archive); re-exported here for the archive's callers.
from council_social.config.archive_paths import ANCHOR_ENV_VAR as ANCHOR_ENV_VAR
from council_social.config.archive_paths import ROOT_ENV_VAR as ROOT_ENV_VAR
from council_social.config.archive_paths import anchor_path as anchor_path
from council_social.config.archive_paths import archive_root as archive_root


class ArchiveError(RuntimeError):
    """The archive refused to do something that would alter a written record."""


def day_path(platform: str, day: date, version: int) -> str:
    suffix = "" if version == 1 else f"-v{version}"
    return f"{platform}/{day:%Y}/{day:%m}/{platform}-{day:%Y-%m-%d}{suffix}.warc.gz"


def write_once(root, relative: str, data: bytes) -> bool:
    """Write `data` at root/relative unless already there; True if written now.

    An existing file with other bytes is never replaced.
    """
    target = root / relative
    if target.exists():
        if hashlib.sha256(target.read_bytes()).hexdigest() != hashlib.sha256(data).hexdigest():
            raise ArchiveError(f"{relative} already exists with different content; "
                               "archive files are never overwritten")
        return False
    target.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(target, Path):
        part = target.with_name(target.name + ".part")
        with open(part, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(part, target)
    else:
        target.write_bytes(data)
    return True


def sha256_of(path, chunk: int = 1 << 20) -> tuple[str, int]:
    digest = hashlib.sha256()
    size = 0
    with path.open("rb") as fh:
        while block := fh.read(chunk):
            digest.update(block)
            size += len(block)
    return digest.hexdigest(), size
