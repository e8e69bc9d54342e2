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


_TEMPLATE = r"(?<![\w])(?:{body})s?(?![\w])"


def _piece(term: str) -> str:
    return re.escape(term).replace(r"\ ", r"[\s-]+").replace(r"\-", r"[\s-]*")


def _by_first_letter(ordered: list[str]) -> str:
    """The alternation of the terms' pieces, grouped by first letter when every term starts
    with a letter or digit (re.escape keeps it as is, so a piece is it + the rest's piece):
    for case-sensitive matching, terms with different first letters never match at the
    same place, so each place's first matching term (in order) is unchanged."""
    if not all(t[:1].isalnum() for t in ordered):
        return "|".join(_piece(t) for t in ordered)
    groups: dict[str, list[str]] = {}
    for t in ordered:
        groups.setdefault(t[0], []).append(_piece(t[1:]))
    return "|".join(f"{first}(?:{'|'.join(rest)})" for first, rest in groups.items())


class _Terms:
    """One alternation of terms (keywords or places): the gated regex, and the same
    alternation for lowercased ASCII text, tried at the gate's word starts."""

    def __init__(self, terms: list[str]):
        # Longest first so "missed collection" wins over "collection"; "bins?" style plurals.
        ordered = sorted({t.casefold() for t in terms}, key=lambda t: (-len(t), t))
        self.alternation = GatedAlternation([_piece(t) for t in ordered], _TEMPLATE, re.IGNORECASE)
        self.gate = self.alternation.gate
        # On ASCII text, ASCII terms match ignoring case exactly where they match the
        # lowercased text case-sensitively (only A-Z have a case there), and a case-sensitive
        # alternation passes over a term on its first letter without entering it.
        self.lowered: re.Pattern[str] | None = None
        if all(t.isascii() for t in ordered):
            self.lowered = re.compile(_TEMPLATE.format(body=_by_first_letter(ordered)))

    def hits(self, text: str, keys: TextKeys, low: str | None) -> tuple[str, ...]:
        """The matched texts in order (`m.group(0)` of the alternation's finditer).
        `low`: text.lower() when the text is ASCII and `keys` know the word starts."""
        slot = None
        if low is not None and self.lowered is not None:
            slot = keys.index.slot_of.get(self.gate)
        if slot is None:
            return tuple([m.group(0) for m in self.alternation.finditer(text, keys)])
        at = keys.at.get(slot)
        if not at:
            return ()
        # Every match begins at a word start the gate lists for its term, so the whole
        # alternation tried at each listed start finds them all; taken in order, skipping
        # those that begin inside an earlier one, they are what finditer gives.
        match = self.lowered.match
        spans = []
        last = None
        for starts in at.values():
            if starts is not last:  # the terms of one window share its list of starts
                last = starts
                for q in starts:
                    m = match(low, q)
                    if m is not None:
                        spans.append(m.span())
        if not spans:
            return ()
        if len(spans) > 1:
            spans.sort()
            kept = []
            end = 0
            for q, e in spans:
                if q >= end:  # (a start listed twice gives the same span twice)
                    kept.append((q, e))
                    end = e
            spans = kept
        return tuple([text[q:e] for q, e in spans])


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
        self._terms = _Terms(terms) if terms else None
        self._seen: dict[str, tuple[str, str | None]] = {}  # matched text -> (term, topic key)
        # (matched terms, matched places) -> TopicMatch
        self._matches: dict[tuple[tuple[str, ...], tuple[str, ...]], TopicMatch] = {}
        self._places = _Terms(places) if places else None

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
        if keys is None:
            keys = text_keys(text)
        low = keys.low if keys.at is not None and text.isascii() else None
        hits = (self._terms.hits(text, keys, low) if self._terms is not None else (),
                self._places.hits(text, keys, low) if self._places is not None else ())
        found = self._matches.get(hits)
        if found is None:
            found = self._match(*hits)
        return found

    def _match(self, term_hits: tuple[str, ...], place_hits: tuple[str, ...]) -> TopicMatch:
        """The TopicMatch for a text's matched terms and places, remembered (it depends on
        nothing else, and a frozen TopicMatch can be shared)."""
        votes: dict[str, int] = {}  # a plain dict: Counter() costs more than the matching
        found: list[str] = []
        seen = self._seen
        for hit in term_hits:
            known = seen.get(hit)
            term, key = known if known is not None else self._term(hit)
            if key:
                votes[key] = votes.get(key, 0) + 1
                found.append(term)
        places = tuple(dict.fromkeys(place_hits))
        if not votes:
            result = TopicMatch(None, None, (), places)
        else:
            if len(votes) == 1:
                (topic,) = votes
            else:  # most mentions wins; a tie goes to the weightier topic, then the name (stable)
                topic = max(votes, key=lambda k: (votes[k], self._weight[k], k))
            result = TopicMatch(topic, self._service[topic], tuple(dict.fromkeys(found)), places)
        if len(self._matches) >= 100_000:
            self._matches.clear()
        self._matches[term_hits, place_hits] = result
        return result
