"""FoI validity, the strategy's rule: accept a request on social media only if the
profile shows a real name, or the message gives an address for correspondence."""

from __future__ import annotations

import re
from functools import lru_cache

_TITLES = {"mr", "mrs", "ms", "miss", "mx", "dr", "prof", "cllr", "sir", "dame", "rev"}
_NOT_A_PERSON = re.compile(
    r"council|official|news|team|help|desk|support|group|watch|action|campaign|residents?|"
    r"association|society|ltd|limited|plc|blog|mum|dad|local|the |info|media|radio|tv|"
    r"anon|fan|account|updates|\d|@|_",
    re.IGNORECASE,
)
_NAME_WORD = re.compile(r"^[A-Z][a-zA-Z'\u00C0-\u017F-]+$")

POSTCODE = re.compile(r"\b[A-Z]{1,2}\d[A-Z\d]?\s*\d[A-Z]{2}\b", re.IGNORECASE)
EMAIL = re.compile(r"\b[\w.+-]+@[\w-]+(?:\.[\w-]+)+\b")
STREET = re.compile(
    r"\b\d{1,4}[a-z]?,? [A-Z][\w']+(?: [A-Z][\w']+)* (?:Road|Rd|Street|St|Avenue|Ave|Lane|Close|"
    r"Gardens|Way|Drive|Crescent|Place|Court|Grove|Terrace|Hill|Park|Mews|Walk|Square)\b"
)


@lru_cache(maxsize=4096)  # a name is checked again for each of its author's requests
def real_name(display_name: str | None) -> bool:
    """Two to four capitalised words, no digits, handles or organisation words."""
    if not display_name or _NOT_A_PERSON.search(display_name):
        return False
    words = [w for w in display_name.replace(".", " ").split() if w.casefold() not in _TITLES]
    return 2 <= len(words) <= 4 and all(_NAME_WORD.match(w) for w in words)


# A part every match of the pattern holds, quick to look for (a digit or an "@" to start
# from, no word boundary): a text without it cannot match, so the pattern is not tried.
_POSTCODE_PART = re.compile(r"\d[A-Z\d]?\s*\d[A-Z]{2}", re.IGNORECASE)
_EMAIL_PART = re.compile(r"@(?<=[\w.+-]@)[\w-]+\.[\w-]")
_STREET_PART = re.compile(r"\d[a-z]?,? [A-Z]")


def correspondence_address(text: str) -> bool:
    return bool((_POSTCODE_PART.search(text) and POSTCODE.search(text))
                or (_EMAIL_PART.search(text) and EMAIL.search(text))
                or (_STREET_PART.search(text) and STREET.search(text)))


def foi_valid(display_name: str | None, text: str) -> tuple[bool, str]:
    if real_name(display_name):
        return True, "real_name_in_profile"
    if correspondence_address(text):
        return True, "address_in_message"
    return False, "no_real_name_or_address"
