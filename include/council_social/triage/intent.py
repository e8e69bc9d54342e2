"""Intent: what a message is trying to do.

One of question, complaint, foi_request, emergency, general_comment, praise,
abuse. Order matters: an FoI request or an emergency is that whatever its
tone; abuse is abuse when the insults are the message.
"""

from __future__ import annotations

import re

from council_social.triage.cues import lexicon
from council_social.triage.gate import TextKeys

INTENTS = ("question", "complaint", "foi_request", "emergency", "general_comment", "praise", "abuse")

FOI = re.compile(
    r"freedom of information|\bfoi\b|\bfoia\b|\bf\.o\.i\b|information request|"
    r"under the (?:foi|freedom of information) act|request (?:under|for) (?:the )?(?:foi|freedom)",
    re.IGNORECASE,
)

EMERGENCY = lexicon([
    ("gas", r"smell(?:s|ing)? (?:of )?gas|gas (?:leak|smell)|smell gas|carbon monoxide", 1.0),
    ("fire", r"(?:on fire|fire (?:at|in|on|near|behind|outside)|(?:huge|big|massive|house|flat|bin|car|building) fire|blaze|smoke (?:coming|pouring|everywhere)|flames)", 1.0),
    ("flood", r"(?:flood(?:ing|ed)|water (?:pouring|coming|gushing|pour)|burst (?:water )?main|sewage (?:coming|flooding|overflowing|everywhere))", 0.8),
    ("structure", r"(?:collapsed?|collapsing|about to fall|falling (?:down|off)|tree (?:down|fallen|has fallen|came down|across)|fallen tree|dangerous structure|cladding (?:falling|fell))", 0.8),
    ("power", r"(?:power lines?|live (?:wire|cable)s?|cables?|wires?) (?:down|on the (?:ground|road|pavement)|exposed|sparking)|sparking|electric shock|power cut", 0.8),
    ("people", r"(?:trapped|injured|unconscious|not breathing|stuck in (?:the )?lift|missing (?:child|person|boy|girl)|someone (?:is )?hurt|danger to life|call(?:ed)? (?:999|the fire brigade|an ambulance))", 1.0),
    ("urgent", r"urgent(?:ly)?|emergency|asap|right now|immediately", 0.3),
])

ABUSE = lexicon([
    ("insult", r"idiots?|morons?|clowns?|scum(?:bags?)?|muppets?|wankers?|tossers?|pricks?|twats?|bastards?|cretins?|imbeciles?|parasites?|leeches|crooks?|thieves|pigs?|dickheads?|numpties|halfwits?|losers", 0.7),
    ("profanity", r"f+u+c+k+\w*|f\*+k\w*|f\*+\w*|sh[i1]te?|bullshit|crap|c\*+t|cunts?|arse(?:hole)?s?|piss(?:ed|ing)?|bloody|damn|wtf|stfu", 0.4),
    ("threat", r"(?:i'?ll|i will|gonna|going to) (?:kill|hurt|find|smash|burn|get) (?:you|them|him|her)|deserve to (?:die|suffer)|hope (?:you|they) (?:die|rot|burn)|watch your back|kill yourselves?|should be (?:shot|hanged|strung up)", 1.0),
    ("contempt", r"(?:shut up|get lost|piss off|go to hell|drop dead|rot in hell|sack the lot|the lot of you|every (?:single )?one of you|all of you)", 0.35),
])

QUESTION = re.compile(
    r"\?|^\W*(?:@\w+\s+)*(?:hi|hello|hey|morning)?[\s,!]*(?:how|when|where|what|which|who|why|is|are|can|could|do|does|did|will|would|should|any|has|have)\b"
    r"|\b(?:anyone know|does anyone|do you know|please (?:advise|confirm|let me know)|wondering (?:if|whether|how|when)|i need to know|can someone tell)\b",
    re.IGNORECASE,
)
# QUESTION in three parts, cheapest first: a "?", the opening words (anchored at the
# start, so one try), then the phrases anywhere (only if one of their words is there).
_OPENING = re.compile(
    r"\W*(?:@\w+\s+)*(?:hi|hello|hey|morning)?[\s,!]*(?:how|when|where|what|which|who|why|is|are|can|could|do|does|did|will|would|should|any|has|have)\b",
    re.IGNORECASE,
)
_PHRASES = re.compile(
    r"\b(?:anyone know|does anyone|do you know|please (?:advise|confirm|let me know)|wondering (?:if|whether|how|when)|i need to know|can someone tell)\b",
    re.IGNORECASE,
)

# For ASCII text lowercased: the patterns above name lowercase letters only, so matching
# there case-sensitively finds what ignoring case finds in the text (see cues._lowers_exactly).
# _OPENING's handles possessive, as giving back cannot make it match: a handle's \w+
# must end before its spaces, a space given back is one [\s,!]* takes next anyway,
# and a handle given back leaves an "@" that nothing after it can match.
_OPENING_LOWERED = re.compile(
    r"\W*(?:@\w++\s++)*+(?:hi|hello|hey|morning)?[\s,!]*(?:how|when|where|what|which|who|why|is|are|can|could|do|does|did|will|would|should|any|has|have)\b",
)
_PHRASES_LOWERED = re.compile(_PHRASES.pattern)
# FOI's alternatives that need a regex ("under the (foi|freedom of information) act" holds
# a bounded "foi" or "freedom of information", so it needs no check of its own).
_FOI_NAMED = re.compile(r"\bf(?:oia?|\.o\.i)\b")
_FOI_REQUEST = re.compile(r"request (?:under|for) (?:the )?(?:foi|freedom)")


def abuse_score(text: str, keys: TextKeys | None = None) -> tuple[float, list[str]]:
    return _noisy_or(ABUSE.matches(text, keys))


def emergency_score(text: str, keys: TextKeys | None = None) -> tuple[float, list[str]]:
    return _noisy_or(EMERGENCY.matches(text, keys))


def _noisy_or(found: dict[str, float]) -> tuple[float, list[str]]:
    """(noisy-OR of the cues' weights, their names sorted)."""
    if not found:
        return 0.0, []  # what the loop gives for no cues
    miss = 1.0
    for w in found.values():
        miss *= 1.0 - w
    return 1.0 - miss, sorted(found)


def is_foi(text: str) -> bool:
    return _is_foi(text, text.lower() if text.isascii() else None)


def _is_foi(text: str, low: str | None) -> bool:
    """FOI.search(text) is not None. `low`: the text lowercased when it is ASCII, else None."""
    if low is None:
        return FOI.search(text) is not None
    foi = "foi" in low
    named = foi or "f.o.i" in low
    freedom = "freedom" in low
    if not (named or freedom or "information" in low):
        return False  # every FOI match holds one of these
    return ("freedom of information" in low or "information request" in low
            or (named and _FOI_NAMED.search(low) is not None)
            or ((foi or freedom) and _FOI_REQUEST.search(low) is not None))


def is_question(text: str) -> bool:
    """QUESTION.search(text), answered part by part."""
    return _is_question(text, text.lower() if text.isascii() else None)


def _is_question(text: str, low: str | None) -> bool:
    if "?" in text:
        return True
    if low is None:
        return _OPENING.match(text) is not None or _PHRASES.search(text) is not None
    if _OPENING_LOWERED.match(low) is not None:
        return True
    # Every _PHRASES match holds one of these words (spelled out: a generator costs more).
    if not ("anyone" in low or "know" in low or "please" in low or "wondering" in low
            or "someone" in low):
        return False
    return _PHRASES_LOWERED.search(low) is not None


def classify_intent(
    text: str, *, critical: bool, complaint_cues: float, praise: float, abusive: float,
    emergency: float, has_topic: bool,
) -> str:
    """The intent, from the signals already computed for this text (a pure function)."""
    low = text.lower() if text.isascii() else None  # lowered once for both checks
    if _is_foi(text, low):
        return "foi_request"
    if emergency >= 0.8:
        return "emergency"
    if abusive >= 0.6 and not (has_topic and complaint_cues >= 0.5):
        return "abuse"
    if critical or complaint_cues >= 0.6:
        return "complaint"
    if praise >= 0.5:
        return "praise"
    if _is_question(text, low):
        return "question"
    return "general_comment"
