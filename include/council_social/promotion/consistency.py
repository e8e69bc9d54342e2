"""Consistent messaging: what posts of one campaign or planner entry say must agree.

Each post's facts (dates, times, amounts of money, phone numbers, links, places) are read
with kept libraries: dateparser (dates and times in running text), phonenumbers (UK and
international numbers), price-parser (amounts). Two posts disagree on a kind of fact when
both state it and the values differ ("Facebook says 12 March, X says 13 March").
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache
from urllib.parse import urlsplit

KINDS = ("dates", "times", "money", "phones", "links", "places")
_MONTHS = ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec")
_WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


@dataclass(frozen=True)
class Post:
    ref: str  # what the alert names: account and post id, or the grid slot
    account_key: str
    platform: str
    text: str


@dataclass(frozen=True)
class Disagreement:
    kind: str
    first: Post
    first_values: tuple[str, ...]
    second: Post
    second_values: tuple[str, ...]

    def describe(self) -> str:
        return (f"{self.kind}: {self.first.platform} {self.first.ref} says "
                f"{', '.join(self.first_values)}, {self.second.platform} {self.second.ref} says "
                f"{', '.join(self.second_values)}")


@lru_cache(maxsize=1)
def _search_dates():
    # Imported on first use: dateparser loads its language data once, not at import.
    from dateparser.search import search_dates

    return search_dates


def _dates_and_times(text: str, base: datetime | None) -> tuple[set[str], set[str]]:
    settings = {"PREFER_DATES_FROM": "future", "DATE_ORDER": "DMY",
                "RETURN_AS_TIMEZONE_AWARE": False}
    if base is not None:
        settings["RELATIVE_BASE"] = base.replace(tzinfo=None)
    found = _search_dates()(text, languages=["en"], settings=settings) or []
    dates, times = set(), set()
    for said, dt in found:
        low = said.casefold()
        if not any(ch.isdigit() for ch in low):
            continue  # "today", "now", a bare weekday: nothing to disagree on
        if any(m in low for m in _MONTHS) or "/" in low or any(d in low for d in _WEEKDAYS):
            dates.add(dt.strftime("%-d %B %Y"))
        if ":" in low or "am" in low or "pm" in low:
            times.add(dt.strftime("%H:%M"))
    return dates, times


def _money(text: str) -> set[str]:
    from price_parser import Price

    out = set()
    for token in text.split():
        if any(sym in token for sym in "£$€"):
            price = Price.fromstring(token)
            if price.amount is not None:
                out.add(f"{price.currency or ''}{price.amount:.2f}")
    return out


def _phones(text: str, region: str) -> set[str]:
    import phonenumbers

    return {phonenumbers.format_number(m.number, phonenumbers.PhoneNumberFormat.E164)
            for m in phonenumbers.PhoneNumberMatcher(text, region)}


def _links(text: str) -> set[str]:
    out = set()
    for token in text.split():
        token = token.strip("()[]<>.,;:!?'\"")
        if token.lower().startswith(("http://", "https://")):
            parts = urlsplit(token)
            path = parts.path.rstrip("/")
            out.add(f"{parts.netloc.lower()}{path}{'?' + parts.query if parts.query else ''}")
    return out


def _places(text: str, places: list[str]) -> set[str]:
    low = f" {text.casefold()} "
    found: list[str] = []
    for place in sorted(places, key=len, reverse=True):
        p = place.casefold()
        if f" {p}" in low and not any(p in f.casefold() for f in found):
            found.append(place)
    return set(found)


def facts(text: str, *, places: list[str] = (), region: str = "GB",
          base: datetime | None = None) -> dict[str, set[str]]:
    """What a post states, by kind; each value in one normal form."""
    dates, times = _dates_and_times(text, base)
    return {"dates": dates, "times": times, "money": _money(text),
            "phones": _phones(text, region), "links": _links(text),
            "places": _places(text, list(places))}


def disagreements(posts: list[Post], *, places: list[str] = (), region: str = "GB",
                  base: datetime | None = None) -> list[Disagreement]:
    """Each kind of fact on which two posts of the group differ, first pair found."""
    read = [(p, facts(p.text, places=places, region=region, base=base)) for p in posts]
    out = []
    for kind in KINDS:
        stated = [(p, f[kind]) for p, f in read if f[kind]]
        for i, (a, av) in enumerate(stated):
            pair = next(((b, bv) for b, bv in stated[i + 1:] if bv != av), None)
            if pair is not None:
                out.append(Disagreement(kind, a, tuple(sorted(av)), pair[0],
                                        tuple(sorted(pair[1]))))
                break
    return out


def alert_message(subject: str, found: list[Disagreement]) -> str:
    return f"inconsistent messaging in {subject}: " + "; ".join(d.describe() for d in found)
