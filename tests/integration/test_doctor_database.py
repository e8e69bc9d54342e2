"""`council-social doctor` against a real PostgreSQL: migrated or not, and the clock."""

from __future__ import annotations

import uuid

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from council_social.config import load_config
from council_social.deploy import doctor
from tests.conftest import PG_ADMIN_URL

pytestmark = pytest.mark.postgres


def test_a_migrated_database_passes_and_its_clock_agrees(engine, database_url, monkeypatch):
    monkeypatch.setenv("COUNCIL_SOCIAL_DATABASE_URL", database_url)
    checks = {c.name: c for c in doctor.check_database(load_config())}
    assert checks["database"].ok, checks["database"].detail
    assert checks["clock"].ok and "s from the database's" in checks["clock"].detail
    assert make_url(database_url).password is None or \
        make_url(database_url).password not in checks["database"].detail


def test_an_unmigrated_or_unreachable_database_is_a_problem(monkeypatch):
    admin = create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
    name = f"doctor_test_{uuid.uuid4().hex[:8]}"
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        url = make_url(PG_ADMIN_URL).set(database=name).render_as_string(hide_password=False)
        monkeypatch.setenv("COUNCIL_SOCIAL_DATABASE_URL", url)
        check = doctor.check_database(load_config())[0]
        assert not check.ok and "at revision base, expected" in check.detail
        assert "council-social db upgrade" in check.detail
        dead = make_url(PG_ADMIN_URL).set(port=1, database=name)
        monkeypatch.setenv("COUNCIL_SOCIAL_DATABASE_URL",
                           dead.render_as_string(hide_password=False))
        [check] = doctor.check_database(load_config())
        assert not check.ok and check.detail.startswith("council database unreachable")
    finally:
        from council_social.store import engine as engine_module

        for cached in list(engine_module._engines.values()):
            cached.dispose()
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()
