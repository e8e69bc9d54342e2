"""What a reply must pass before it is queued: length, personal data, house style.

Each check returns the reasons it refuses (empty: fine), so the CLI and the
case page can say all of them at once.

Length: X counts a URL as 23 characters (t.co) whatever its length, and a
character outside the Latin, punctuation and symbol ranges X lists as light
(CJK, emoji) as 2; this module applies that documented rule rather than a
library (none is in the lock). Facebook, Instagram and YouTube have their
comment limits.

Personal data: the reply is public. A phone number (the `phonenumbers`
library, UK rules), an e-mail address or a reference number (six or more
digits in a row, with or without letters in front) that is not the council's
own is refused with "move to DM". Links and @handles are taken out first, so
a tagged URL or a handle ending in digits never reads as a reference number.
"""

from __future__ import annotations

import re
import unicodedata

import phonenumbers

# X's weighted-length ranges that count 1 (twitter-text v3 config); anything else counts 2.
_LIGHT = ((0, 4351), (8192, 8205), (8208, 8223), (8242, 8247))
X_URL_LENGTH = 23
LIMITS = {"twitter": 280, "facebook": 8000, "instagram": 2200, "youtube": 10000}
URL = re.compile(r"https?://[^\s<>\"']+", re.IGNORECASE)
EMAIL = re.compile(r"[\w.+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+")
REFERENCE = re.compile(r"\b(?:[A-Za-z]{1,4}[-/]?)?\d(?:[-/ ]?\d){5,}\b")
MOVE_TO_DM = "move to DM"


def normalise(text: str) -> str:
    """NFC, trailing spaces gone: what is checked and sent."""
    return unicodedata.normalize("NFC", text).strip()


def x_length(text: str) -> int:
    def weight(ch: str) -> int:
        cp = ord(ch)
        return 1 if any(lo <= cp <= hi for lo, hi in _LIGHT) else 2

    rest = URL.sub("", text)
    return len(URL.findall(text)) * X_URL_LENGTH + sum(weight(c) for c in rest)


def check_length(platform: str, text: str) -> list[str]:
    limit = LIMITS.get(platform)
    if limit is None:
        return []
    length = x_length(text) if platform == "twitter" else len(text)
    if length > limit:
        how = " (links count 23)" if platform == "twitter" else ""
        return [f"too long for {platform}: {length} characters{how}, the limit is {limit}"]
    return []


def council_domain(config) -> str:
    from urllib.parse import urlsplit

    host = (urlsplit(config.council.website).hostname or "").lower()
    return host.removeprefix("www.")


def council_phones(config) -> set[str]:
    """The council's own published numbers (out-of-hours rotas), E.164."""
    out = set()
    for team in config.teams:
        rota = team.out_of_hours_rota
        phone = getattr(rota, "phone", None) if rota else None
        if phone:
            try:
                out.add(phonenumbers.format_number(phonenumbers.parse(phone, "GB"),
                                                   phonenumbers.PhoneNumberFormat.E164))
            except phonenumbers.NumberParseException:
                continue
    return out


def check_personal_data(config, text: str) -> list[str]:
    # Links and @handles are addresses, not data: a handle may end in digits.
    body = re.sub(r"(?<!\w)@\w+", " ", URL.sub(" ", text))
    problems = []
    own = council_phones(config)
    for match in phonenumbers.PhoneNumberMatcher(body, "GB"):
        number = phonenumbers.format_number(match.number, phonenumbers.PhoneNumberFormat.E164)
        if number not in own:
            problems.append(f"a phone number ({match.raw_string!r}): {MOVE_TO_DM}")
        body = body.replace(match.raw_string, " ")
    domain = council_domain(config)
    for email in EMAIL.findall(body):
        if not (domain and email.lower().endswith("@" + domain) or
                email.lower().endswith("." + domain)):
            problems.append(f"an e-mail address ({email!r}): {MOVE_TO_DM}")
        body = body.replace(email, " ")
    for ref in REFERENCE.findall(body):
        problems.append(f"a reference or phone number ({ref.strip()!r}): {MOVE_TO_DM}")
    return problems


def check_style(config, text: str) -> list[str]:
    style = config.cases.replies.style
    problems = []
    low = text.casefold()
    for phrase in style.banned_phrases:
        if re.search(rf"(?<!\w){re.escape(phrase.casefold())}(?!\w)", low):
            problems.append(f"house style: the council does not say {phrase!r}")
    if text.count("!") > style.max_exclamation_marks:
        problems.append(f"house style: at most {style.max_exclamation_marks} exclamation mark(s)")
    if style.shouting_min_letters:
        words = re.findall(rf"\b[A-Z]{{{style.shouting_min_letters},}}\b", URL.sub(" ", text))
        if words:
            problems.append(f"house style: no shouting ({', '.join(sorted(set(words)))})")
    if not text.strip():
        problems.append("the reply is empty")
    return problems


def check_reply(config, platform: str, text: str) -> list[str]:
    """Every reason to refuse this reply on this platform (empty: it may be queued)."""
    return (check_length(platform, text) + check_personal_data(config, text)
            + check_style(config, text))
