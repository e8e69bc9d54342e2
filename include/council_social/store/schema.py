"""Every table of the `social` schema, registered on one MetaData.

Each capability defines its tables in its own module on `tables.metadata`;
importing this module imports them all, so migrations, tests and the
archive see the whole schema. Add a capability's table module here.
"""

from __future__ import annotations

from council_social.store import tables  # noqa: F401  (the spine)
from council_social.store.tables import SCHEMA, metadata

TABLE_MODULES: list[str] = [
    "council_social.triage.tables",
    "council_social.grid.tables",
    "council_social.cases.tables",
    "council_social.cases.reply_tables",
    "council_social.archive.tables",
    "council_social.reports.tables",
    "council_social.archive.verify_log",
    "council_social.governance.tables",
    "council_social.moderation.tables",
    "council_social.promotion.tables",
    "council_social.pipeline.tables",
]


def all_tables():
    from importlib import import_module

    for module in TABLE_MODULES:
        import_module(module)
    return list(metadata.sorted_tables)


__all__ = ["SCHEMA", "metadata", "all_tables"]
