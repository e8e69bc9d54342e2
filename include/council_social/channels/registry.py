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
