"""Where the archive's files and its anchor log are, from the flags, the environment and
council.yaml. Configuration, not archive code: the production guard checks these paths."""

from __future__ import annotations

import os
from pathlib import Path

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
