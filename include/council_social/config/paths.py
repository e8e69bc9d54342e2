"""Where the project and its packaged council.yaml live (no I/O)."""

from __future__ import annotations

from pathlib import Path


def project_root() -> Path:
    """The directory holding `include/` (the repo, or /opt/airflow in the image)."""
    return Path(__file__).resolve().parents[3]


def default_config_path() -> Path:
    return Path(__file__).resolve().parents[2] / "config" / "council.yaml"
