"""Phrase lexicons the signals share: (name, regex, weight) entries.

Each entry is compiled on its own and a `gate.Gate` picks, per text, the few
entries whose first characters occur at a word start; only those run.
That keeps cue matching at a few microseconds a post instead of one big
alternation tried at every word start. A cue counts once if it occurs
anywhere in the text (entries are matched independently, so overlapping cues
such as "not fixed" and "not good enough" are both found).
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass, field
from re import _constants as C  # noqa: N812 (sre opcodes)
from re import _parser as sre_parse

from council_social.triage.gate import Gate, TextKeys, text_keys

_FLAGS = re.IGNORECASE | re.UNICODE  # what lexicon() compiles with
_ASCII = "".join(map(chr, range(128)))
_ASCII_LOWER = _ASCII.lower()


@functools.cache
def _folds_like_lower(one_char: str) -> bool:
    """Whether a one-character pattern (a character or a [range]) ignoring case matches
    the same ASCII characters as it matches case-sensitively in their lowercased forms
    (false for "A", or for "\u017f" and "\u212a", which match "s" and "k" ignoring case)."""
    return ([m.start() for m in re.finditer(one_char, _ASCII, re.IGNORECASE)]
            == [m.start() for m in re.finditer(one_char, _ASCII_LOWER)])


def _lowers_exactly(items) -> bool:
    """Whether the parsed pattern, ignoring case on ASCII text, matches exactly where it
    matches the lowercased text case-sensitively: true when every character it names
    folds like its lowercase (\\w, \\d, \\s, "." and anchors: lowering ASCII keeps each
    character's class). Anything else (backreferences, unknown opcodes): false."""
    for op, av in items:
        if op in (C.LITERAL, C.NOT_LITERAL):
            if not _folds_like_lower(re.escape(chr(av))):
                return False
        elif op is C.IN:
            for sop, sav in av:
                if sop is C.LITERAL:
                    one_char = re.escape(chr(sav))
                elif sop is C.RANGE:
                    one_char = f"[{re.escape(chr(sav[0]))}-{re.escape(chr(sav[1]))}]"
                elif sop in (C.CATEGORY, C.NEGATE):
                    continue
                else:
                    return False
                if not _folds_like_lower(one_char):
                    return False
        elif op is C.BRANCH:
            if not all(_lowers_exactly(branch) for branch in av[1]):
                return False
        elif op is C.SUBPATTERN:
            if not _lowers_exactly(av[-1]):
                return False
        elif op in (C.MAX_REPEAT, C.MIN_REPEAT, C.POSSESSIVE_REPEAT):
            if not _lowers_exactly(av[2]):
                return False
        elif op in (C.ASSERT, C.ASSERT_NOT):
            if not _lowers_exactly(av[1]):
                return False
        elif op not in (C.AT, C.ANY):
            return False
    return True


@dataclass(frozen=True)
class Lexicon:
    names: tuple[str, ...]
    weights: dict[str, float]
    patterns: tuple[re.Pattern[str], ...]
    gate: Gate
    # Worked out from the fields above: (name, weight) per entry, each pattern's match,
    # and for lowercased ASCII text the patterns' case-sensitive match (None unless every
    # pattern is one of lexicon()'s and matches there exactly where it matches ignoring case).
    _entries: tuple[tuple[str, float], ...] = field(init=False, repr=False, compare=False)
    _match: tuple = field(init=False, repr=False, compare=False)
    _lowered_match: tuple | None = field(init=False, repr=False, compare=False)

    def __post_init__(self):
        set_ = functools.partial(object.__setattr__, self)
        set_("_entries", tuple((name, self.weights[name]) for name in self.names))
        set_("_match", tuple(p.match for p in self.patterns))
        lowered = None
        if all(p.flags == _FLAGS and _lowers_exactly(sre_parse.parse(p.pattern))
               for p in self.patterns):
            lowered = tuple(re.compile(p.pattern).match for p in self.patterns)
        set_("_lowered_match", lowered)

    def matches(self, text: str, keys: TextKeys | None = None) -> dict[str, float]:
        """Cue name -> weight for every cue found (each counted once), in lexicon order.

        `keys` (from `gate.text_keys(text)`) can be shared by several lexicons."""
        if keys is None:
            keys = text_keys(text)
        at = keys.at  # self.gate.positions(keys), inlined (four lexicons an item)
        if at is not None:
            slot = keys.index.slot_of.get(self.gate)
            if slot is not None:
                at = at.get(slot)
                if at is None:
                    return {}
                # Keys from a GateIndex know where each candidate could start: try it there
                # only (a search would try every character, the lookbehind first).
                match = self._match
                if self._lowered_match is not None and keys.low is not None and text.isascii():
                    text, match = keys.low, self._lowered_match
                hits = []
                for i, starts in at.items():
                    match_i = match[i]
                    for q in starts:
                        if match_i(text, q) is not None:
                            hits.append(i)
                            break
                if not hits:
                    return {}
                if len(hits) > 1:
                    hits.sort()  # `at` lists candidates by their first window, not in lexicon order
                entries = self._entries
                found = {}
                for i in hits:
                    name, weight = entries[i]
                    found[name] = weight
                return found
        found: dict[str, float] = {}
        for i in sorted(self.gate.candidates(keys)):
            if self.patterns[i].search(text) is not None:
                name = self.names[i]
                found[name] = self.weights[name]
        return found


def lexicon(entries: list[tuple[str, str, float]]) -> Lexicon:
    return Lexicon(
        names=tuple(n for n, _, _ in entries),
        weights={n: w for n, _, w in entries},
        patterns=tuple(re.compile(rf"(?<![\w])(?:{regex})(?![\w])", re.IGNORECASE)
                       for _, regex, _ in entries),
        gate=Gate([regex for _, regex, _ in entries]),
    )


# Complaints to an organisation are often worded neutrally: waiting, chasing,
# repetition and unanswered contact carry the criticism, not angry words.
COMPLAINT = lexicon([
    ("still_waiting", r"still (?:waiting|no|not|nothing|hasn'?t|haven'?t|isn'?t|broken|there|here|leaking|blocked|awaiting)", 0.65),
    ("waiting_for", r"(?:been )?waiting (?:for|since|on) ", 0.35),
    ("duration", r"(?:\d+|two|three|four|five|six|several|many|few) (?:weeks?|months?|days?|hours?|times|calls|emails)(?: now| running| later| on)?", 0.35),
    ("nth_time", r"(?:second|third|fourth|fifth|sixth|umpteenth|\d+(?:st|nd|rd|th)) (?:week|time|month|call|email|day|request)", 0.55),
    ("again", r"(?:yet )?again|once more|every (?:single )?(?:week|time)|as usual", 0.35),
    ("no_reply", r"no (?:reply|response|answer|one|update|call ?back|callback|acknowledg\w*|action|sign)|nobody (?:has|came|answers|replied|turned)|no-one|not (?:heard|had) (?:back|anything|a reply)|heard nothing|nothing (?:has )?(?:happened|been done)|nothing\.|ignored", 0.6),
    ("reported", r"(?:reported|chased|emailed|rang|phoned|called|complained|logged|raised)(?: (?:it|this|you|them))? (?:\w+ )?(?:times|twice|again|repeatedly|already|weeks ago|months ago|days ago)", 0.6),
    ("missed", r"(?:missed|not (?:been )?(?:collected|emptied|fixed|repaired|done|sorted|resolved|picked up|cleared|answered|working)|wasn'?t (?:collected|emptied|fixed)|never (?:came|turned up|arrived|collected|fixed|replied|got back)|didn'?t (?:turn up|come|happen|get collected))", 0.6),
    ("when_will", r"when (?:will|are|is) (?:someone|anyone|you|this|it|the council) (?:going to |be )?(?:come|fix|sort|do|respond|reply|get|collect|repair|turn up|actually|finally)|how (?:much )?longer|how many more|any chance (?:of|someone)|is anyone (?:going|actually)", 0.55),
    ("on_hold", r"on hold|(?:kept|left) (?:waiting|hanging)|phone (?:line )?(?:just )?rings|goes to voicemail|cut off|passed (?:from pillar to post|around)", 0.55),
    ("broken", r"(?:broken|overflowing|leaking|flooded|blocked|cracked|collapsed|dangerous|filthy|stinks?|smells?|rats?|mice|vermin|mould|mouldy|damp|no heating|no hot water|freezing|unsafe|dumped|piled up|fly[- ]?tipp\w*)", 0.35),
    ("money", r"overcharged|charged twice|double charged|wrongly (?:charged|fined|billed|ticketed)|unfair(?:ly)? (?:fine|ticket|pcn|charge)|refund|pay(?:ing)? (?:my |our )?(?:council tax|£\s?\d+) (?:for|and)|what (?:do|am) (?:we|i) pay(?:ing)? for", 0.55),
    ("negative_eval", r"(?:not (?:good enough|acceptable|impressed|happy|ok|okay|great|fair|right)|unacceptable|appalling|shocking|disgrace\w*|ridiculous|pathetic|joke|farce|shambles|useless|hopeless|incompetent|terrible|awful|dreadful|poor service|worst|fed up|sick (?:and tired )?of|tired of|frustrat\w+|disappointed|let down|fobbed off|beyond a joke|absolute state|embarrassing|shameful|rubbish service|nightmare|mess)", 0.7),
    ("complaint_word", r"complain\w*|formal complaint|ombudsman|escalate this|escalating", 0.6),
    ("sarcasm", r"thanks for nothing|cheers for nothing|great (?:job|work|service),? (?:as always|again|brent)|well done,? (?:brent|again|guys)|oh (?:good|great|brilliant|wonderful)|love (?:paying|how|that)|what a surprise|surprise surprise|shock horror|who (?:would have|could have) (?:guessed|thought)|clearly a priority|top (?:service|work)|world class|/s|\U0001F644|\U0001F612|\U0001F621|\U0001F620|\U0001F92C", 0.6),
    ("question_neg", r"why (?:is|are|has|have|does|do|did|can'?t|won'?t|isn'?t|hasn'?t|haven'?t|doesn'?t|is nobody|is no one)|how is (?:this|it) (?:acceptable|allowed|ok)|is this (?:acceptable|normal|how)", 0.45),
    ("cant", r"can'?t (?:get|find|reach|access|believe|get through|park|get out|sleep|use)|unable to|impossible to|won'?t (?:let|accept|answer|respond|fix)", 0.35),
])

# Thanks and praise pull criticality down (unless a complaint cue says it is sarcasm).
PRAISE = lexicon([
    ("thanks", r"thank(?:s| you)(?: so much| very much)?(?: to| for (?:the|your|sorting|fixing|getting|coming|a|being|all))|thank you|many thanks|much appreciated|appreciated|cheers(?: for (?:sorting|fixing|the))?", 0.5),
    ("well_done", r"well done|great (?:job|work|service|initiative|event|news|to see|idea)|brilliant|fantastic|amazing|excellent|lovely|superb|wonderful|impressed|kudos|credit where|hats off|shout ?out to|bravo|top notch|really (?:helpful|pleased|good|happy)|so helpful|very helpful|helpful staff|good to see|nice to see|proud", 0.5),
    ("fixed", r"(?:fixed|sorted|repaired|collected|resolved|cleared|done) (?:so |really |very )?(?:quickly|fast|promptly|the same day|within|in (?:a|one|two) (?:day|hour)s?|today|already|straight away)", 0.5),
])
