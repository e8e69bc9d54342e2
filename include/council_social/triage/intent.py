"""Intent: what a message is trying to do.

One of question, complaint, foi_request, emergency, general_comment, praise,
abuse. Order matters: an FoI request or an emergency is that whatever its
tone; abuse is abuse when the insults are the message.
"""

from __future__ import annotations

import re

from council_social.triage.cues import lexicon, noisy_or

INTENTS = ("question", "complaint", "foi_request", "emergency", "general_comment", "praise", "abuse")

FOI = re.compile(
    r"freedom of information|\bfoi\b|\bfoia\b|\bf\.o\.i\b|information request|"
    r"under the (?:foi|freedom of information) act|request (?:under|for) (?:the )?(?:foi|freedom)",
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
)


def abuse_score(text: str) -> tuple[float, list[str]]:
    """(noisy-OR of the abuse cues found, their names sorted)."""
    found = ABUSE.matches(text)
    return noisy_or(found), sorted(found)


def emergency_score(text: str) -> tuple[float, list[str]]:
    """(noisy-OR of the emergency cues found, their names sorted)."""
    found = EMERGENCY.matches(text)
    return noisy_or(found), sorted(found)


# FOI and QUESTION are written in lower case and matched on casefolded text (faster
# than ignoring case: see topics.terms_pattern).
def is_foi(text: str) -> bool:
    return FOI.search(text.casefold()) is not None


def is_question(text: str) -> bool:
    return QUESTION.search(text.casefold()) is not None


def classify_intent(
    text: str, *, critical: bool, complaint_cues: float, praise: float, abusive: float,
    emergency: float, has_topic: bool,
) -> str:
    """The intent, from the signals already computed for this text (a pure function)."""
    if is_foi(text):
        return "foi_request"
    if emergency >= 0.8:
        return "emergency"
    if abusive >= 0.6 and not (has_topic and complaint_cues >= 0.5):
        return "abuse"
    # Thanks with no complaint cue beside it is praise, whatever the text model says
    # (complaints to customer care thank in advance; residents thank when it is done).
    if praise >= 0.5 and complaint_cues < 0.5:
        return "praise"
    if critical or complaint_cues >= 0.6:
        return "complaint"
    if praise >= 0.5:
        return "praise"
    if is_question(text):
        return "question"
    return "general_comment"
