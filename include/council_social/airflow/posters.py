"""What posts and replies for the council: publishers and repliers built from Connections."""

from __future__ import annotations

from council_social.airflow.connections import connection
from council_social.airflow.connectors import twitter_connector
from council_social.airflow.council_config import config


def grid_posters() -> dict:
    """Publishers by platform for publish_posts.

    X: the Connection's password is the app's bearer token (reads), its extra
    `user_tokens` maps account keys to user-context tokens (posts). Facebook:
    the page access token is the password, or per account in extra `page_tokens`;
    without that Connection Facebook entries stay 'post by hand'.
    """
    from council_social.grid.facebook_poster import from_connection
    from council_social.grid.twitter_poster import TwitterPoster

    conn = connection(config().channels.twitter.connection_id)
    tokens = (conn.extra_dejson.get("user_tokens") if conn is not None else None) or {}
    posters = {"twitter": TwitterPoster(twitter_connector(), tokens)}
    facebook_settings = config().channels.facebook
    if facebook_settings is not None:
        facebook = from_connection(connection(facebook_settings.connection_id),
                                   facebook_settings)
        if facebook is not None:
            posters["facebook"] = facebook
    return posters


def instagram_poster():
    """Graph calls with the Instagram Connection's token (comment replies), or None without
    that Connection."""
    from council_social.grid.facebook_poster import from_connection

    settings = config().channels.instagram
    if settings is None:
        return None
    return from_connection(connection(settings.connection_id), settings)


def youtube_replier():
    """Comment replies with the YouTube Connection's OAuth token (extra `oauth_token`, else
    the password), or None without it."""
    from council_social.cases.youtube_replies import from_connection

    settings = config().channels.youtube
    if settings is None:
        return None
    return from_connection(connection(settings.connection_id), settings)
