"""Cue lexicons and intent checks: the fast paths give what the plain regexes give."""

from __future__ import annotations

import json
import random
from re import _parser as sre_parse

import pytest

from council_social.triage import intent
from council_social.triage.cues import COMPLAINT, PRAISE, _lowers_exactly, lexicon
from council_social.triage.gate import GateIndex, text_keys
from council_social.triage.intent import ABUSE, EMERGENCY, classify_intent

LEXICONS = (COMPLAINT, PRAISE, ABUSE, EMERGENCY)

# Cue words in any case, next to the characters that case folding treats specially
# ("ſ" matches "s" and "K" (Kelvin) "k" ignoring case; "İ" lowers to two characters).
TRICKY = [
    "STILL WAITING for a reply", "Still Waiting", "sTiLl NoT fixed", "NO REPLY. No-One came",
    "3RD WEEK, 2 Calls", "umpteenth TIME", "Thank You SO MUCH", "CHEERS FOR SORTING it",
    "IDIOTS and MORONS", "F***ing SHITE", "SMELL OF GAS", "Tree Down on the road",
    "ſtill waiting", "no reply \u212aind of", "İ still waiting, no reply", "still\u00a0waiting",
    "ignored!!!", "Nothing.", "/s", "world class \U0001F644", "pay £20 for", "PAY £20 FOR",
    "_still waiting", "still waitingly", "x still waiting", "", "   ",
]

FRAGMENTS = [
    "still", "waiting", "for", "no", "reply", "not", "fixed", "again", "3", "rd", "week",
    "weeks", "thank", "you", "cheers", "great", "job", "idiot", "bloody", "gas", "leak",
    "fire", "urgent", "smell", "of", "the", "lot", "you", "ignored", "nothing.", "why",
    "is", "can't", "won't", "fly-tipping", "£20", "@Brent", "#12", "_", "-", ",", "!",
]


def _random_text(rnd: random.Random) -> str:
    words = []
    for _ in range(rnd.randint(0, 10)):
        word = rnd.choice(FRAGMENTS)
        roll = rnd.random()
        if roll < 0.2:
            word = word.upper()
        elif roll < 0.3:
            word = word.title()
        words.append(word)
        words.append(rnd.choice([" ", " ", " ", "  ", "\t", ",", ", ", "\n"]))
    return "".join(words)


def _plain(lex, text: str) -> list[tuple[str, float]]:
    """The cues the plain regexes find, in lexicon order: a search per entry the gate lets
    through (it skips "ſtill" for "still": its windows are lowercased, not case-folded)."""
    candidates = lex.gate.candidates(text_keys(text))
    found = {}
    for i, (name, pattern) in enumerate(zip(lex.names, lex.patterns, strict=True)):
        if i in candidates and pattern.search(text) is not None:
            found[name] = lex.weights[name]
    return list(found.items())


@pytest.fixture(scope="module")
def index():
    return GateIndex([lex.gate for lex in LEXICONS])


def test_shipped_lexicons_match_lowered_ascii_text():
    # The fast path is on for every shipped lexicon (else the tests below test one path).
    assert all(lex._lowered_match is not None for lex in LEXICONS)


def test_matches_equal_the_plain_regexes_in_order(index):
    rnd = random.Random(11)
    texts = TRICKY + [t.upper() for t in TRICKY] + [_random_text(rnd) for _ in range(3000)]
    for text in texts:
        keys = index.keys(text)
        for lex in LEXICONS:
            plain = _plain(lex, text)
            assert list(lex.matches(text, keys).items()) == plain, (lex.names[0], text)
            assert list(lex.matches(text).items()) == plain, (lex.names[0], text)


@pytest.mark.parametrize("regex", [r"[A-Z]x", r"Upper", "\u212aelvin"])
def test_patterns_that_do_not_lower_exactly_take_the_regex_path(regex):
    # "[A-Z]" and "U" ignoring case match "a" and "u", but not the lowered text
    # case-sensitively; "K" (Kelvin) ignoring case matches "k".
    lex = lexicon([("odd", regex, 0.5), ("plain", r"bins?", 0.25)])
    assert lex._lowered_match is None
    index = GateIndex([lex.gate])
    for text in ["ax upper kelvin bins", "AX UPPER KELVIN BINS", "nothing here"]:
        assert list(lex.matches(text, index.keys(text)).items()) == _plain(lex, text), text


def test_a_range_that_lowers_exactly_keeps_the_fast_path():
    lex = lexicon([("range", r"[A-z]x", 0.5)])  # A-Z, a-z and [\]^_`: the same both ways
    assert lex._lowered_match is not None
    index = GateIndex([lex.gate])
    for text in ["ax", "AX", "_x", "^x", "Qx yx"]:
        assert lex.matches(text, index.keys(text)) == {"range": 0.5}, text


def test_scores_are_the_noisy_or_of_the_matches(index):
    for text in TRICKY + ["idiots, bloody idiots, I'll kill you", "gas leak and fire, urgent"]:
        keys = index.keys(text)
        for score, lex in ((intent.abuse_score, ABUSE), (intent.emergency_score, EMERGENCY)):
            found = lex.matches(text)
            miss = 1.0
            for w in found.values():
                miss *= 1.0 - w
            assert score(text, keys) == score(text) == (1.0 - miss, sorted(found)), text


# Openings, greetings, handles and FoI wording in any case, glued or spaced.
INTENT_FRAGMENTS = [
    "@Brent_Council", "@a", "@", "hi", "Hello", "HEY", "morning", "how", "Is", "isn't", "any",
    "hihow", "do", ",", "!", "?", "foi", "FOIA", "f.o.i", "F.O.I", "foiable", "request",
    "Request under the FOI", "request for the freedom", "freedom of information",
    "Information Request", "under the foi act", "anyone know", "Does Anyone", "please advise",
    "wondering whether", "can someone tell", "x", "_", "1", "...", "İ", "ſ", "\u212a",
]


def _random_intent_text(rnd: random.Random) -> str:
    parts = [rnd.choice(INTENT_FRAGMENTS) for _ in range(rnd.randint(0, 6))]
    return "".join(p + rnd.choice(["", " ", "  ", "\t", ", ", "\n"]) for p in parts)


def test_foi_and_question_checks_equal_the_plain_regexes():
    rnd = random.Random(5)
    texts = [_random_intent_text(rnd) for _ in range(5000)]
    texts += ["FOI", "foi.", "a foia b", "xfoi", "foi_", "f.o.i.", "request for foi-ish",
              "Hi, how", "hi how", "@x @y how", "@x  , !how", "@x how2", "  is", "is_", ""]
    for text in texts:
        assert intent.is_foi(text) is (intent.FOI.search(text) is not None), text
        assert intent.is_question(text) is (intent.QUESTION.search(text) is not None), text


def test_intent_patterns_lower_exactly():
    # What lets the intent checks run case-sensitively on lowercased ASCII text.
    for pattern in (intent.FOI, intent.QUESTION, intent._OPENING, intent._PHRASES):
        assert _lowers_exactly(sre_parse.parse(pattern.pattern)), pattern.pattern


def test_classify_intent_checks_foi_and_questions_in_any_case():
    signals = dict(critical=False, complaint_cues=0.0, praise=0.0, abusive=0.0,
                   emergency=0.0, has_topic=False)
    assert classify_intent("FOI REQUEST please", **signals) == "foi_request"
    assert classify_intent("Request For The Freedom pass data", **signals) == "foi_request"
    assert classify_intent("@Brent_Council HOW do I", **signals) == "question"
    assert classify_intent("@Brent_Council Does Anyone know", **signals) == "question"
    assert classify_intent("İs this FOI", **signals) == "foi_request"  # not ASCII: the regexes
    assert classify_intent("Nice day", **signals) == "general_comment"


def test_lexicon_match_dicts_serialise_in_lexicon_order(index):
    text = "Ignored again. Still waiting, no reply, third week. Not good enough"
    found = COMPLAINT.matches(text, index.keys(text))
    assert json.dumps(found) == json.dumps(dict(_plain(COMPLAINT, text)))
    assert list(found) == [n for n in COMPLAINT.names if n in found]
