"""The assets the DAGs announce and listen to, and the tags the DAG list filters on."""

from __future__ import annotations

from enum import StrEnum

from airflow.sdk import Asset

RAW_TWITTER = Asset("council_social.raw_pages.twitter")
# One raw-pages asset per non-X channel (ingest_channels.py); process_items listens to all.
CHANNEL_PLATFORMS = ("facebook", "instagram", "youtube", "flickr", "linkedin", "feed",
                     "eventbrite")
RAW_CHANNELS = {p: Asset(f"council_social.raw_pages.{p}") for p in CHANNEL_PLATFORMS}
RAW_FACEBOOK = RAW_CHANNELS["facebook"]
ITEMS = Asset("council_social.items")


class Tag(StrEnum):
    """Labels for the DAG list's filter; they choose no behaviour."""

    INGEST = "ingest"
    PROCESS = "process"
    TWITTER = "twitter"
    COUNCIL_SOCIAL = "council-social"
    CHANNELS = "channels"
    FACEBOOK = "facebook"
    INSTAGRAM = "instagram"
    YOUTUBE = "youtube"
    FLICKR = "flickr"
    LINKEDIN = "linkedin"
    FEED = "feed"
    EVENTBRITE = "eventbrite"
    GRID = "grid"
    PUBLISH = "publish"
    CASES = "cases"
    ARCHIVE = "archive"
    TRIAGE = "triage"
    REPORTS = "reports"
    PROMOTION = "promotion"


def tags(*extra: Tag) -> list[str]:
    return [Tag.COUNCIL_SOCIAL.value, *(t.value for t in extra)]
