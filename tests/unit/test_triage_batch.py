"""The batch shortcuts give exactly what the per-item functions give."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import numpy as np
import pytest

from council_social.config import load_config
from council_social.triage import criticality as crit
from council_social.triage.cues import COMPLAINT, PRAISE
from council_social.triage.engine import TriageRules
from council_social.triage.gate import GateIndex, text_keys
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
