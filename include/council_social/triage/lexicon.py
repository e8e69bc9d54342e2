"""A fast sentiment scorer on VADER's own lexicon (the rules path's sentiment).

VADER's `SentimentIntensityAnalyzer.polarity_scores` costs ~260 µs a post
(it re-lowercases the whole token list for every word it checks). This scorer
keeps VADER's data and constants (vader_lexicon.txt, emoji_utf8_lexicon.txt,
NEGATE, BOOSTER_DICT, B_INCR, C_INCR, N_SCALAR, the normalisation
x / sqrt(x^2 + 15)) and its main rules, simplified:

- one compiled regex tokenises (words with inner apostrophes, emoticons), once per
  distinct whitespace-separated chunk (remembered with its lowercased tokens, counts
  and valences);
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

import re
from functools import lru_cache
from itertools import chain
from math import sqrt
from operator import itemgetter
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


# Words some rule looks at around a lexicon word: in a text without any, each lexicon
# word scores its own valence (plus caps emphasis), as every other rule is a no-op.
_CONTEXT = _NEGATE.union(_BOOST, ("no", "least", "kind", "but"))

# A chunk's counts in one int, 64 bits a field (tokens, ALL-CAPS tokens, lexicon words,
# 1 if some context word), so that one sum() adds up a text's: as no count comes near
# 2**64 (a few a character at most, with emoji), no field's sum carries into the next.
_BITS = 64
_FIELD = (1 << _BITS) - 1
_CHUNK_LIMIT = 1 << 15  # chunks remembered (~13 MB of tweets' chunks) before starting afresh


def _facts(tokens: tuple[str, ...], lex: dict[str, float]) -> tuple:
    """Some tokens' counts, lowercased tokens and lexicon words' valences."""
    if len(tokens) == 1:  # most chunks: what the general case gives, without its iterators
        word = tokens[0].lower()
        lower = (word,)
        valences = (lex[word],) if word in lex else ()
        context = word in _CONTEXT or "n't" in word
        upper = tokens[0].isupper()
    else:
        lower = tuple(map(str.lower, tokens))
        valences = tuple(map(lex.__getitem__, filter(lex.__contains__, lower)))
        # (a token with "n't" shows in the tokens joined by spaces, as no "n't" spans a space)
        context = not _CONTEXT.isdisjoint(lower) or "n't" in " ".join(lower)
        upper = sum(map(str.isupper, tokens))
    counts = len(tokens) | upper << _BITS | len(valences) << 2 * _BITS | context << 3 * _BITS
    return counts, lower, valences


def _with_caps(v: float) -> float:
    return v + (_C_INCR if v > 0 else -_C_INCR)


class _Chunks(dict):
    """Chunk (a whitespace-free piece of text, case kept) -> (counts, tokens, lowercased
    tokens, its emoji's descriptions' tokens, lowercased, lexicon words' valences out of
    context, the same with caps emphasis), made on first use. A text's tokens are its
    chunks' tokens in order, as no _TOKEN match holds whitespace and _TOKEN has no anchor
    or lookaround; then come its chunks' emoji tokens in order, as no emoji is whitespace."""

    def __missing__(self, chunk: str) -> tuple:
        lex, emoji = _data()
        # (letters and digits only: one _TOKEN match, as str.isalnum() is re's [^\W_])
        tokens = (chunk,) if chunk.isalnum() else tuple(_TOKEN.findall(chunk))
        counts, lower, valences = _facts(tokens, lex)
        caps_valences = valences
        if valences and counts >> _BITS & _FIELD:  # some ALL-CAPS token
            caps_valences = tuple(_with_caps(lex[w]) if t.isupper() else lex[w]
                                  for t, w in zip(tokens, lower, strict=True) if w in lex)
        emoji_tokens = emoji_lower = ()
        if not chunk.isascii():
            described = [emoji[ch] for ch in chunk if ch in emoji]
            if described:
                emoji_tokens = tuple(_TOKEN.findall(" ".join(described)))
                emoji_counts, emoji_lower, _ = _facts(emoji_tokens, lex)
                counts += emoji_counts
        if len(self) >= _CHUNK_LIMIT:
            self.clear()
        self[chunk] = facts = (counts, tokens, lower, emoji_tokens, emoji_lower,
                               valences, caps_valences)
        return facts


_chunks = _Chunks()
_COUNTS, _VALENCES, _CAPS_VALENCES = itemgetter(0), itemgetter(5), itemgetter(6)


def _joined(parts: list[tuple], column: int, ascii_text: bool) -> list[str]:
    """The chunks' tokens (column 1) or lowercased tokens (2) in order, then their emoji's."""
    words = [*chain.from_iterable(map(itemgetter(column), parts))]
    if not ascii_text:  # only non-ASCII chunks have emoji
        words += chain.from_iterable(map(itemgetter(column + 2), parts))
    return words


def _valences_in_context(lower: list[str], tokens: list[str] | None, cap_diff: bool,
                         lex: dict[str, float]) -> tuple[list[float], int]:
    """The lexicon words' valences after the rules on their neighbours, and how many
    lexicon words count as neutral instead (boosters, "kind of")."""
    n = len(lower)
    but = lower.index("but") if "but" in lower else -1
    valences, skipped = [], 0
    for i, w in enumerate(lower):
        if w not in lex:
            continue
        v = lex[w]
        if w in _BOOST or (w == "kind" and i + 1 < n and lower[i + 1] == "of"):
            skipped += 1
            continue
        if w == "no" and i + 1 < n and lower[i + 1] in lex:
            v = 0.0  # "no" negates the next lexicon word instead
        if (i > 0 and lower[i - 1] == "no") or (i > 1 and lower[i - 2] == "no"):
            v = lex[w] * _N_SCALAR
        if cap_diff and tokens[i].isupper():
            v = _with_caps(v)
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
        valences.append(v)
    return valences, skipped


def polarity(text: str) -> dict[str, float]:
    """VADER-style scores {neg, neu, pos, compound} for one text, plus caps (ALL-CAPS share)."""
    if "\u2019" in text:
        text = text.replace("\u2019", "'")
    parts = list(map(_chunks.__getitem__, text.split()))
    counts = sum(map(_COUNTS, parts))
    n = counts & _FIELD
    if not n:
        return {"neg": 0.0, "neu": 0.0, "pos": 0.0, "compound": 0.0, "caps": 0.0}
    upper = counts >> _BITS & _FIELD
    scored = counts >> 2 * _BITS & _FIELD  # lexicon words
    if not scored:  # all neutral: what the sums below come to with nothing added
        caps = upper / n
        return {"neg": -0.0, "neu": 1.0, "pos": 0.0, "compound": 0.0,
                "caps": caps and round(caps, 3)}
    cap_diff = 0 < upper < n
    neu = n - scored  # words outside the lexicon are neutral
    ascii_text = text.isascii()
    if ascii_text and not counts >> 3 * _BITS:  # no emoji, no context words
        valences = chain.from_iterable(map(_CAPS_VALENCES if cap_diff else _VALENCES, parts))
    else:
        valences, skipped = _valences_in_context(
            _joined(parts, 2, ascii_text), _joined(parts, 1, ascii_text) if cap_diff else None,
            cap_diff, _data()[0])
        neu += skipped
    pos_sum = neg_sum = total = 0.0
    for v in valences:
        total += v
        if v > 0:
            pos_sum += v + 1
        elif v < 0:
            neg_sum += v - 1
        else:
            neu += 1
    # (`in` first: most texts have no "!" or "?", and it costs less than count())
    ep = min(text.count("!"), 4) * 0.292 if "!" in text else 0.0
    qm = text.count("?") if "?" in text else 0
    emphasis = ep + (0.0 if qm <= 1 else qm * 0.18 if qm <= 3 else 0.96)
    if total > 0:
        total += emphasis
    elif total < 0:
        total -= emphasis
    compound = total / sqrt(total * total + ALPHA)
    # max(-1.0, min(1.0, compound)) (compound is never NaN) without the calls' cost
    compound = 1.0 if compound > 1.0 else -1.0 if compound < -1.0 else compound
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
