"""The migrations build exactly the schema the code queries, and upgrading is repeatable."""

from __future__ import annotations

from sqlalchemy import text

from council_social.store.migrate import current_revision, upgrade
from council_social.store.schema import all_tables, metadata


def test_migrations_match_the_table_definitions(engine):
    from alembic.autogenerate import compare_metadata
    from alembic.runtime.migration import MigrationContext

    all_tables()
    with engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={
            "include_schemas": True,
            "version_table_schema": "social",
            "include_name": lambda name, type_, parent: type_ != "schema" or name == "social",
        })
        differences = [
            d for d in compare_metadata(context, metadata)
            # Indexes live only in migrations; Core tables need not repeat them.
            if not (isinstance(d, tuple) and d[0] in ("remove_index",))
        ]
    assert differences == []


def _script_heads() -> str:
    from alembic.script import ScriptDirectory

    from council_social.store.migrate import alembic_config

    return ",".join(sorted(ScriptDirectory.from_config(alembic_config(None)).get_heads()))


def test_upgrade_twice_is_a_no_op(engine):
    heads = _script_heads()
    assert upgrade(engine) == upgrade(engine) == heads
    with engine.connect() as conn:
        assert current_revision(conn) == heads
        tables = set(conn.execute(text(
            "SELECT table_name FROM information_schema.tables WHERE table_schema = 'social'"
        )).scalars())
    assert {t.name for t in all_tables()} <= tables


def test_db_upgrade_command(database_url, capsys):
    from council_social.cli import main

    assert main(["db", "upgrade", "--url", database_url]) == 0
    out = capsys.readouterr().out
    assert _script_heads() in out and "postgres@" in out


def test_the_embedded_database_starts_answers_and_stops(tmp_path):
    # `make demo` promises to stop what it started; a handle that forgot the server once
    # left it running.
    from sqlalchemy import create_engine

    from council_social.store.engine import EmbeddedDatabase

    embedded = EmbeddedDatabase(tmp_path)
    engine = create_engine(embedded.start())
    try:
        with engine.connect() as conn:
            assert conn.execute(text("SELECT 1")).scalar() == 1
    finally:
        engine.dispose()
        embedded.stop()
    assert not embedded.is_running()
