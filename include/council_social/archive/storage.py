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


class ArchiveError(RuntimeError):
    """The archive refused to do something that would alter a written record."""


ROOT_ENV_VAR = "COUNCIL_SOCIAL_ARCHIVE_ROOT"


def archive_root(config, override: str | os.PathLike | None = None):
    """`--root`, else $COUNCIL_SOCIAL_ARCHIVE_ROOT, else `archive.root` in council.yaml,
    else `<storage.root>/archive` (`<data_dir>/archive` without a storage root).

    A value with '://' is an fsspec URL (s3://, gs://, memory://) opened with
    universal_pathlib, Airflow's ObjectStoragePath's base; anything else is a path,
    relative to the council file's folder.
    """
    value = override if override is not None else (
        os.environ.get(ROOT_ENV_VAR) or config.archive.root)
    if value is None:
        return config.archive_default_path
    return config.resolve_location(str(value))


ANCHOR_ENV_VAR = "COUNCIL_SOCIAL_ARCHIVE_ANCHOR"


def anchor_path(config, override: str | os.PathLike | None = None) -> Path:
    """`--anchor`, else $COUNCIL_SOCIAL_ARCHIVE_ANCHOR, else `archive.anchor_path`, else
    the config's default outside the archive root and data_dir (`<data_dir>-anchor/`)."""
    value = override if override is not None else (
        os.environ.get(ANCHOR_ENV_VAR) or config.archive.anchor_path)
    if value is None:
        return config.archive_anchor_default_path
    path = Path(str(value)).expanduser()
    return path if path.is_absolute() else config.project_root / path


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
