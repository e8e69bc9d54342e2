"""Deterministic local conversation for the non-X channels, from the seed and the clock.

Each source (a Facebook page or group, an Instagram account, a YouTube
channel, ...) posts in some 3-hour slots; each post draws comments over the
next two days and the council answers some of them. Everything is a pure
function of (seed, source, slot), so a rerun sees the same history, and only
what was created by "now" is visible.
"""

from __future__ import annotations

import hashlib
import random
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from council_social.simulator.locale import BRENT, Locale

SLOT = timedelta(hours=3)
EPOCH = datetime(2020, 1, 1, tzinfo=UTC)

FIRST = ["Amira", "Tom", "Priya", "Kwame", "Sofia", "Dan", "Fatima", "Liam", "Grace", "Omar",
         "Hannah", "Ravi", "Zainab", "Ewan", "Chloe", "Yusuf"]
LAST = ["Patel", "Okafor", "Murphy", "Khan", "Silva", "Brown", "Ahmed", "Nowak", "Evans",
        "Mensah", "Shah", "O'Brien"]
PLACES = list(BRENT.channel_places)  # the default; another council's come from its Locale
POSTS = [
    "Your new recycling calendar for {place} is out - check your collection day online.",
    "Roadworks on the high street in {place} start on Monday for two weeks.",
    "Free family fun day in {place} park this Saturday, 11am to 4pm.",
    "We're consulting on new parking zones in {place}. Have your say by the end of the month.",
    "Library late opening in {place} every Thursday until 8pm from next week.",
    "Council tax reminders go out this week. Pay online, it's the quickest way.",
]
COMMENTS = [
    "My bin in {place} wasn't collected again this week, who do I contact?",
    "Great news, thanks for sharing!",
    "Fly-tipping on the corner by the station in {place} for a fortnight now. Disgraceful.",
    "Will the park be accessible for wheelchairs?",
    "The potholes on our road in {place} are getting worse, please fix them.",
    "When does the consultation close?",
    "Parking in {place} is already impossible, this will make it worse.",
    "Brilliant event last year, we'll be there.",
    "Damp and mould in our flat in {place} and no reply from housing for 3 weeks.",
    "Is the library open on Sundays?",
]
REPLIES = [
    "Thanks for letting us know - please report it at {host}/report and we'll look into it.",
    "Hi, the consultation closes on the 30th. Details are on our website.",
    "Sorry to hear this. Please send us a private message with your address.",
]


def rng(*parts: Any) -> random.Random:
    return random.Random(":".join(str(p) for p in parts))


def num_id(*parts: Any, digits: int = 16) -> str:
    h = hashlib.sha256(":".join(str(p) for p in parts).encode()).digest()
    low = 10 ** (digits - 1)
    return str(low + int.from_bytes(h[:8], "big") % (9 * low))


def word_id(*parts: Any, length: int = 26) -> str:
    alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-"
    h = hashlib.sha256(":".join(str(p) for p in parts).encode()).digest()
    n = int.from_bytes(h, "big")
    out = []
    for _ in range(length):
        n, r = divmod(n, 64)
        out.append(alphabet[r])
    return "".join(out)


@dataclass(frozen=True)
class Person:
    id: str
    name: str
    username: str


@dataclass
class SimComment:
    id: str
    author: Person
    text: str
    created: datetime
    likes: int
    replies: list[SimComment] = field(default_factory=list)
    by_council: bool = False


@dataclass
class SimPost:
    id: str
    n: int
    created: datetime
    text: str
    title: str
    likes: int
    shares: int
    views: int
    comments: list[SimComment]
    author: Person | None = None  # None: the source itself


def resident(seed: int, i: int) -> Person:
    r = rng(seed, "resident", i)
    first, last = r.choice(FIRST), r.choice(LAST)
    return Person(num_id(seed, "person", i, digits=15), f"{first} {last}",
                  f"{first.lower()}{last.lower().replace(chr(39), '')}{i % 97}")


def _slot_index(t: datetime) -> int:
    return int((t - EPOCH) // SLOT)


def posts_between(seed: int, source: str, start: datetime, end: datetime, now: datetime, *,
                  rate: float = 0.5, by_residents: bool = False,
                  council: Person | None = None, locale: Locale = BRENT) -> list[SimPost]:
    """The source's posts created in (start, min(end, now)], newest first, with what
    comments exist by `now`."""
    end = min(end, now)
    out: list[SimPost] = []
    if end <= start:
        return out
    for slot in range(_slot_index(start), _slot_index(end) + 1):
        r = rng(seed, source, "slot", slot)
        if r.random() >= rate:
            continue
        created = EPOCH + slot * SLOT + timedelta(seconds=r.randrange(int(SLOT.total_seconds())))
        if not start < created <= end:
            continue
        places = locale.channel_places
        place = r.choice(places)
        author = resident(seed, r.randrange(400)) if by_residents else None
        text = (r.choice(COMMENTS) if by_residents else r.choice(POSTS)).format(place=place)
        post = SimPost(id=num_id(seed, source, "post", slot), n=slot, created=created,
                       text=text, title=text.split(" - ")[0][:70], likes=r.randrange(60),
                       shares=r.randrange(12), views=r.randrange(50, 3000), comments=[],
                       author=author)
        for c in range(r.randrange(0, 5)):
            at = created + timedelta(minutes=r.randrange(5, 2 * 24 * 60))
            who = resident(seed, r.randrange(400))
            comment = SimComment(num_id(seed, source, slot, "c", c), who,
                                 r.choice(COMMENTS).format(place=r.choice(places)), at,
                                 r.randrange(8))
            if council is not None and r.random() < 0.4:
                reply_at = at + timedelta(minutes=r.randrange(20, 180))
                comment.replies.append(SimComment(num_id(seed, source, slot, "r", c), council,
                                                  r.choice(REPLIES).format(host=locale.host),
                                                  reply_at, 0,
                                                  by_council=True))
            post.comments.append(comment)
        out.append(post)
    for post in out:
        post.comments = [c for c in post.comments if c.created <= now]
        for c in post.comments:
            c.replies = [x for x in c.replies if x.created <= now]
    out.sort(key=lambda p: p.created, reverse=True)
    return out
