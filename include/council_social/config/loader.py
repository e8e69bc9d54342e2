"""Find, read and validate a council.yaml; refuse local storage in production."""

from __future__ import annotations

import os
from pathlib import Path

import yaml
from pydantic import ValidationError

from council_social import safe_yaml
from council_social.bounded_read import InputRefused, read_text
from council_social.config.model import CouncilConfig
from council_social.config.paths import default_config_path, project_root

CONFIG_ENV_VAR = "COUNCIL_SOCIAL_CONFIG"
# The shared storage every worker and the API server use (docker-compose sets it).
STORAGE_ROOT_ENV_VAR = "COUNCIL_SOCIAL_STORAGE_ROOT"
# "production" (docker-compose) refuses storage inside a container's local .data.
ENVIRONMENT_ENV_VAR = "COUNCIL_SOCIAL_ENV"
# Lets a deployment point the shipped council.yaml at a real server (docker-compose does).
DATABASE_URL_ENV_VAR = "COUNCIL_SOCIAL_DATABASE_URL"
# A council.yaml is tens of kilobytes; anything this big is not one.
CONFIG_LIMIT = 4 * 1024 * 1024


class ConfigError(ValueError):
    """The configuration file is missing, unreadable or invalid."""


def _format_loc(loc: tuple[str | int, ...]) -> str:
    return ".".join(str(p) for p in loc) or "(top level)"


def _display(path: Path) -> str:
    try:
        return str(path.relative_to(project_root()))
    except ValueError:
        return str(path)


def resolve_config_path(path: str | os.PathLike[str] | None = None) -> Path:
    """Explicit argument, else $COUNCIL_SOCIAL_CONFIG, else the packaged council.yaml."""
    if path is not None and str(path) != "":
        return Path(path).expanduser().resolve()
    env = os.environ.get(CONFIG_ENV_VAR)
    if env:
        return Path(env).expanduser().resolve()
    return default_config_path()


def load_config(path: str | os.PathLike[str] | None = None) -> CouncilConfig:
    """Read, parse and validate a council.yaml; raise ConfigError naming every problem."""
    source = resolve_config_path(path)
    name = _display(source)
    if not source.exists() and not source.is_symlink():
        raise ConfigError(f"{name}: config file not found")
    try:
        text = read_text(source, CONFIG_LIMIT)
    except InputRefused as exc:
        raise ConfigError(f"config file {exc}") from None
    try:
        data = safe_yaml.load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" at line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        problem = getattr(exc, "problem", None) or str(exc)
        raise ConfigError(f"{name}: invalid YAML{where}: {problem}") from exc
    if not isinstance(data, dict):
        kind = "empty" if data is None else f"a {type(data).__name__}"
        raise ConfigError(f"{name}: the top level must be a mapping of sections, got {kind}")
    for env_var, key in ((DATABASE_URL_ENV_VAR, "database_url"), (STORAGE_ROOT_ENV_VAR, "root")):
        override = os.environ.get(env_var)
        if override:
            storage = data.get("storage")
            data["storage"] = {**(storage if isinstance(storage, dict) else {}), key: override}
    try:
        config = CouncilConfig.model_validate(data)
    except ValidationError as exc:
        lines = [f"{name}: {exc.error_count()} problem(s) in council configuration"]
        lines += [
            f"{name}: {_format_loc(e['loc'])}: {e['msg'].removeprefix('Value error, ')}"
            for e in exc.errors()
        ]
        raise ConfigError("\n".join(lines)) from None
    config._source_path = source
    if os.environ.get(ENVIRONMENT_ENV_VAR, "").strip().lower() == "production":
        _refuse_local_storage(config, name)
        _refuse_anchor_beside_archive(config, name)
    return config


def _refuse_anchor_beside_archive(config: CouncilConfig, name: str) -> None:
    """In production the anchor log must not sit where the archive's or the data folder's
    owners can rewrite it together with the files (README, Archive)."""
    from council_social.config.archive_paths import anchor_path, archive_root

    anchor = anchor_path(config).resolve()
    root = archive_root(config)
    inside_root = isinstance(root, Path) and anchor.is_relative_to(root.resolve())
    # `.data-anchor` (the one-machine default) is a container's own folder just as much
    if inside_root or any(part.startswith(".data") for part in anchor.parts):
        where = "the archive root" if inside_root else "a local .data folder"
        raise ConfigError(
            f"{name}: the archive anchor log {anchor} is inside {where}; in production "
            f"({ENVIRONMENT_ENV_VAR}=production) set archive.anchor_path or "
            "COUNCIL_SOCIAL_ARCHIVE_ANCHOR to a separate, append-only place")


# The one storage path of the production stack (docker-compose mounts its volume here).
PRODUCTION_STORAGE_ROOT = "/opt/council-social/storage"


def persistent_paths(config) -> dict[str, object]:
    """What must outlive a container, by name, where this configuration puts it."""
    from council_social.config.archive_paths import anchor_path, archive_root

    outbox = os.environ.get("COUNCIL_SOCIAL_OUTBOX")
    return {
        "archive": archive_root(config),
        "anchor log": anchor_path(config),
        "models": config.models_path,
        "outbox": Path(outbox) if outbox else config.outbox_path,
        "grid pages": config.grid_output_path,
        "report pages": config.reports_output_path,
    }


def not_persistent(path, image_root: Path) -> str | None:
    """Why `path` would be lost with its container (inside .data or the image), else None."""
    if not isinstance(path, Path):
        return None  # an fsspec URL: object storage outlives every container
    if ".data" in path.parts:
        return "inside a local .data folder"
    if path.is_relative_to(image_root):
        return f"inside the image ({image_root})"
    return None


def _refuse_local_storage(config: CouncilConfig, name: str) -> None:
    """In production what must persist (archive, anchor, models, outbox, pages) may not sit
    in a container's own `.data` or image, which another container cannot see and a
    rebuild loses. One line naming every such path."""
    image_root = project_root()
    bad = [f"{what} {path} ({why})" for what, path in persistent_paths(config).items()
           if (why := not_persistent(path, image_root))]
    if bad:
        unset = "" if config.storage_root is not None else " (storage.root is unset)"
        raise ConfigError(
            f"{name}: in production ({ENVIRONMENT_ENV_VAR}=production) these would be lost "
            f"with the container{unset}: {'; '.join(bad)}. Set {STORAGE_ROOT_ENV_VAR} or "
            f"storage.root to the shared volume, e.g. {PRODUCTION_STORAGE_ROOT}, and the "
            "anchor (COUNCIL_SOCIAL_ARCHIVE_ANCHOR or archive.anchor_path) to a volume of "
            "its own outside the archive root"
        )
