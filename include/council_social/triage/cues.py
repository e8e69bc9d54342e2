"""Phrase lexicons the signals share: (name, regex, weight) entries.

A lexicon is one regex: its entries as named alternatives, each tried at every
word start of the casefolded text (a lookahead, so cues that overlap from
different word starts, such as "still not" and "not fixed", are both found;
at one word start the first entry in lexicon order that matches counts). One
scan per lexicon costs a fraction of a scan per entry. Entries are written in
lower case and must not hold capturing groups (only `(?:...)`). A cue counts
once however often it occurs. `noisy_or` turns the cues found into one score:
1 - the product of (1 - weight).
"""

from __future__ import annotations

import re
from dataclasses import dataclass


@dataclass(frozen=True)
class Lexicon:
    names: tuple[str, ...]
    weights: dict[str, float]
    pattern: re.Pattern[str]

    def matches(self, text: str) -> dict[str, float]:
        """Cue name -> weight for every cue found (each counted once), in lexicon order."""
        found = {m.lastgroup for m in self.pattern.finditer(text.casefold())}
        return {name: self.weights[name] for name in self.names if name in found}


def lexicon(entries: list[tuple[str, str, float]]) -> Lexicon:
    for name, regex, _ in entries:
        if re.compile(regex).groups:
            raise ValueError(f"cue {name}: use (?:...), not capturing groups")
    body = "|".join(rf"(?P<{name}>{regex})(?!\w)" for name, regex, _ in entries)
    return Lexicon(names=tuple(n for n, _, _ in entries), weights={n: w for n, _, w in entries},
                   pattern=re.compile(rf"(?<!\w)(?=(?:{body}))"))


def noisy_or(found: dict[str, float]) -> float:
    """1 - prod(1 - weight) over the cues found (0.0 for none)."""
    miss = 1.0
    for weight in found.values():
        miss *= 1.0 - weight
    return 1.0 - miss


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
