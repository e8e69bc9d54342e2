"""The platform connectors the ingest tasks use, each with its credential from a Connection."""

from __future__ import annotations

from datetime import UTC, datetime

from council_social.airflow.connections import base_url, connection, engine
from council_social.airflow.council_config import config


def twitter_connector():
    """X's connector: the bearer token is the `council_social_twitter` Connection's password."""
    from council_social.channels.twitter import TwitterConnector

    settings = config().channels.twitter
    conn = connection(settings.connection_id)
    if conn is None or not conn.password:
        raise RuntimeError(
            f"Airflow Connection {settings.connection_id!r} is missing or has no bearer token "
            "in its password field; see README, 'Real platform credentials'."
        )
    return TwitterConnector(
        conn.password,
        base_url(conn) or "https://api.x.com",
        page_size=settings.page_size,
        max_pages=settings.max_pages_per_run,
        max_rate_limit_wait_seconds=settings.max_rate_limit_wait_seconds,
    )


def channel_connector(platform: str):
    """The connector for one non-X channel, its credential from `council_social_<platform>`.

    The token is the Connection's password (Flickr: the API key). Feeds need no
    Connection; if one exists its host is a base URL the feeds are read through.
    """
    settings = config().channels[platform]
    conn = connection(settings.connection_id)
    url = base_url(conn)
    common = {"page_size": settings.page_size, "max_pages": settings.max_pages_per_run,
              "max_rate_limit_wait_seconds": settings.max_rate_limit_wait_seconds}
    if platform == "feed":
        from council_social.channels.feeds import FeedConnector

        # Sites see which council reads them (the council's own site, not the first tenant's).
        return FeedConnector(url, user_agent=f"council-social/1 (+{config().council.website})",
                             **common)
    if conn is None or not conn.password:
        raise RuntimeError(
            f"Airflow Connection {settings.connection_id!r} is missing or has no token in its "
            "password field; see README, 'Channels'."
        )
    token = conn.password
    if platform == "facebook":
        from council_social.channels.facebook import FacebookConnector

        return FacebookConnector(token, url or "https://graph.facebook.com",
                                 groups=settings.groups,
                                 comment_window_hours=settings.comment_window_hours, **common)
    if platform == "instagram":
        from council_social.channels.instagram import InstagramConnector

        return InstagramConnector(token, url or "https://graph.facebook.com",
                                  hashtags=settings.hashtags,
                                  comment_window_hours=settings.comment_window_hours, **common)
    if platform == "youtube":
        from council_social.channels.repo import youtube_units_spent_today
        from council_social.channels.youtube import QuotaLedger, YouTubeConnector

        with engine().connect() as db:
            spent = youtube_units_spent_today(db, datetime.now(UTC))
        ledger = QuotaLedger(settings.quota_units_per_day, spent, settings.quota_reserve_units)
        return YouTubeConnector(token, url or "https://www.googleapis.com", ledger=ledger,
                                **common)
    if platform == "flickr":
        from council_social.channels.flickr import FlickrConnector

        return FlickrConnector(token, url or "https://www.flickr.com",
                               search_text=settings.search_text, **common)
    if platform == "linkedin":
        from council_social.channels.linkedin import LinkedInConnector

        return LinkedInConnector(token, url or "https://api.linkedin.com", **common)
    if platform == "eventbrite":
        from council_social.channels.eventbrite import EventbriteConnector

        return EventbriteConnector(token, url or "https://www.eventbriteapi.com", **common)
    raise KeyError(f"no connector for platform {platform!r}")
