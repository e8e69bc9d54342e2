"""Panels built on other capabilities show 'not yet available' instead of failing when absent."""

from __future__ import annotations

from importlib import import_module


class Unavailable(Exception):
    """A capability this view needs is not installed or not migrated here."""


def need(conn, modules: tuple[str, ...], tables: tuple[str, ...]) -> None:
    for name in modules:
        try:
            import_module(name)
        except ImportError as exc:
            raise Unavailable(f"{name} is not installed ({exc})") from None
    for table in tables:
        if conn.exec_driver_sql(f"SELECT to_regclass('social.{table}')").scalar() is None:
            raise Unavailable(f"table social.{table} does not exist: run `council-social db upgrade`")
