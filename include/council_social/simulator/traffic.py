"""Deterministic, seeded model of X traffic around a council's accounts (Brent by default).

The simulated world is a pure function of (seed, time): tweets are generated
per hour bucket from a PRNG seeded with (seed, bucket start), so any query
window - a live run now or a backfill next month - sees the same history.
Nothing here does I/O; `twitter_api` turns it into X API v2 responses.
"""

from __future__ import annotations

import hashlib
import math
import random
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from functools import lru_cache
from typing import Any, Protocol
from zoneinfo import ZoneInfo

from council_social.simulator.locale import BRENT, Locale

TWEPOCH_MS = 1288834974657  # X's snowflake epoch (2010-11-04T01:42:54.657Z)
HOUR = 3600
# Council replies (next morning for overnight mentions) and resident
# follow-ups land up to this long after the mention, so a window must also
# replay buckets this far before its start.
MAX_THREAD_DELAY_HOURS = 18
LONDON = ZoneInfo("Europe/London")

INTENTS = ("question", "complaint", "foi", "praise", "abuse", "emergency", "general")

# Brent's tables, the default world; another council's come from its config (Locale).
PLACES, STREETS, POSTCODES = BRENT.places, BRENT.streets, BRENT.postcodes

TOPICS = ("bins", "parking", "council_tax", "housing_repairs", "libraries",
          "potholes", "planning", "schools")

# Per-topic phrases used to fill templates: (thing, detail) pairs.
TOPIC_WORDS: dict[str, tuple[tuple[str, str], ...]] = {
    "bins": (("bin", "the bin collection"), ("recycling", "the recycling collection"),
             ("food waste caddy", "food waste"), ("brown bin", "garden waste")),
    "parking": (("parking permit", "my resident parking permit"),
                ("parking ticket", "a PCN"), ("CPZ", "the new CPZ"),
                ("visitor parking", "visitor vouchers")),
    "council_tax": (("council tax", "my council tax bill"),
                    ("council tax direct debit", "the council tax direct debit"),
                    ("single person discount", "the single person discount")),
    "housing_repairs": (("repair", "the damp and mould repair"),
                        ("boiler", "the boiler repair"), ("leak", "the leak in our flat"),
                        ("lift", "the lift in our block")),
    "libraries": (("library", "the library opening hours"),
                  ("library card", "my library card"), ("e-books", "the e-book service")),
    "potholes": (("pothole", "the pothole"), ("pavement", "the broken pavement"),
                 ("street light", "the street light")),
    "planning": (("planning application", "the planning application"),
                 ("extension", "next door's extension"), ("HMO", "the HMO licence")),
    "schools": (("school place", "the school place offer"),
                ("school admissions", "school admissions"), ("SEN transport", "SEN transport")),
}

TEMPLATES: dict[str, tuple[str, ...]] = {
    "question": (
        "{h} when is {detail} in {place} happening this week?",
        "{h} hi, how do I sort out {detail}? Can't find it on the website",
        "{h} does anyone know who to contact about {detail} on {street}?",
        "{h} quick question - is {detail} affected by the bank holiday?",
        "{h} is there a phone number for {detail}? Been on hold for 40 mins",
        "{h} can you confirm whether {detail} covers {street}, {place}?",
    ),
    "complaint": (
        "{h} still waiting for my {thing}, third week now",
        "{h} {detail} on {street} has been reported four times. Nothing.",
        "{h} Day 12 of waiting for {detail}. Reference number in DMs",
        "{h} so {detail} just didn't happen on {street} again",
        "{h} I've emailed twice about {detail} and had no reply",
        "{h} {street} {place} - {detail} is getting worse, when will someone come out?",
        "{h} not impressed with how {detail} has been handled tbh",
    ),
    "praise": (
        "{h} thank you to the team who sorted {detail} on {street} so quickly!",
        "{h} really helpful staff at {place} library today, thank you",
        "{h} credit where it's due, {detail} was fixed within a day",
        "Lovely to see {place} looking so clean this morning, well done {h}",
    ),
    "abuse": (
        "{h} you are absolutely useless, the lot of you. Sort out {detail}",
        "{h} clowns. Pay you thousands in council tax for this rubbish",
        "{h} bunch of incompetent idiots, {street} is a disgrace",
        "{h} shame on you. Every single one of you should be sacked",
    ),
    "emergency": (
        "{h} URGENT flooding on {street}, {place} - water coming into the houses",
        "{h} there's a strong smell of gas outside the flats on {street}, {place}",
        "{h} fire at the block on {street} {place}, fire brigade here, residents outside",
        "{h} burst water main on {street}, road is flooded, cars stuck",
        "{h} tree down blocking {street} in {place}, power lines on the ground",
    ),
    "general": (
        "Walking through {place} today, lots of new building going on. {h}",
        "{h} interesting to read about the plans for {place}",
        "Anyone going to the {place} community meeting tonight? {h}",
        "{h} any update on the regeneration works in {place}?",
        "Busy day in {place}. Roadworks on {street} again {h}",
    ),
}
FOI_TEMPLATES = (
    "{h} Under the Freedom of Information Act please provide the number of {thing} "
    "complaints received for {place} in each of the last three years.",
    "{h} Under the Freedom of Information Act 2000 please provide the total spent on "
    "{detail} across {area} in 2023/24, broken down by ward.",
    "{h} FOI request: please provide copies of all correspondence about {detail} on "
    "{street}, {place} since January.",
    "{h} Freedom of Information request - how many {thing} cases are currently open "
    "and what is the average time to resolve them?",
)
FOI_ADDRESS_SUFFIX = " Please reply by post to {n} {street}, {place}, {postcode} {tail}."
COUNCIL_POSTS = (
    "Bin collections are running as normal in {place} this week. Check your day online.",
    "Our {place} library is hosting free homework clubs after school - all welcome.",
    "Roadworks on {street} in {place} from Monday. Please plan ahead.",
    "Council tax bills for the new year are on their way. Set up a direct debit online.",
    "We're resurfacing {street} in {place} this week to fix potholes.",
    "Planning consultation for {place} town centre is now open - have your say.",
    "School admissions for September close soon. Apply online.",
    "Report a missed bin, pothole or fly-tip online any time, 24/7.",
)
COUNCIL_REPLIES = (
    "@{user} Hi, sorry to hear this. Please DM us your address and we'll look into it.",
    "@{user} Thanks for letting us know. We've passed this to the team.",
    "@{user} Hi, you can report this online and get a reference number.",
    "@{user} Thanks - glad to hear it, we'll pass your kind words on.",
    "@{user} Hi, FOI requests need to go through our online form so we can log them.",
    "@{user} If there is immediate danger please call 999. We've alerted the team.",
)
RESIDENT_FOLLOWUPS = (
    "@{council} thanks, have sent a DM",
    "@{council} done that already, twice",
    "@{council} still nothing. Ref 4482-{n}",
    "@{council} cheers, appreciated",
)
POLISH = ("{h} kiedy będzie odbiór śmieci na {street}?",
          "{h} dziękuję za szybką naprawę na {street}")

FIRST = ("Amara", "Tom", "Priya", "Kwame", "Sarah", "Mohammed", "Aisha", "James",
         "Niamh", "Ravi", "Fatima", "Ollie", "Grace", "Tariq", "Hannah", "Dev",
         "Chloe", "Yusuf", "Magda", "Sean", "Leila", "Ben", "Zainab", "Kofi",
         "Ewa", "Patrick", "Anjali", "Dan", "Rukhsana", "Marcus")
LAST = ("Okafor", "Patel", "Murphy", "Mensah", "Khan", "Shah", "O'Brien", "Kowalski",
        "Ahmed", "Smith", "Begum", "Campbell", "Nowak", "Hussain", "Williams",
        "Osei", "Brennan", "Desai", "Jones", "Ali")
DESCRIPTIONS = ("{area} resident. Views my own.", "Mum of 3. {place} born and bred.",
                "Coffee, cycling, complaining about potholes.", "{district} | Arsenal | dad",
                "", "Nurse. {place}.", "Small business owner in {place}", "he/him",
                "Just here for the local news", "Retired. Allotment in {place}.")

# username, name, role, followers, verified, description
SPECIAL_USERS = BRENT.special_users
IMPERSONATOR_TEXT = (
    "{h} residents entitled to a council tax refund - DM us your bank details to claim",
    "{h} URGENT: your parking permit is expiring. Renew now via the link in our bio",
)


class AccountLike(Protocol):
    key: str
    platform: str
    handle: str
    external_id: str | None
    display_name: str
    main: bool


def snowflake(ms_since_epoch: int, sequence: int) -> int:
    """An X-style id: milliseconds since X's epoch in the high bits."""
    return ((ms_since_epoch - TWEPOCH_MS) << 22) | (sequence & 0x3FFFFF)


def snowflake_time(tweet_id: int) -> datetime:
    ms = (tweet_id >> 22) + TWEPOCH_MS
    return datetime.fromtimestamp(ms / 1000, tz=UTC)


def _rng(*parts: Any) -> random.Random:
    # String seeds hash with SHA-512 inside random, stable across runs/platforms.
    return random.Random(":".join(str(p) for p in parts))


def _stable_id(*parts: Any) -> str:
    h = hashlib.sha256(":".join(str(p) for p in parts).encode()).digest()
    return str(10**17 + int.from_bytes(h[:8], "big") % (9 * 10**17))


def _iso(dt: datetime) -> str:
    return dt.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.") + \
        f"{dt.microsecond // 1000:03d}Z"


@dataclass(frozen=True)
class SimUser:
    id: str
    username: str
    name: str
    role: str  # resident | journalist | councillor | blogger | impersonator | council
    description: str
    location: str
    created_at: datetime
    followers_count: int
    following_count: int
    tweet_count: int
    listed_count: int
    verified: bool
    url: str = ""

    def to_api(self, fields: Iterable[str] = ()) -> dict[str, Any]:
        out: dict[str, Any] = {"id": self.id, "name": self.name, "username": self.username}
        wanted = set(fields)
        if "created_at" in wanted:
            out["created_at"] = _iso(self.created_at)
        if "description" in wanted:
            out["description"] = self.description
        if "location" in wanted and self.location:
            out["location"] = self.location  # X omits an empty location
        if "public_metrics" in wanted:
            out["public_metrics"] = {
                "followers_count": self.followers_count,
                "following_count": self.following_count,
                "tweet_count": self.tweet_count,
                "listed_count": self.listed_count,
            }
        if "verified" in wanted:
            out["verified"] = self.verified
        if "url" in wanted:
            out["url"] = self.url
        if "protected" in wanted:
            out["protected"] = False
        return out


@dataclass(frozen=True)
class SimTweet:
    id: int
    author_id: str
    text: str
    created_at: datetime
    conversation_id: int
    intent: str  # one of INTENTS, or council_post / council_reply / followup / repost / quote
    topic: str | None = None
    in_reply_to_user_id: str | None = None
    referenced_tweets: tuple[tuple[str, int], ...] = ()
    mentioned_user_ids: tuple[str, ...] = ()
    lang: str = "en"
    public_metrics: dict[str, int] = field(default_factory=dict, hash=False, compare=False)

    @property
    def id_str(self) -> str:
        return str(self.id)

    def to_api(self, fields: Iterable[str] = (), users: dict[str, SimUser] | None = None
               ) -> dict[str, Any]:
        out: dict[str, Any] = {"id": self.id_str, "text": self.text,
                               "edit_history_tweet_ids": [self.id_str]}
        wanted = set(fields)
        if "author_id" in wanted:
            out["author_id"] = self.author_id
        if "created_at" in wanted:
            out["created_at"] = _iso(self.created_at)
        if "conversation_id" in wanted:
            out["conversation_id"] = str(self.conversation_id)
        if "in_reply_to_user_id" in wanted and self.in_reply_to_user_id:
            out["in_reply_to_user_id"] = self.in_reply_to_user_id
        if "referenced_tweets" in wanted and self.referenced_tweets:
            out["referenced_tweets"] = [{"type": t, "id": str(i)}
                                        for t, i in self.referenced_tweets]
        if "public_metrics" in wanted:
            out["public_metrics"] = dict(self.public_metrics)
        if "lang" in wanted:
            out["lang"] = self.lang
        if "entities" in wanted:
            mentions = [{"start": m.start(), "end": m.end(), "username": m.group(1)}
                        for m in re.finditer(r"@(\w{1,15})", self.text)]
            if mentions:
                out["entities"] = {"mentions": mentions}
        return out


class TrafficModel:
    """A council's X traffic as a pure function of (seed, time); `locale` says whose."""

    def __init__(self, accounts: Sequence[AccountLike], seed: int,
                 mentions_per_hour: float = 6.0, n_residents: int = 300,
                 locale: Locale | None = None, local_hashtags: Sequence[str] = ()):
        self.seed = seed
        # Campaign tags residents use now and then, plus a local tag of the day (promotion);
        # empty leaves the traffic exactly as without them.
        self.local_hashtags = tuple(local_hashtags)
        self.locale = locale or BRENT
        self.mentions_per_hour = float(mentions_per_hour)
        accts = [a for a in accounts if getattr(a, "platform", "twitter") == "twitter"]
        if not accts:
            raise ValueError("TrafficModel needs at least one twitter account")
        self.council: list[SimUser] = [self._council_user(a) for a in accts]
        self._main_idx = next((i for i, a in enumerate(accts) if a.main), 0)
        self.residents = self._make_residents(n_residents)
        self.specials = self._make_specials()
        self._by_id = {u.id: u for u in (*self.council, *self.residents, *self.specials)}
        self._by_name = {u.username.lower(): u for u in self._by_id.values()}
        # Zipf-like activity: a few residents tweet at the council a lot.
        self._resident_weights = [1.0 / (i + 1) ** 0.8 for i in range(len(self.residents))]
        self._bucket = lru_cache(maxsize=4096)(self._generate_bucket)

    # ------------------------------------------------------------------ users
    def _council_user(self, a: AccountLike) -> SimUser:
        uid = a.external_id or _stable_id("council", a.handle.lower())
        r = _rng(self.seed, "council", a.handle)
        followers = 60_000 if a.main else r.randint(1_500, 12_000)
        return SimUser(
            id=str(uid), username=a.handle, name=a.display_name or a.handle, role="council",
            description=f"Official account of {a.display_name or a.handle}. "
                        f"Monitored Mon-Fri 9am-5pm. Report issues at {self.locale.host}",
            location=self.locale.location, created_at=datetime(2009, 3, 1, tzinfo=UTC)
            + timedelta(days=r.randint(0, 2000)),
            followers_count=followers, following_count=r.randint(200, 1500),
            tweet_count=r.randint(3_000, 25_000), listed_count=r.randint(50, 600),
            verified=True, url=self.locale.website,
        )

    def _make_residents(self, n: int) -> list[SimUser]:
        r = _rng(self.seed, "residents")
        loc = self.locale
        out = []
        for i in range(n):
            first, last = r.choice(FIRST), r.choice(LAST)
            place = r.choice(loc.places)
            style = r.random()
            if style < 0.45:
                username, name = f"{first}{last.replace(chr(39), '')}{r.randint(1, 99)}", \
                    f"{first} {last}"
            elif style < 0.65:
                username, name = f"{first.lower()}_{place.replace(' ', '')[:8]}", first
            elif style < 0.85:  # anonymous handles
                username, name = f"user{r.randint(10**7, 10**9)}", r.choice(
                    (f"{loc.district} resident", "Anon", f"{loc.area} taxpayer", "x", "Local"))
            else:
                username, name = f"{place.replace(' ', '')}{r.choice(('Res', 'Local', 'Mum'))}" \
                    f"{r.randint(1, 999)}", f"{first} in {place}"
            username = username[:15]
            followers = min(int(r.paretovariate(1.1) * 25), 250_000)  # heavy tail
            out.append(SimUser(
                id=_stable_id(self.seed, "resident", i), username=username, name=name,
                role="resident",
                description=r.choice(DESCRIPTIONS).format(place=place, area=loc.area,
                                                          district=loc.district),
                location=r.choice((f"{place}, London", place, loc.postcodes[place], "London", "")),
                created_at=datetime(2009, 1, 1, tzinfo=UTC)
                + timedelta(days=r.randint(0, 5600), seconds=r.randint(0, 86399)),
                followers_count=followers, following_count=r.randint(20, 2500),
                tweet_count=r.randint(5, 60_000), listed_count=r.randint(0, 30),
                verified=r.random() < 0.03,
            ))
        return out

    def _make_specials(self) -> list[SimUser]:
        r = _rng(self.seed, "specials")
        return [SimUser(
            id=_stable_id(self.seed, "special", username), username=username, name=name,
            role=role, description=desc, location=self.locale.location,
            created_at=datetime(2011, 6, 1, tzinfo=UTC)
            + timedelta(days=r.randint(0, 4000) if role != "impersonator" else 4800),
            followers_count=followers, following_count=r.randint(100, 3000),
            tweet_count=r.randint(2_000, 40_000), listed_count=r.randint(5, 400),
            verified=verified,
        ) for username, name, role, followers, verified, desc in self.locale.special_users]

    def users(self) -> list[SimUser]:
        return list(self._by_id.values())

    def user_by_id(self, user_id: str) -> SimUser | None:
        return self._by_id.get(str(user_id))

    def user_by_username(self, username: str) -> SimUser | None:
        return self._by_name.get(username.lower().lstrip("@"))

    # ---------------------------------------------------------------- follows
    def followers_of(self, user_id: str) -> list[SimUser]:
        """Who follows a council account, newest follower first (a fixed function of the
        seed): about half the residents follow the main account, fewer a service's."""
        account = self.user_by_id(user_id)
        if account is None or account.role != "council":
            return []
        share = 0.5 if account.followers_count >= 60_000 else 0.15
        users = [u for u in (*self.residents, *self.specials)
                 if _rng(self.seed, "follows", u.id, account.id).random() < share]
        return sorted(users, key=lambda u: _stable_id(self.seed, "followed-at", u.id, account.id),
                      reverse=True)

    def following_of(self, user_id: str) -> list[SimUser]:
        """Whom a council account follows: the other council accounts, the press and
        councillors, and a few residents."""
        account = self.user_by_id(user_id)
        if account is None or account.role != "council":
            return []
        users = [u for u in self.council if u.id != account.id]
        users += [u for u in self.specials if u.role in ("journalist", "councillor")]
        users += [u for u in self.residents
                  if _rng(self.seed, "following", u.id, account.id).random() < 0.05]
        return users

    # ----------------------------------------------------------------- tweets
    def hourly_rate(self, bucket_start: datetime) -> float:
        """Expected mentions in the hour: quiet at night, peaks lunch and evening."""
        h = bucket_start.astimezone(LONDON).hour
        profile = (0.15, 0.1, 0.05, 0.05, 0.05, 0.1, 0.3, 0.7, 1.1, 1.3, 1.3, 1.4,
                   1.8, 1.7, 1.3, 1.2, 1.2, 1.4, 1.7, 1.9, 1.8, 1.4, 0.9, 0.4)
        weekend = 0.8 if bucket_start.astimezone(LONDON).weekday() >= 5 else 1.0
        return self.mentions_per_hour * profile[h] * weekend

    def tweets_between(self, start: datetime, end: datetime) -> list[SimTweet]:
        """All tweets with start <= created_at < end, oldest first."""
        if start.tzinfo is None or end.tzinfo is None:
            raise ValueError("tweets_between needs timezone-aware datetimes")
        first = int(start.timestamp()) // HOUR - MAX_THREAD_DELAY_HOURS
        last = int(end.timestamp() - 1e-6) // HOUR
        out = [t for b in range(first, last + 1) for t in self._bucket(b)
               if start <= t.created_at < end]
        out.sort(key=lambda t: t.id)
        return out

    def tweet_by_id(self, tweet_id: int) -> SimTweet | None:
        ts = snowflake_time(tweet_id)
        for t in self.tweets_between(ts, ts + timedelta(milliseconds=1)):
            if t.id == tweet_id:
                return t
        return None

    def _generate_bucket(self, bucket: int) -> tuple[SimTweet, ...]:
        r = _rng(self.seed, "bucket", bucket * HOUR)
        start_ms = bucket * HOUR * 1000
        seq_base = (bucket % 1024) << 12  # unique per bucket within any thread window
        counter = iter(range(4096))
        out: list[SimTweet] = []

        def new_id(ms: int) -> int:
            return snowflake(ms, seq_base | next(counter))

        def at(ms: int) -> datetime:
            return datetime.fromtimestamp(ms / 1000, tz=UTC)

        def metrics(author: SimUser, boost: float = 1.0) -> dict[str, int]:
            reach = (author.followers_count + 50) ** 0.5 * boost
            return {"retweet_count": int(r.random() * reach / 8),
                    "reply_count": int(r.random() * 3),
                    "like_count": int(r.random() * reach / 3),
                    "quote_count": int(r.random() * reach / 40),
                    "bookmark_count": int(r.random() * 2),
                    "impression_count": int(reach * (20 + r.random() * 80))}

        # Council's own posts (daytime), with resident reposts/quotes.
        local_hour = at(start_ms).astimezone(LONDON).hour
        for ci, cu in enumerate(self.council):
            p = (0.35 if ci == self._main_idx else 0.12) if 8 <= local_hour <= 19 else 0.0
            if r.random() >= p:
                continue
            ms = start_ms + r.randint(0, HOUR * 1000 - 1)
            place = r.choice(self.locale.places)
            text = r.choice(COUNCIL_POSTS).format(place=place,
                                                  street=r.choice(self.locale.streets[place]))
            pid = new_id(ms)
            out.append(SimTweet(pid, cu.id, text, at(ms), pid, "council_post",
                                public_metrics=metrics(cu)))
            for _ in range(r.choice((0, 0, 1, 2))):
                fan = self._pick_resident(r)
                rms = ms + r.randint(60_000, 3 * HOUR * 1000)
                rid = new_id(rms)
                if r.random() < 0.6:
                    out.append(SimTweet(rid, fan.id, f"RT @{cu.username}: {text}"[:140],
                                        at(rms), rid, "repost",
                                        referenced_tweets=(("retweeted", pid),),
                                        mentioned_user_ids=(cu.id,), public_metrics={
                                            "retweet_count": 0, "reply_count": 0,
                                            "like_count": 0, "quote_count": 0}))
                else:
                    q = r.choice(("About time.", "Good news for {place}!",
                                  "Will believe it when I see it.")).format(place=place)
                    out.append(SimTweet(rid, fan.id, f"{q} https://t.co/{rid % 10**10:x}",
                                        at(rms), rid, "quote",
                                        referenced_tweets=(("quoted", pid),),
                                        public_metrics=metrics(fan)))

        # Mentions of council accounts.
        n = self._poisson(r, self.hourly_rate(at(start_ms)))
        for _ in range(n):
            ms = start_ms + r.randint(0, HOUR * 1000 - 1)
            out.extend(self._mention_thread(r, ms, new_id, at, metrics))
        if self.local_hashtags:  # after every other draw: their ids and texts stay the same
            out.extend(self._hashtag_posts(bucket, start_ms, local_hour, new_id, at))
        return tuple(out)

    def _hashtag_posts(self, bucket: int, start_ms: int, local_hour: int, new_id, at
                       ) -> list[SimTweet]:
        """Residents using the council's campaign tags, and a local tag of the day (a place
        and a topic, e.g. #HarlesdenRecycling) that rises on its day only."""
        h = _rng(self.seed, "hashtags", bucket)
        day = bucket // 24
        d = _rng(self.seed, "tag-of-the-day", day)
        place = d.choice(self.locale.places)
        thing = d.choice(("Recycling", "Library", "Parking", "Potholes"))
        tag_of_day = f"{place.replace(' ', '').replace(chr(39), '')}{thing}"
        main = self.council[self._main_idx]
        out = []
        busy = 8 <= local_hour <= 21
        for tag, lam in ((None, 0.6 if busy else 0.1), (tag_of_day, 1.2 if busy else 0.2)):
            for _ in range(self._poisson(h, lam)):
                author = self._pick_resident(h)
                where = place if tag else h.choice(self.locale.places)
                use = tag or h.choice(self.local_hashtags)
                text = h.choice((
                    "@{m} Great turnout in {p} today #{t}",
                    "Anyone else in {p} joining in? @{m} #{t}",
                    "@{m} {p} is doing its bit #{t}",
                )).format(m=main.username, p=where, t=use)
                ms = start_ms + h.randint(0, HOUR * 1000 - 1)
                tid = new_id(ms)
                out.append(SimTweet(tid, author.id, text, at(ms), tid, "general",
                                    mentioned_user_ids=(main.id,),
                                    public_metrics={"retweet_count": h.randint(0, 4),
                                                    "reply_count": h.randint(0, 3),
                                                    "like_count": h.randint(0, 12),
                                                    "quote_count": h.randint(0, 1)}))
        return out

    def _mention_thread(self, r, ms, new_id, at, metrics) -> list[SimTweet]:
        target = self.council[self._main_idx] if r.random() < 0.6 else r.choice(self.council)
        roll = r.random()
        if roll < 0.06:
            author = r.choice(self.specials[:3])  # journalist, councillor, blogger
        elif roll < 0.08:
            author = r.choice(self.specials[3:])  # impersonators
        else:
            author = self._pick_resident(r)
        intent = r.choices(INTENTS, weights=(26, 30, 6, 10, 7, 4, 17))[0]
        topic = r.choice(TOPICS)
        thing, detail = r.choice(TOPIC_WORDS[topic])
        loc = self.locale
        place = r.choice(loc.places)
        street = r.choice(loc.streets[place])
        h = f"@{target.username}"
        lang = "en"
        if author.role == "impersonator":
            text, intent = r.choice(IMPERSONATOR_TEXT).format(h=h), "general"
        elif intent == "foi":
            text = r.choice(FOI_TEMPLATES).format(h=h, thing=thing, detail=detail,
                                                  place=place, street=street, area=loc.area)
            if r.random() < 0.3:
                text += FOI_ADDRESS_SUFFIX.format(
                    n=r.randint(1, 240), street=r.choice(loc.streets[place]), place=place,
                    postcode=loc.postcodes[place], tail=f"{r.randint(1, 9)}{r.choice('ABDEFGHJ')}"
                    f"{r.choice('LNPQRSTUWXY')}")
        elif intent == "general" and r.random() < 0.08:
            text, lang = r.choice(POLISH).format(h=h, street=street), "pl"
        else:
            text = r.choice(TEMPLATES[intent]).format(h=h, thing=thing, detail=detail,
                                                      place=place, street=street)
        mid = new_id(ms)
        boost = 3.0 if intent in ("emergency", "abuse") else 1.0
        engagement = metrics(author, boost)
        # Now and then a question or remark becomes a local discussion that residents pile
        # into: the thread a service should join. Its own generator leaves the rest of the
        # hour's draws, and so the history, unchanged.
        if intent in ("question", "general") and _rng(self.seed, "discussion", mid).random() < 0.1:
            pile = _rng(self.seed, "discussion-size", mid)
            engagement = {**engagement, "reply_count": pile.randint(8, 30),
                          "quote_count": engagement["quote_count"] + pile.randint(1, 6)}
        root = SimTweet(mid, author.id, text, at(ms), mid, intent, topic,
                        mentioned_user_ids=(target.id,), lang=lang,
                        public_metrics=engagement)
        out = [root]
        reply_p = {"emergency": 0.9, "complaint": 0.45, "question": 0.55, "foi": 0.5,
                   "praise": 0.35, "abuse": 0.05, "general": 0.1}[intent]
        if author.role != "impersonator" and r.random() < reply_p:
            if intent == "emergency":  # out-of-hours team answers any time
                rms = ms + r.randint(3 * 60, 45 * 60) * 1000
            else:
                rms = self._office_hours_reply_ms(r, ms)
            if intent == "emergency":
                body = COUNCIL_REPLIES[5]
            elif intent == "foi":
                body = COUNCIL_REPLIES[4]
            elif intent == "praise":
                body = COUNCIL_REPLIES[3]
            else:
                body = r.choice(COUNCIL_REPLIES[:3])
            rid = new_id(rms)
            reply = SimTweet(rid, target.id, body.format(user=author.username), at(rms),
                             mid, "council_reply", topic, in_reply_to_user_id=author.id,
                             referenced_tweets=(("replied_to", mid),),
                             mentioned_user_ids=(author.id,),
                             public_metrics=metrics(target, 0.2))
            out.append(reply)
            if r.random() < 0.35:  # resident answers back in the same thread
                fms = rms + r.randint(2 * 60, 90 * 60) * 1000
                fid = new_id(fms)
                out.append(SimTweet(
                    fid, author.id,
                    r.choice(RESIDENT_FOLLOWUPS).format(council=target.username,
                                                        n=r.randint(1000, 9999)),
                    at(fms), mid, "followup", topic, in_reply_to_user_id=target.id,
                    referenced_tweets=(("replied_to", rid),),
                    mentioned_user_ids=(target.id,), public_metrics=metrics(author, 0.3)))
        return out

    @staticmethod
    def _office_hours_reply_ms(r: random.Random, ms: int) -> int:
        # The social team works 08:00-20:00 London time; overnight mentions get
        # answered the next morning.
        local = datetime.fromtimestamp(ms / 1000, tz=UTC).astimezone(LONDON)
        if 8 <= local.hour < 19:
            return ms + r.randint(20 * 60, 4 * HOUR) * 1000
        morning = local.replace(hour=8, minute=0, second=0, microsecond=0)
        if local.hour >= 19:
            morning = (local + timedelta(days=1)).replace(hour=8, minute=0, second=0,
                                                          microsecond=0)
        return int(morning.timestamp() * 1000) + r.randint(5 * 60, 2 * HOUR) * 1000

    def _pick_resident(self, r: random.Random) -> SimUser:
        return r.choices(self.residents, weights=self._resident_weights)[0]

    @staticmethod
    def _poisson(r: random.Random, lam: float) -> int:
        # Knuth is fine for the small rates a council sees; cap guards huge configs.
        if lam <= 0:
            return 0
        if lam > 60:
            return max(0, int(r.gauss(lam, lam ** 0.5)))
        L, k, p = math.exp(-lam), 0, 1.0
        while True:
            p *= r.random()
            if p <= L:
                return k
            k += 1
