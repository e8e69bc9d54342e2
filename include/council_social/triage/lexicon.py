"""A fast sentiment scorer on VADER's own lexicon (the rules path's sentiment).

VADER's `SentimentIntensityAnalyzer.polarity_scores` costs ~260 µs a post
(it re-lowercases the whole token list for every word it checks). This scorer
keeps VADER's data and constants (vader_lexicon.txt, emoji_utf8_lexicon.txt,
NEGATE, BOOSTER_DICT, B_INCR, C_INCR, N_SCALAR, the normalisation
x / sqrt(x^2 + 15)) and its main rules, simplified:

- one compiled regex tokenises (words with inner apostrophes, emoticons);
- negation: a negator ("not", "never", any "n't", ...) up to 3 tokens before a
  lexicon word multiplies it by N_SCALAR; "no" before a lexicon word too;
- boosters/dampeners up to 3 tokens before (scaled 1, 0.95, 0.9);
- ALL-CAPS emphasis when only some words are capitals;
- "but": words before it count half, words after it one and a half times;
- "!" (up to 4) and "??"/"???" add emphasis in the direction of the sum.

It agrees with VADER's sign on ordinary sentences; it is not bit-identical
(VADER's idiom tables are left out). The real VADER stays available as
`criticality.vader_scores` for comparison in bench/triage_eval.py.
"""

from __future__ import annotations

import math
import re
from functools import lru_cache
from pathlib import Path

from vaderSentiment import vaderSentiment as _vs

ALPHA = 15.0
_NEGATE = frozenset(_vs.NEGATE)
_BOOST = {k: v for k, v in _vs.BOOSTER_DICT.items() if " " not in k}
_B_INCR, _C_INCR, _N_SCALAR = _vs.B_INCR, _vs.C_INCR, _vs.N_SCALAR

# A word (letters/digits with inner apostrophes or hyphens) or a short emoticon.
_TOKEN = re.compile(
    # (= [^\W_][\w'\-]*[^\W_]|[^\W_], without backtracking to the last letter or digit)
    r"[^\W_]+(?:[_'\-]+[^\W_]+)*"
    r"|[:;=8][-'^o]?[()\[\]dDpP/\\|*@$3<>]+|<3|[)(\]][-'^o]?[:;=]",
)


@lru_cache(maxsize=1)
def _data() -> tuple[dict[str, float], dict[str, str]]:
    folder = Path(_vs.__file__).resolve().parent
    lex: dict[str, float] = {}
    for line in (folder / "vader_lexicon.txt").read_text(encoding="utf-8").splitlines():
        parts = line.split("\t")
        if len(parts) >= 2:
            lex[parts[0]] = float(parts[1])
    emoji: dict[str, str] = {}
    for line in (folder / "emoji_utf8_lexicon.txt").read_text(encoding="utf-8").splitlines():
        parts = line.split("\t")
        if len(parts) >= 2:
            emoji[parts[0]] = parts[1]
    return lex, emoji


def _negator(word: str) -> bool:
    return word in _NEGATE or "n't" in word


def polarity(text: str) -> dict[str, float]:
    """VADER-style scores {neg, neu, pos, compound} for one text, plus caps (ALL-CAPS share)."""
    lex, emoji = _data()
    if "\u2019" in text:
        text = text.replace("\u2019", "'")
    tokens = _TOKEN.findall(text)
    if not text.isascii():
        extra = [emoji[ch] for ch in text if ch in emoji]
        if extra:
            tokens.extend(_TOKEN.findall(" ".join(extra)))
    n = len(tokens)
    if not n:
        return {"neg": 0.0, "neu": 0.0, "pos": 0.0, "compound": 0.0, "caps": 0.0}
    lower = list(map(str.lower, tokens))
    upper = sum(map(str.isupper, tokens))
    scored = [i for i, w in enumerate(lower) if w in lex]  # lexicon words' indices
    if not scored:  # all neutral: what the sums below come to with nothing added
        caps = upper / n
        return {"neg": -0.0, "neu": 1.0, "pos": 0.0, "compound": 0.0,
                "caps": caps and round(caps, 3)}
    cap_diff = 0 < upper < n
    but = lower.index("but") if "but" in lower else -1
    pos_sum = neg_sum = total = 0.0
    neu = n - len(scored)  # words outside the lexicon are neutral
    for i in scored:
        w = lower[i]
        v = lex[w]
        if w in _BOOST or (w == "kind" and i + 1 < n and lower[i + 1] == "of"):
            neu += 1
            continue
        if w == "no" and i + 1 < n and lower[i + 1] in lex:
            v = 0.0  # "no" negates the next lexicon word instead
        if (i > 0 and lower[i - 1] == "no") or (i > 1 and lower[i - 2] == "no"):
            v = lex[w] * _N_SCALAR
        if cap_diff and tokens[i].isupper():
            v += _C_INCR if v > 0 else -_C_INCR
        for k, damp in ((1, 1.0), (2, 0.95), (3, 0.9)):
            if i < k:
                break
            prev = lower[i - k]
            if prev in lex:
                continue
            b = _BOOST.get(prev)
            if b is not None:
                b = b if v >= 0 else -b
                if cap_diff and tokens[i - k].isupper():
                    b += _C_INCR if v > 0 else -_C_INCR
                v += b * damp
            elif _negator(prev):
                v *= _N_SCALAR
        if i > 0 and lower[i - 1] == "least" and (i < 2 or lower[i - 2] not in ("at", "very")):
            v *= _N_SCALAR
        if but >= 0:
            v *= 0.5 if i < but else 1.5 if i > but else 1.0
        total += v
        if v > 0:
            pos_sum += v + 1
        elif v < 0:
            neg_sum += v - 1
        else:
            neu += 1
    ep = min(text.count("!"), 4) * 0.292
    qm = text.count("?")
    emphasis = ep + (0.0 if qm <= 1 else qm * 0.18 if qm <= 3 else 0.96)
    if total > 0:
        total += emphasis
    elif total < 0:
        total -= emphasis
    compound = max(-1.0, min(1.0, total / math.sqrt(total * total + ALPHA)))
    if pos_sum > -neg_sum:
        pos_sum += emphasis
    elif pos_sum < -neg_sum:
        neg_sum -= emphasis
    denom = pos_sum - neg_sum + neu
    # `x and round(x, 3)`: a zero (often: no negative or no positive words, no capitals)
    # is its own rounding, without round()'s cost.
    neg, pos, caps = -neg_sum / denom, pos_sum / denom, upper / n
    return {"neg": neg and round(neg, 3), "neu": round(neu / denom, 3),
            "pos": pos and round(pos, 3), "compound": round(compound, 4),
            "caps": caps and round(caps, 3)}  # share of ALL-CAPS tokens (shouting)


def polarity_batch(texts: list[str]) -> list[dict[str, float]]:
    return [polarity(t) for t in texts]
