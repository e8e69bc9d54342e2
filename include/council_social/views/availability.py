"""Panels built on other capabilities show 'not yet available' instead of failing when absent."""

from __future__ import annotations

from importlib import import_module

from council_social.views.queries import table_exists


class Unavailable(Exception):
    """A capability this view needs is not installed or not migrated here."""


def need(conn, modules: tuple[str, ...], tables: tuple[str, ...]) -> None:
    for name in modules:
        try:
            import_module(name)
        except ImportError as exc:
            raise Unavailable(f"{name} is not installed ({exc})") from None
    for table in tables:
        if not table_exists(conn, table):
            raise Unavailable(f"table social.{table} does not exist: run `council-social db upgrade`")
