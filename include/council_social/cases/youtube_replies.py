"""Reply under a YouTube comment through the Data API v3, and find the reply again.

`POST /youtube/v3/comments?part=snippet` with `{"snippet": {"parentId",
"textOriginal"}}` and an OAuth token (scope youtube.force-ssl) answers the new
comment; `GET /youtube/v3/comments?part=snippet&parentId=` lists the replies.
A call is never retried here (its outcome would be unknown): reply_send looks
for the reply first. 401 (or 403 forbidden/insufficientPermissions) means the
token is no good -> `PostAuthError`; 403 quota or rate limits, 429, 5xx and
network errors -> unknown; any other 4xx -> `PostRejected`. The token goes in
the Authorization header and is masked in every log line.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from council_social.channels.common import load_json, parse_time
from council_social.channels.youtube import youtube_error
from council_social.grid.posting import PostAuthError, PostRejected
from council_social.transport import check_base_url, register_secret, session

AUTH_REASONS = {"authError", "forbidden", "insufficientPermissions"}
UNKNOWN_REASONS = {"quotaExceeded", "rateLimitExceeded", "userRateLimitExceeded",
                   "backendError", "processingFailure"}
FIND_MAX_PAGES = 10


class YouTubeReplier:
    def __init__(self, base_url: str, token: str, *,
                 connection_id: str = "council_social_youtube",
                 timeout: tuple[float, float] = (10.0, 30.0)):
        self.base_url = check_base_url(base_url)
        self._token = token
        self.connection_id = connection_id
        self._timeout = timeout
        self.session = session()
        register_secret(token)

    def __repr__(self) -> str:  # never show the token
        return f"YouTubeReplier(base_url={self.base_url!r})"

    def _call(self, method: str, account, doing: str, *, params: dict[str, Any],
              json: dict | None = None) -> Any:
        resp = self.session.request(method, f"{self.base_url}/youtube/v3/comments",
                                    params=params, json=json, timeout=self._timeout,
                                    headers={"Accept": "application/json",
                                             "Authorization": f"Bearer {self._token}"})
        doc, _ = load_json(resp.content, "")
        status = resp.status_code
        if status < 400:
            return doc
        _, reason, message = youtube_error(doc)
        detail = f"{reason or 'no reason'}: {message or 'no message'}"
        if status == 401 or (status == 403 and reason in AUTH_REASONS):
            raise PostAuthError(f"YouTube refused the OAuth token for {account.key!r} while "
                                f"{doing} ({detail}): renew it in Airflow Connection "
                                f"{self.connection_id!r}")
        if status == 429 or status >= 500 or reason in UNKNOWN_REASONS:
            raise RuntimeError(f"YouTube answered {status} while {doing}: {detail}")
        raise PostRejected(f"YouTube refused the reply ({status}): {detail}")

    def reply(self, account, in_reply_to: str, text: str) -> str:
        doc = self._call("POST", account, "replying to a comment", params={"part": "snippet"},
                         json={"snippet": {"parentId": in_reply_to, "textOriginal": text}})
        reply_id = doc.get("id") if isinstance(doc, dict) else None
        if not isinstance(reply_id, str) or not reply_id:
            raise RuntimeError("YouTube answered a reply without an id")
        return reply_id

    def find(self, account, in_reply_to: str, text: str, since: datetime) -> str | None:
        """The id of the council channel's reply with this text under the comment."""
        params: dict[str, Any] = {"part": "snippet", "parentId": in_reply_to,
                                  "maxResults": 100, "textFormat": "plainText"}
        for _ in range(FIND_MAX_PAGES):
            doc = self._call("GET", account, "checking a comment's replies", params=params)
            for row in (doc.get("items") if isinstance(doc, dict) else None) or []:
                snippet = row.get("snippet") if isinstance(row, dict) else None
                if not isinstance(snippet, dict):
                    continue
                author = (snippet.get("authorChannelId") or {}).get("value")
                created = parse_time(snippet.get("publishedAt"))
                said = snippet.get("textOriginal")
                if (author == account.external_id and isinstance(said, str)
                        and said.strip() == text.strip()
                        and (created is None or created >= since)):
                    return str(row.get("id"))
            token = doc.get("nextPageToken") if isinstance(doc, dict) else None
            if not token:
                return None
            params = {**params, "pageToken": token}
        raise RuntimeError(f"cannot check the replies under {in_reply_to}: more than "
                           f"{FIND_MAX_PAGES} pages")


def from_connection(conn, settings) -> YouTubeReplier | None:
    """The replier for Connection `conn` (None without it or a token): extra `oauth_token`,
    else the password, is the OAuth token; the host (if set) is the API's base URL."""
    if conn is None:
        return None
    token = (conn.extra_dejson or {}).get("oauth_token") or conn.password
    if not token:
        return None
    base_url = "https://www.googleapis.com"
    if conn.host:
        base_url = conn.host if "://" in conn.host else f"{conn.schema or 'https'}://{conn.host}"
        if conn.port:
            base_url = f"{base_url}:{conn.port}"
    return YouTubeReplier(base_url, token, connection_id=settings.connection_id)
