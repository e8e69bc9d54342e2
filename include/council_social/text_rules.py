"""Rules for the words people type: a required word must say something.

A reason, a note or an officer's name that is empty, whitespace or only
invisible characters (a zero-width space, a bidi mark) is refused, as is text
longer than a stored field allows. Handles follow each platform's own rules.
Nothing here reads configuration or a database: callers pass what they check.
"""

from __future__ import annotations

import re
import unicodedata

# Longest text a person types into one stored field (a note, a reason, an answer).
NOTE_LIMIT = 4000
# Longest officer name, team key or other short label.
NAME_LIMIT = 200


class TextRuleError(ValueError):
    """The text breaks a rule; the message names the field and the rule."""


def has_visible_letters(text: str | None) -> bool:
    """True when `text` holds at least one letter or digit (so not only spaces,
    punctuation, format characters such as U+200B, or controls)."""
    return bool(text) and any(unicodedata.category(ch)[0] in "LN" for ch in text)


def required_words(text: str | None, what: str, limit: int = NOTE_LIMIT) -> str:
    """`text` stripped, if it says something in at most `limit` characters; else TextRuleError."""
    if not has_visible_letters(text):
        raise TextRuleError(f"{what} must contain words (got {'nothing' if not text else 'no letters'})")
    return bounded(text, what, limit).strip()


def bounded(text: str | None, what: str, limit: int = NOTE_LIMIT) -> str:
    """`text` if it is at most `limit` characters long and has no NUL; else TextRuleError."""
    text = "" if text is None else text
    if len(text) > limit:
        raise TextRuleError(f"{what} is {len(text)} characters long; at most {limit} are kept")
    if "\x00" in text:
        raise TextRuleError(f"{what} contains a NUL character")
    return text


# Each platform's own handle rules (what its sign-up form accepts).
HANDLE_RULES: dict[str, tuple[re.Pattern[str], str]] = {
    "twitter": (re.compile(r"[A-Za-z0-9_]{1,15}"), "1-15 letters, digits or _"),
    "instagram": (re.compile(r"(?!.*\.\.)(?!\.)[A-Za-z0-9._]{1,30}(?<!\.)"),
                  "1-30 letters, digits, _ or . (no leading, trailing or double .)"),
    "facebook": (re.compile(r"[A-Za-z0-9.]{5,50}"), "5-50 letters, digits or ."),
    "linkedin": (re.compile(r"[A-Za-z0-9-]{3,100}"), "3-100 letters, digits or -"),
    "youtube": (re.compile(r"[A-Za-z0-9._-]{3,30}"), "3-30 letters, digits, _, - or ."),
    "tiktok": (re.compile(r"[A-Za-z0-9._]{2,24}"), "2-24 letters, digits, _ or ."),
    "flickr": (re.compile(r"[A-Za-z0-9@._-]{1,60}"), "1-60 letters, digits, @, _, - or ."),
    "eventbrite": (re.compile(r"[A-Za-z0-9-]{1,100}"), "1-100 letters, digits or -"),
}
# A platform not listed above: a plain word, still never a newline or a control.
_ANY_HANDLE = (re.compile(r"[A-Za-z0-9._-]{1,100}"), "1-100 letters, digits, _, - or .")


def check_handle(platform: str, handle: str) -> str:
    """The handle without a leading @, if the platform accepts it; else TextRuleError."""
    bare = handle.strip().removeprefix("@")
    pattern, rule = HANDLE_RULES.get(platform, _ANY_HANDLE)
    if not pattern.fullmatch(bare):
        raise TextRuleError(f"{terminal_safe(handle)!r} is not a {platform} handle: {rule}")
    return bare


# C0 and C1 controls except tab, newline and carriage return; DEL; bidi overrides and isolates.
_TERMINAL_CONTROLS = re.compile(
    "[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]")


def terminal_safe(text: str) -> str:
    """`text` with terminal controls (ESC sequences, bells, bidi overrides) shown as
    [U+XXXX] markers instead of acted on by the terminal; tabs and line ends kept."""
    return _TERMINAL_CONTROLS.sub(lambda m: f"[U+{ord(m.group()):04X}]", text)


def words_argument(value: str) -> str:
    """An argparse type for a required note or reason: refused (exit 2, one line) unless it
    says something; at most NOTE_LIMIT characters."""
    import argparse

    try:
        return required_words(value, "it")
    except TextRuleError as exc:
        raise argparse.ArgumentTypeError(str(exc).removeprefix("it ")) from None


def name_argument(value: str) -> str:
    """An argparse type for a person's name: words, at most NAME_LIMIT characters."""
    import argparse

    try:
        return required_words(value, "it", NAME_LIMIT)
    except TextRuleError as exc:
        raise argparse.ArgumentTypeError(str(exc).removeprefix("it ")) from None
