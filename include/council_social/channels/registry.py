"""Which parser reads which platform's page bodies.

Parsers are imported on first use so that `council-social parse` and the
process DAG only load the channel they need.
"""

from __future__ import annotations

from collections.abc import Callable
from importlib import import_module

from council_social.items import ParsedPage

PARSERS: dict[str, str] = {
    "twitter": "council_social.channels.twitter:parse_twitter_page",
    "facebook": "council_social.channels.facebook:parse_facebook_page",
    "instagram": "council_social.channels.instagram:parse_instagram_page",
    "youtube": "council_social.channels.youtube:parse_youtube_page",
    "flickr": "council_social.channels.flickr:parse_flickr_page",
    "linkedin": "council_social.channels.linkedin:parse_linkedin_page",
    "feed": "council_social.channels.feeds:parse_feed_page",
    "eventbrite": "council_social.channels.eventbrite:parse_eventbrite_page",
}


def parser_for(platform: str) -> Callable[..., ParsedPage]:
    try:
        target = PARSERS[platform]
    except KeyError:
        known = ", ".join(sorted(PARSERS))
        raise ValueError(f"no parser for platform {platform!r} (known: {known})") from None
    module, _, name = target.partition(":")
    return getattr(import_module(module), name)


def parse_page(platform: str, body: bytes, account_key: str | None = None) -> ParsedPage:
    return parser_for(platform)(body, account_key=account_key)
