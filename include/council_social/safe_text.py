"""Post text is hostile: make it inert for pages, spreadsheets and calendars.

Bidirectional overrides (which can make `gpj.exe` read as `exe.jpg`) and
other invisible controls are shown as visible [U+XXXX] markers; spreadsheet
formulas are defused with a leading apostrophe (OWASP's CSV injection advice).
HTML escaping itself is Jinja2's autoescape.
"""

from __future__ import annotations

import re

# LRE RLE PDF LRO RLO, LRI RLI FSI PDI, LRM RLM ALM, and C0/C1 controls except tab/newline.
_INVISIBLE = re.compile(
    "[\u202a-\u202e\u2066-\u2069\u200e\u200f\u061c\u0000-\u0008\u000b\u000c\u000e-\u001f"
    "\u007f-\u009f]"
)
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def visible(text: str | None) -> str:
    if text is None:
        return ""
    return _INVISIBLE.sub(lambda m: f"[U+{ord(m.group()):04X}]", text)


def defuse_formula(text: str) -> str:
    """Text a spreadsheet shows, never evaluates: formula starts get a leading apostrophe."""
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def csv_cell(value) -> str:
    """A cell no spreadsheet will evaluate, with invisible controls made visible."""
    return visible(defuse_formula("" if value is None else str(value)))
