"""The batch shortcuts give exactly what the per-item functions give."""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime, timedelta
from pathlib import Path

import numpy as np
import pytest

from council_social.config import load_config
from council_social.triage import criticality as crit
from council_social.triage.cues import COMPLAINT, PRAISE
from council_social.triage.engine import TriageRules
from council_social.triage.gate import Gate, GateIndex, K, text_keys
from council_social.triage.hours import OutOfHours, out_of_hours
from council_social.triage.intent import ABUSE, EMERGENCY

TEXTS = [json.loads(x)["text"] for x in
         (Path(__file__).resolve().parents[1] / "data/council_labelled.jsonl").read_text().splitlines()]
TEXTS += ["", "  ", "İstanbul ΣΟΦΟΣ   tabs\tand\nlines", "3rd week, 2 calls!!", "👍 thanks"]


@pytest.fixture(scope="module")
def rules():
    return TriageRules.from_config(load_config())


def test_gate_index_gives_each_gate_its_own_candidates(rules):
    gates = [COMPLAINT.gate, PRAISE.gate, EMERGENCY.gate, ABUSE.gate, *rules.topics.gates]
    index = GateIndex(gates)
    for text in TEXTS:
        shared, plain = index.keys(text), text_keys(text)
        for g in gates:
            assert g.candidates(shared) == g.candidates(plain), text


# Word starts in awkward places: text edges, short last windows, digits, runs of mixed
# spaces (tab, newline, NBSP, \x1c), a run repeated or inside an earlier one, punctuation.
TRICKY = [
    "no", "no reply", " no reply ", "no reply\n", "\tstill waiting", "still  waiting\t\tfor",
    "still\u00a0waiting", "no\u00a0reply", "no\x1creply", "no\u2003reply", "nobody no reply no",
    "aa a no no no", "nobody  no reply  no", "bin,,collection", "bin,collection!!,,rats", "_no reply", "(no reply)",
    "#123 #456 #000 3 weeks 12 weeks", "waited 3 weeks, 2 weeks", "fly-tipping fly tipping",
    "not collected\r\n\r\nnot   collected", "👍 thanks 👍thanks", "it's still there", "rat",
    "@Brent_Council @brent_council missed bin", "x" * 5 + " bins", "a b c d e f g", "",
]


def _plain_starts(index: GateIndex, text: str) -> dict[int, dict[int, list[int]]]:
    """Slot -> {regex -> its word starts}, the plain way: every word start by regex."""
    low, out = text.lower(), {}
    for m in re.finditer(r"(?<![\w])\S", low):
        window = low[m.start():m.start() + K].translate(str.maketrans("123456789", "0" * 9))
        for gate, slot in index.slot_of.items():
            for i in gate.window_candidates(window):
                out.setdefault(slot, {}).setdefault(i, []).append(m.start())
    return out


@pytest.mark.parametrize("limit", [None, 3])
def test_gate_index_starts_are_every_word_start_of_each_candidate(rules, limit):
    index = GateIndex(rules.gates.slot_of)
    if limit:  # the memos cleared mid-text
        index.MEMO_LIMIT = index.RUN_LIMIT = limit
    for text in TEXTS[:200] + TRICKY + [t.upper() for t in TRICKY]:
        for _ in range(2):  # worked out, then remembered
            keys = index.keys(text)
            assert keys.at == _plain_starts(index, text), text
            assert keys.found is keys.at


def test_gate_index_cues_and_topics_match_the_plain_regexes(rules):
    index = GateIndex(rules.gates.slot_of)
    for text in TEXTS[:100] + TRICKY + ["İstanbul no reply"]:
        keys = index.keys(text)
        for lexicon in (COMPLAINT, PRAISE, EMERGENCY, ABUSE):
            assert lexicon.matches(text, keys) == lexicon.matches(text), text
        assert rules.topics.match(text, keys) == rules.topics.match(text), text


def test_gate_index_without_offsets():
    # Lowering changes the length ("İ" -> "i̇"), or a regex is always on: candidates only.
    gates = [Gate([r"no reply", r"\d+ weeks?"]), Gate([r"rats?", r"\w+ing"])]
    index = GateIndex(gates)
    for text in ["İ no reply, rats", "3 weeks waiting", "no  reply"]:
        keys = index.keys(text)
        assert keys.at is None
        for g in gates:
            assert g.candidates(keys) == g.candidates(text_keys(text)), text
    keys = GateIndex(gates[:1]).keys("İ no reply after 3 weeks")
    assert keys.at is None and gates[0].candidates(keys) == {0, 1}


def test_tfidf_dot_equals_sklearn_transform():
    model = crit.load_model(None)
    _, w = model._arrays()
    words, chars = model.vectorizers()
    dw, dc = model.text_dots()
    nw = len(model.text["vocabulary"])
    expected_w = words.transform(TEXTS) @ w[:nw]
    expected_c = chars.transform(TEXTS) @ w[nw:nw + dc.size]
    np.testing.assert_allclose(dw.decision(TEXTS), expected_w, rtol=0, atol=1e-12)
    np.testing.assert_allclose(dc.decision(TEXTS), expected_c, rtol=0, atol=1e-12)


def test_out_of_hours_per_minute_equals_the_function():
    config = load_config()
    cached = OutOfHours(config.office_hours, config.council.timezone)
    moment = datetime(2026, 3, 27, 0, 0, 17, tzinfo=UTC)  # across a weekend, a clock change, Easter
    for _ in range(2000):
        moment += timedelta(minutes=7, seconds=13)
        assert cached(moment) == out_of_hours(moment, config.office_hours, config.council.timezone)
