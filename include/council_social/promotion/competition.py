"""Giveaways and competitions for followers only: read the rules, find the entries, draw.

The draw is reproducible: seed = sha256 of the sorted eligible entry list (one line each,
`author_id post_id`) and a value published before the close (e.g. the closing post's id);
winner = eligible[int(seed, 16) % len(eligible)]. Anyone with the archive can re-run it.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import yaml

REQUIRED = ("account", "opens", "closes", "prize", "rules")
KNOWN = (*REQUIRED, "key", "hashtag", "post", "exclusions", "published_value")


class CompetitionError(ValueError):
    """The competition file or the draw cannot go ahead; the message is one line."""


@dataclass(frozen=True)
class Competition:
    key: str
    account: str
    opens: datetime
    closes: datetime
    prize: str
    rules: str
    hashtag: str | None = None
    post: str | None = None
    exclusions: tuple[str, ...] = ()
    published_value: str | None = None

    def spec(self) -> dict:
        return {"key": self.key, "account": self.account, "opens": self.opens.isoformat(),
                "closes": self.closes.isoformat(), "prize": self.prize, "rules": self.rules,
                "hashtag": self.hashtag, "post": self.post, "exclusions": list(self.exclusions),
                "published_value": self.published_value}


@dataclass(frozen=True)
class Entry:
    author_id: str
    handle: str
    post_id: str
    created_at: datetime

    def line(self) -> str:
        return f"{self.author_id} {self.post_id}"


@dataclass(frozen=True)
class Draw:
    entries: list[Entry]
    eligible: list[Entry]
    seed: str
    winner: Entry


def _when(path, name: str, value) -> datetime:
    if isinstance(value, datetime):
        dt = value
    else:
        try:
            dt = datetime.fromisoformat(str(value).replace("Z", "+00:00"))
        except ValueError:
            raise CompetitionError(f"{path}: {name} {value!r} is not a date and time "
                                   "(e.g. 2026-03-01T09:00:00Z)") from None
    if dt.tzinfo is None:
        raise CompetitionError(f"{path}: {name} {value!r} needs a UTC offset (Z or +01:00)")
    return dt


def read_competition(path: str | Path, accounts: dict) -> Competition:
    """The competition from YAML; CompetitionError with one line for anything wrong."""
    try:
        data = yaml.safe_load(Path(path).read_text(encoding="utf-8"))
    except OSError as exc:
        raise CompetitionError(f"cannot read {path}: {exc.strerror or exc}") from None
    except yaml.YAMLError as exc:
        raise CompetitionError(f"{path}: invalid YAML: {getattr(exc, 'problem', None) or exc}"
                               ) from None
    if not isinstance(data, dict):
        raise CompetitionError(f"{path}: expected a mapping with {', '.join(REQUIRED)}")
    unknown = sorted(set(map(str, data)) - set(KNOWN))
    if unknown:
        raise CompetitionError(f"{path}: unknown key(s) {', '.join(unknown)}; keys are: "
                               f"{', '.join(KNOWN)}")
    missing = [k for k in REQUIRED if not str(data.get(k) or "").strip()]
    if missing:
        raise CompetitionError(f"{path}: missing {', '.join(missing)}")
    if bool(data.get("hashtag")) == bool(data.get("post")):
        raise CompetitionError(f"{path}: give exactly one of hashtag (enter by using it) or "
                               "post (enter by replying to or quoting it)")
    account = str(data["account"])
    if account not in accounts:
        raise CompetitionError(f"{path}: unknown account {account!r}; accounts are: "
                               f"{', '.join(sorted(accounts))}")
    opens, closes = _when(path, "opens", data["opens"]), _when(path, "closes", data["closes"])
    if closes <= opens:
        raise CompetitionError(f"{path}: closes {closes.isoformat()} is not after opens "
                               f"{opens.isoformat()}")
    exclusions = data.get("exclusions") or []
    if not isinstance(exclusions, list):
        raise CompetitionError(f"{path}: exclusions must be a list of handles")
    key = str(data.get("key") or Path(path).stem)
    if not re.fullmatch(r"[a-z0-9][a-z0-9_-]{0,79}", key):
        raise CompetitionError(f"{path}: key {key!r} must be lower-case letters, digits, - or _")
    tag = str(data["hashtag"]).lstrip("#") if data.get("hashtag") else None
    return Competition(
        key=key, account=account, opens=opens, closes=closes, prize=str(data["prize"]),
        rules=str(data["rules"]), hashtag=tag, post=str(data["post"]) if data.get("post") else None,
        exclusions=tuple(str(h).lstrip("@").casefold() for h in exclusions),
        published_value=str(data["published_value"]) if data.get("published_value") else None)


def one_per_person(posts: list[Entry], excluded_ids: set[str], exclusions: tuple[str, ...]
                   ) -> list[Entry]:
    """Each person's first qualifying post; council and excluded accounts left out."""
    first: dict[str, Entry] = {}
    for p in sorted(posts, key=lambda e: (e.created_at, e.post_id)):
        if p.author_id in excluded_ids or p.handle.casefold() in exclusions:
            continue
        first.setdefault(p.author_id, p)
    return sorted(first.values(), key=Entry.line)


def seed_for(eligible: list[Entry], published_value: str) -> str:
    text = "\n".join(sorted(e.line() for e in eligible)) + "\n" + published_value
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def draw(entries: list[Entry], followers: set[str], published_value: str) -> Draw:
    """Eligible = entries whose author follows the account now; the seed picks the winner."""
    if not entries:
        raise CompetitionError("no entries: nobody posted a qualifying entry in the window")
    if not published_value:
        raise CompetitionError("no value published before the close to seed the draw "
                               "(set published_value, e.g. the closing post's id)")
    eligible = sorted((e for e in entries if e.author_id in followers), key=Entry.line)
    if not eligible:
        raise CompetitionError(f"no eligible entries: {len(entries)} entr"
                               f"{'y' if len(entries) == 1 else 'ies'}, none from a follower "
                               "at draw time")
    seed = seed_for(eligible, published_value)
    return Draw(entries, eligible, seed, eligible[int(seed, 16) % len(eligible)])


def redraw(eligible_lines: list[str], published_value: str) -> tuple[str, str]:
    """(seed, winning line) from an archived eligible list: what anyone can re-run."""
    lines = sorted(eligible_lines)
    text = "\n".join(lines) + "\n" + published_value
    seed = hashlib.sha256(text.encode("utf-8")).hexdigest()
    return seed, lines[int(seed, 16) % len(lines)]
