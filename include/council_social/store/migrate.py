"""Run the Alembic migrations without an alembic.ini: the package carries its scripts."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlalchemy import Engine, text

MIGRATIONS = Path(__file__).resolve().parent / "migrations"
# Serialises concurrent upgrades (several workers starting at once).
_ADVISORY_LOCK = 7_240_001


def alembic_config(connection) -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    cfg.attributes["connection"] = connection
    return cfg


def upgrade(engine: Engine, revision: str = "heads") -> str:
    """Bring the `social` schema to `revision`; returns the revisions now current.

    Each capability adds its tables on its own branch from the spine, so the
    default target is every head.
    """
    with engine.begin() as connection:
        connection.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": _ADVISORY_LOCK})
        command.upgrade(alembic_config(connection), revision)
        return current_revision(connection)


def current_revision(connection) -> str:
    from alembic.runtime.migration import MigrationContext

    context = MigrationContext.configure(connection, opts={"version_table_schema": "social"})
    return ",".join(sorted(context.get_current_heads())) or "base"
