"""Topic and owning service from council.yaml: keywords, hashtags, Brent places."""

from __future__ import annotations

import re
from dataclasses import dataclass

from council_social.triage.gate import GatedAlternation, TextKeys, text_keys

_SEPARATORS = re.compile(r"[\s-]+")


@dataclass(frozen=True)
class TopicMatch:
    topic: str | None
    department: str | None
    terms: tuple[str, ...]
    places: tuple[str, ...]


def _alternation(terms: list[str]) -> GatedAlternation | None:
    if not terms:
        return None
    # Longest first so "missed collection" wins over "collection"; "bins?" style plurals.
    ordered = sorted({t.casefold() for t in terms}, key=lambda t: (-len(t), t))
    pieces = [re.escape(t).replace(r"\ ", r"[\s-]+").replace(r"\-", r"[\s-]*") for t in ordered]
    return GatedAlternation(pieces, r"(?<![\w])(?:{body})s?(?![\w])", re.IGNORECASE)


class TopicMatcher:
    """Compiled once per config: one alternation for keywords, one for places."""

    @property
    def gates(self) -> list:
        """The gates of the two alternations (for a shared `gate.GateIndex`)."""
        return [a.gate for a in (self._terms, self._places) if a is not None]

    def __init__(self, topics, places: list[str]):
        self._by_term: dict[str, str] = {}
        self._weight: dict[str, float] = {}
        self._service: dict[str, str] = {}
        terms: list[str] = []
        for t in topics:
            self._weight[t.key] = t.weight
            self._service[t.key] = t.service
            for kw in t.keywords:
                self._by_term.setdefault(self._norm(kw), t.key)
                terms.append(kw)
            for tag in t.hashtags:
                self._by_term.setdefault(self._norm(tag), t.key)
                terms.append(tag)
        self._terms = _alternation(terms)
        self._seen: dict[str, tuple[str, str | None]] = {}  # matched text -> (term, topic key)
        self._places = _alternation(places)

    @staticmethod
    def _norm(term: str) -> str:
        return _SEPARATORS.sub("", term.casefold())

    def _term(self, hit: str) -> tuple[str, str | None]:
        """(the casefolded term, its topic key) for a matched text, remembered."""
        term = hit.casefold()
        norm = _SEPARATORS.sub("", term)
        found = term, self._by_term.get(norm) or self._by_term.get(norm[:-1])
        if len(self._seen) >= 100_000:
            self._seen.clear()
        self._seen[hit] = found
        return found

    def match(self, text: str, keys: TextKeys | None = None) -> TopicMatch:
        votes: dict[str, int] = {}  # a plain dict: Counter() costs more than the matching
        found: list[str] = []
        if keys is None:
            keys = text_keys(text)
        if self._terms is not None:
            seen = self._seen
            for m in self._terms.finditer(text, keys):
                hit = m.group(0)
                known = seen.get(hit)
                term, key = known if known is not None else self._term(hit)
                if key:
                    votes[key] = votes.get(key, 0) + 1
                    found.append(term)
        places: tuple[str, ...] = ()
        if self._places is not None:
            places = tuple(dict.fromkeys([m.group(0) for m in self._places.finditer(text, keys)]))
        if not votes:
            return TopicMatch(None, None, (), places)
        if len(votes) == 1:
            (topic,) = votes
        else:  # most mentions wins; a tie goes to the weightier topic, then the name (stable)
            topic = max(votes, key=lambda k: (votes[k], self._weight[k], k))
        return TopicMatch(topic, self._service[topic], tuple(dict.fromkeys(found)), places)
