"""Impersonation: an account that is not the council's but looks like one of its
handles or display names (rapidfuzz), e.g. BrentCounci1 or "Brent Council Help Desk"."""

from __future__ import annotations

import re

from rapidfuzz import fuzz

_LOOKALIKE = str.maketrans({"0": "o", "1": "l", "3": "e", "4": "a", "5": "s", "7": "t", "|": "l"})
_DISCLAIMS = re.compile(r"parody|unofficial|not affiliated|fan account|watch\b|critic|satire", re.I)


def _norm(name: str) -> str:
    return re.sub(r"[^a-z]", "", name.casefold().translate(_LOOKALIKE))


class ImpersonationCheck:
    def __init__(self, accounts, threshold: float = 85):
        self.threshold = threshold
        self.own_ids = {(a.platform, a.external_id) for a in accounts if a.external_id}
        self.own_handles = {(a.platform, a.handle.casefold()) for a in accounts}
        names = {_norm(a.handle) for a in accounts} | {_norm(a.display_name) for a in accounts}
        self.names = sorted(n for n in names if len(n) >= 6)
        self._cache: dict[tuple, tuple[bool, str | None]] = {}

    def is_own(self, platform: str, author_id: str | None, username: str | None) -> bool:
        return (platform, author_id) in self.own_ids or (
            username is not None and (platform, username.casefold()) in self.own_handles
        )

    def check(self, platform: str, author_id: str | None, username: str | None,
              display_name: str | None, description: str | None = None) -> tuple[bool, str | None]:
        """(impersonation?, the council name it resembles)."""
        if self.is_own(platform, author_id, username):
            return False, None
        key = (username, display_name, description)
        if key not in self._cache:
            self._cache[key] = self._check(username, display_name, description)
        return self._cache[key]

    def _check(self, username, display_name, description) -> tuple[bool, str | None]:
        if _DISCLAIMS.search(" ".join(filter(None, (username, display_name, description)))):
            return False, None
        for candidate in filter(None, (username, display_name)):
            norm = _norm(candidate)
            if len(norm) < 6:
                continue
            for name in self.names:
                if fuzz.ratio(norm, name) >= self.threshold:
                    return True, name
                # "Brent Council Help Desk": the whole council name inside a longer one.
                if len(name) >= 10 and norm.startswith(name):
                    return True, name
        return False, None
