"""Post to X with tweepy's create_tweet, and look a post up on the account's timeline.

Builds its clients like the ingest connector (`channels.twitter.tweepy_client`, on
the one HTTP layer) so posts go to the configured base URL with the token added
outside tweepy's logging.
Posting needs a user-context token per account (X refuses app-only bearer
tokens for POST /2/tweets); reading the timeline uses the connector's bearer.
"""

from __future__ import annotations

import html
import json
import re
from datetime import datetime

import tweepy

from council_social.channels.twitter import TwitterConnector, parse_twitter_page, tweepy_client
from council_social.grid.posting import DuplicatePost, PostAuthError, PostRejected

__all__ = ["DuplicatePost", "PostAuthError", "PostRejected", "TwitterPoster", "same_text"]


def same_text(posted: str | None, ours: str) -> bool:
    # X returns &, < and > HTML-escaped in tweet text.
    return posted is not None and html.unescape(posted).strip() == ours.strip()


def same_text_but_links(posted: str | None, ours: str) -> bool:
    """As same_text, with every URL read as one: X shows links as t.co addresses."""
    def bare(value: str) -> str:
        return re.sub(r"https?://\S+", "<url>", html.unescape(value)).strip()

    return posted is not None and bare(posted) == bare(ours)


class TwitterPoster:
    platform = "twitter"

    def __init__(self, connector: TwitterConnector, user_tokens: dict[str, str], *,
                 timeout: tuple[float, float] = (10.0, 30.0)):
        self.connector = connector
        self._tokens = dict(user_tokens)
        self._timeout = timeout
        self._clients: dict[str, tweepy.Client] = {}

    def __repr__(self) -> str:  # never show tokens
        return f"TwitterPoster(base_url={self.connector.base_url!r})"

    def _client(self, account) -> tweepy.Client:
        if account.key not in self._clients:
            token = self._tokens.get(account.key)
            if not token:
                raise PostAuthError(f"no user-context token for account {account.key!r} in the "
                                   "X Connection's extra 'user_tokens'")
            self._clients[account.key] = tweepy_client(self.connector.base_url, token,
                                                       self._timeout)
        return self._clients[account.key]

    def create(self, account, text: str, *, link: str | None = None,
               in_reply_to: str | None = None) -> str:
        """Post; return the new post's id. Network errors propagate (outcome unknown).

        `link` is for channels that attach one; on X a link belongs in the text.
        `in_reply_to` makes it a reply in that post's thread (cases.reply_send).
        """
        try:
            resp = self._client(account).create_tweet(text=text, in_reply_to_tweet_id=in_reply_to,
                                                      user_auth=False)
        except tweepy.errors.HTTPException as e:
            status = e.response.status_code
            detail = e.response.text[:200]
            if status == 429 or status >= 500:
                raise RuntimeError(f"X answered {status} to a post: {detail}") from None
            if status == 403 and "duplicate" in detail.lower():
                raise DuplicatePost(detail) from None
            if status == 401:
                raise PostAuthError(f"X refused the user-context token for {account.key!r} "
                                    "(401): renew it in the X Connection's extra "
                                    "'user_tokens'") from None
            raise PostRejected(f"X refused the post ({status}): {detail}") from None
        return str(json.loads(resp.content)["data"]["id"])

    def find(self, account, text: str, since: datetime, *,
             in_reply_to: str | None = None) -> str | None:
        """The id of a post by `account` with this text since `since` (replying to
        `in_reply_to`, if given), if there is one."""
        result = self.connector.fetch(account, "tweets", start_time=since)
        if result.stopped_reason and not result.pages:
            raise RuntimeError(f"cannot check {account.key}'s timeline: {result.stopped_reason}")
        for page in result.pages:
            for item in parse_twitter_page(page.body).items:
                if item.author_external_id == str(account.external_id) and \
                        (same_text(item.text, text) if in_reply_to is None
                         else same_text_but_links(item.text, text)
                         and item.in_reply_to_external_id == in_reply_to):
                    return item.external_id
        return None
