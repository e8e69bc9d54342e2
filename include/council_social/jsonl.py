"""JSON Lines as the format defines them: records end at "\\n" and nowhere else.

Python's str.splitlines() also breaks at U+0085, U+2028 and U+2029, which JSON
allows raw inside strings, so post text holding one would split a record in two
for any reader that uses it. Writers escape them; readers split on "\\n" only.
"""

from __future__ import annotations

import json
from typing import Any

_LINE_BREAKS = {"\u0085": "\\u0085", "\u2028": "\\u2028", "\u2029": "\\u2029"}


def dumps_line(value: Any, **kwargs: Any) -> str:
    """One record, without its newline; non-ASCII text kept readable."""
    text = json.dumps(value, ensure_ascii=False, **kwargs)
    for char, escaped in _LINE_BREAKS.items():
        text = text.replace(char, escaped)
    return text


def split_lines(text: str) -> list[str]:
    """The records of a JSON Lines text ("\\r\\n" tolerated), the last newline optional."""
    lines = text.split("\n")
    if lines and lines[-1] == "":
        lines.pop()
    return [line[:-1] if line.endswith("\r") else line for line in lines]
