"""Reply in a Facebook or Instagram comment thread through the Graph API, and find it again.

Facebook: `POST /{comment-or-post-id}/comments?message=` answers `{"id": ...}`
(a post's comment, or a reply under a comment); `GET` on the same edge lists
them with `from{id}`, `message` and `created_time`. Instagram:
`POST /{ig-comment-id}/replies?message=`, listed by `GET /{ig-comment-id}/replies`
with `text`, `username` and `timestamp`. Both go through grid.facebook_poster's
session (tokens masked, never retried) and its error classes: a refused token
is `PostAuthError` (the reply stays queued), a refusal for good `PostRejected`,
anything else an unknown outcome that reply_send settles by `find`.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from council_social.channels.common import parse_time
from council_social.channels.facebook import GRAPH_VERSION, graph_next

FIND_MAX_PAGES = 10


class GraphReplier:
    """What Facebook and Instagram share; subclasses name the edge and the fields."""

    edge = "comments"
    text_field = "message"
    time_field = "created_time"
    fields = "id,message,created_time,from{id}"

    def __init__(self, poster):
        self.poster = poster  # a FacebookPoster: the Connection's session and tokens

    def _mine(self, account, row: dict) -> bool:
        raise NotImplementedError

    def reply(self, account, in_reply_to: str, text: str) -> str:
        doc = self.poster.call("POST", f"/{GRAPH_VERSION}/{in_reply_to}/{self.edge}", account,
                               {"message": text}, "replying in a comment thread")
        reply_id = doc.get("id") if isinstance(doc, dict) else None
        if not isinstance(reply_id, str) or not reply_id:
            # 2xx without an id: we cannot tell what happened, so the thread is checked first.
            raise RuntimeError("Graph answered a reply without an id")
        return reply_id

    def find(self, account, in_reply_to: str, text: str, since: datetime) -> str | None:
        """The id of the council's reply with this text under `in_reply_to` since `since`."""
        url: str | None = f"/{GRAPH_VERSION}/{in_reply_to}/{self.edge}"
        params: dict[str, Any] = {"fields": self.fields, "limit": 100}
        for _ in range(FIND_MAX_PAGES):
            doc = self.poster.call("GET", url, account, params, "checking a comment thread")
            for row in (doc.get("data") if isinstance(doc, dict) else None) or []:
                if not isinstance(row, dict) or not self._mine(account, row):
                    continue
                created = parse_time(row.get(self.time_field))
                said = row.get(self.text_field)
                if (isinstance(said, str) and said.strip() == text.strip()
                        and (created is None or created >= since)):
                    return str(row.get("id"))
            url, params = graph_next(doc), {}  # paging.next carries every parameter
            if not url:
                return None
        raise RuntimeError(f"cannot check the thread under {in_reply_to}: more than "
                           f"{FIND_MAX_PAGES} pages of replies")


class FacebookReplier(GraphReplier):
    """A comment by the page under a post, or a reply under a comment."""

    def _mine(self, account, row: dict) -> bool:
        author = row.get("from")
        author_id = author.get("id") if isinstance(author, dict) else None
        # Graph leaves `from` out where the token may not see it; the text still has to match.
        return author_id in (None, str(account.external_id or account.handle))


class InstagramReplier(GraphReplier):
    """A reply by the council's Instagram account under a comment."""

    edge = "replies"
    text_field = "text"
    time_field = "timestamp"
    fields = "id,text,username,timestamp"

    def _mine(self, account, row: dict) -> bool:
        username = row.get("username")
        return (isinstance(username, str)
                and username.casefold() == (account.handle or "").lstrip("@").casefold())
