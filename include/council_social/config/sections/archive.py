"""The WARC archive: where it lives, how long each record class is kept."""

from __future__ import annotations

from typing import Annotated

from pydantic import Field

from council_social.config.types import (
    ConfigModel,
    Email,
    NonBlank,
    Slug,
)


class ArchiveRetention(ConfigModel):
    """Years each record class is kept; a file goes only when every record in it may."""

    default_years: int = Field(default=6, ge=1)
    # own_posts | mentions | search | rechecks | other -> years (default_years if absent)
    classes: dict[Slug, Annotated[int, Field(ge=1)]] = Field(default_factory=dict)

    def years_for(self, record_class: str) -> int:
        return self.classes.get(record_class, self.default_years)


class ArchiveSettings(ConfigModel):
    # None -> <data_dir>/archive. A path (a mounted bucket works) or an fsspec URL such as
    # s3://bucket/prefix (needs that filesystem's fsspec package); see README, "Archive".
    root: NonBlank | None = None
    # How far back the daily re-check looks for edited or deleted posts and mentions.
    recheck_days: int = Field(default=7, ge=0)
    retention: ArchiveRetention = Field(default_factory=ArchiveRetention)
    # The chain's head, appended after every file, somewhere the database's and the archive
    # root's owners cannot rewrite (a WORM mount, another host's share). None ->
    # <storage.root>/anchor/, else <data_dir>-anchor/archive-anchor.log (never inside the root
    # or .data; production refuses that); env COUNCIL_SOCIAL_ARCHIVE_ANCHOR wins. README, "Archive".
    anchor_path: NonBlank | None = None
    # Receives each day's head by email: a copy of the anchor nobody here can edit.
    records_officer_email: Email | None = None
