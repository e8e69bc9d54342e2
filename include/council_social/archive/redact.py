"""Redact third-party personal data: names and handles of people who are not council accounts.

Platform documents differ (X, Facebook, Instagram, RSS...), so redaction works
from who the store knows (`social.authors`: id, username, display name on
every platform) rather than from one API's field names:

- a JSON object that is a known person (its `id` or `username` is one) loses
  its identifying fields (name, username, description, location, links) and
  its id becomes a stable pseudonym ("person-3");
- every string (post text, URLs, XML feeds) has known people's handles and
  names replaced, and any @handle that is not a council account;
- ids equal to a known person's id become that person's pseudonym.

Council accounts (council.yaml) are never redacted. A name typed some other
way in free text is beyond this: an officer should read the bundle before
release (the README says so).
"""

from __future__ import annotations

import re
from typing import Any

_MENTION = re.compile(r"@(\w{1,30})")
_PERSON_FIELDS = ("name", "username", "description", "location", "url", "profile_image_url",
                  "realname", "path_alias", "link", "profileurl", "customUrl", "screen_name")
_PERSON_ID_KEYS = ("author_id", "in_reply_to_user_id")
REDACTED = "[redacted]"
NAME_REDACTED = "[name redacted]"


class Redactor:
    def __init__(self, council_handles, council_ids, people: dict[str, tuple[str | None, str | None]]):
        """`people`: external user id -> (username, display name) of every known author."""
        self.council_handles = {h.lower() for h in council_handles if h}
        self.council_ids = {str(i) for i in council_ids if i}
        self.people = {str(k): v for k, v in people.items()
                       if not self.is_council(str(k), v[0])}
        self._pseudonyms: dict[str, str] = {}
        self._by_handle = {u.lower(): uid for uid, (u, _) in self.people.items() if u}
        tokens: dict[str, str | None] = {}  # lower-case token -> person id (handle) or None (name)
        for uid, (username, name) in self.people.items():
            if name and len(name) >= 3:
                tokens.setdefault(name.lower(), None)
            if username and len(username) >= 3:
                tokens[username.lower()] = uid
        self._tokens = tokens
        alternatives = "|".join(re.escape(t) for t in sorted(tokens, key=len, reverse=True))
        self._token_re = (re.compile(rf"(?<!\w)(?:{alternatives})(?!\w)", re.IGNORECASE)
                          if tokens else None)

    def is_council(self, user_id: str | None = None, handle: str | None = None) -> bool:
        if user_id is not None and str(user_id) in self.council_ids:
            return True
        return handle is not None and str(handle).lower().lstrip("@") in self.council_handles

    def pseudonym(self, user_id: str) -> str:
        key = str(user_id)
        if key not in self._pseudonyms:
            self._pseudonyms[key] = f"person-{len(self._pseudonyms) + 1}"
        return self._pseudonyms[key]

    def handle(self, handle: str | None, user_id: str | None = None) -> str | None:
        if handle is None or self.is_council(user_id, handle):
            return handle
        uid = user_id or self._by_handle.get(handle.lower().lstrip("@"))
        return f"[{self.pseudonym(uid)}]" if uid else REDACTED

    def user_id(self, user_id: str | None) -> str | None:
        if user_id is None or self.is_council(user_id):
            return user_id
        return self.pseudonym(user_id)

    def text(self, value: str | None) -> str | None:
        if not value:
            return value

        def mention(m: re.Match) -> str:
            return m.group(0) if self.is_council(handle=m.group(1)) else "@" + self.handle(m.group(1))

        out = _MENTION.sub(mention, value)
        if self._token_re is not None:
            def token(m: re.Match) -> str:
                uid = self._tokens.get(m.group(0).lower())
                return f"[{self.pseudonym(uid)}]" if uid else NAME_REDACTED

            out = self._token_re.sub(token, out)
        return out

    def _person_id(self, value: dict) -> str | None:
        for key in ("id", "nsid"):
            if isinstance(value.get(key), (str, int)) and str(value[key]) in self.people:
                return str(value[key])
        username = value.get("username")
        if isinstance(username, str) and username.lower() in self._by_handle:
            return self._by_handle[username.lower()]
        return None

    def json(self, value: Any) -> Any:
        """A platform document with every non-council person's identifying data replaced."""
        if isinstance(value, list):
            return [self.json(v) for v in value]
        if isinstance(value, str):
            return self.pseudonym(value) if value in self.people else self.text(value)
        if not isinstance(value, dict):
            return value
        person = self._person_id(value)
        out: dict[str, Any] = {}
        for key, v in value.items():
            if person is not None and key in _PERSON_FIELDS:
                out[key] = self.handle(v, person) if key == "username" and isinstance(v, str) else REDACTED
            elif person is not None and key in ("id", "nsid"):
                out[key] = self.pseudonym(person)
            elif key in _PERSON_ID_KEYS and isinstance(v, (str, int)):
                out[key] = self.user_id(str(v))
            else:
                out[key] = self.json(v)
        return out
