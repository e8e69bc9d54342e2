"""Phrase lexicons the signals share: (name, regex, weight) entries.

Each entry is compiled on its own and a `gate.Gate` picks, per text, the few
entries whose first characters occur at a word start; only those run.
That keeps cue matching at a few microseconds a post instead of one big
alternation tried at every word start. A cue counts once if it occurs
anywhere in the text (entries are matched independently, so overlapping cues
such as "not fixed" and "not good enough" are both found).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from council_social.triage.gate import Gate, TextKeys, text_keys


@dataclass(frozen=True)
class Lexicon:
    names: tuple[str, ...]
    weights: dict[str, float]
    patterns: tuple[re.Pattern[str], ...]
    gate: Gate

    def matches(self, text: str, keys: TextKeys | None = None) -> dict[str, float]:
        """Cue name -> weight for every cue found (each counted once), in lexicon order.

        `keys` (from `gate.text_keys(text)`) can be shared by several lexicons."""
        if keys is None:
            keys = text_keys(text)
        found: dict[str, float] = {}
        at = keys.at  # self.gate.positions(keys), inlined (four lexicons an item)
        if at is not None:
            slot = keys.index.slot_of.get(self.gate)
            if slot is None:
                at = None
            else:
                at = at.get(slot)
                if at is None:
                    return found
        if at is None:
            for i in sorted(self.gate.candidates(keys)):
                if self.patterns[i].search(text) is not None:
                    name = self.names[i]
                    found[name] = self.weights[name]
            return found
        # Keys from a GateIndex know where each candidate could start: try it there only
        # (a search would try every character, the lookbehind first).
        for i in sorted(at) if len(at) > 1 else at:
            match = self.patterns[i].match
            for q in at[i]:
                if match(text, q) is not None:
                    name = self.names[i]
                    found[name] = self.weights[name]
                    break
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
