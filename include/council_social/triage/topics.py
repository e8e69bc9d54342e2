"""Topic and owning service from council.yaml: keywords, hashtags, Brent places."""

from __future__ import annotations

import re
from dataclasses import dataclass

_SEPARATORS = re.compile(r"[\s-]+")


@dataclass(frozen=True)
class TopicMatch:
    topic: str | None
    department: str | None
    terms: tuple[str, ...]
    places: tuple[str, ...]


def _piece(term: str) -> str:
    # A space in a term matches any run of spaces or hyphens; a hyphen may be left out.
    return re.escape(term).replace(r"\ ", r"[\s-]+").replace(r"\-", r"[\s-]*")


def terms_pattern(terms: list[str]) -> re.Pattern[str]:
    """One alternation of the casefolded terms, whole words, an optional plural "s";
    longest first, so "missed collection" wins over "collection". Matched against
    casefolded text: case-sensitive alternatives are rejected on their first letter,
    several times faster than ignoring case."""
    ordered = sorted({t.casefold() for t in terms}, key=lambda t: (-len(t), t))
    body = "|".join(_piece(t) for t in ordered)
    return re.compile(rf"(?<!\w)(?:{body})s?(?!\w)")


class TopicMatcher:
    """Compiled once per config: one alternation for keywords, one for places."""

    def __init__(self, topics, places: list[str]):
        self._by_term: dict[str, str] = {}
        self._weight: dict[str, float] = {}
        self._service: dict[str, str] = {}
        terms: list[str] = []
        for t in topics:
            self._weight[t.key] = t.weight
            self._service[t.key] = t.service
            for term in [*t.keywords, *t.hashtags]:
                self._by_term.setdefault(self._norm(term), t.key)
                terms.append(term)
        self._terms = terms_pattern(terms) if terms else None
        self._places = terms_pattern(places) if places else None

    @staticmethod
    def _norm(term: str) -> str:
        return _SEPARATORS.sub("", term.casefold())

    def _topic_of(self, hit: str) -> str | None:
        norm = self._norm(hit)
        return self._by_term.get(norm) or self._by_term.get(norm[:-1])  # a plural "s"

    def match(self, text: str) -> TopicMatch:
        folded = text.casefold()
        votes: dict[str, int] = {}
        found: list[str] = []
        if self._terms is not None:
            for m in self._terms.finditer(folded):
                key = self._topic_of(m.group(0))
                if key:
                    votes[key] = votes.get(key, 0) + 1
                    found.append(m.group(0))
        places: tuple[str, ...] = ()
        if self._places is not None:
            # Places as written; casefolding keeps offsets unless it changes the text's
            # length ("ß" -> "ss"): then as casefolded.
            source = text if len(folded) == len(text) else folded
            places = tuple(dict.fromkeys(source[m.start():m.end()]
                                         for m in self._places.finditer(folded)))
        if not votes:
            return TopicMatch(None, None, (), places)
        # Most mentions wins; a tie goes to the weightier topic, then the name (stable).
        topic = max(votes, key=lambda k: (votes[k], self._weight[k], k))
        return TopicMatch(topic, self._service[topic], tuple(dict.fromkeys(found)), places)
