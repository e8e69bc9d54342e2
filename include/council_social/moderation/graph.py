"""Hide a Facebook or Instagram comment through the Graph API, and check whether it is hidden.

`POST /{comment-id}?is_hidden=true` with a Page access token answers
`{"success": true}`; `GET /{comment-id}?fields=is_hidden` says whether it is
hidden now. Errors are classified as posting's are (grid.facebook_poster):
a refused token, a refusal for good, or an unknown outcome (RuntimeError).
"""

from __future__ import annotations

from council_social.channels.facebook import GRAPH_VERSION
from council_social.grid.facebook_poster import FacebookPoster


class GraphModerator(FacebookPoster):
    """FacebookPoster's session, token handling and error classes, for comments."""

    def _token(self, account) -> str:
        if account is None and self._default:
            return self._default  # an item on no configured account: the default Page token
        return super()._token(account)

    def hide(self, account, comment_id: str) -> None:
        status, doc = self._request("POST", f"/{GRAPH_VERSION}/{comment_id}", account,
                                    {"is_hidden": "true"})
        self._raise_for(status, doc, account, "hiding a comment")
        if not (isinstance(doc, dict) and doc.get("success") is True):
            raise RuntimeError(f"Graph answered {status} to a hide without success")

    def is_hidden(self, account, comment_id: str) -> bool:
        status, doc = self._request("GET", f"/{GRAPH_VERSION}/{comment_id}", account,
                                    {"fields": "is_hidden"})
        self._raise_for(status, doc, account, "checking a comment")
        return bool(isinstance(doc, dict) and doc.get("is_hidden"))
