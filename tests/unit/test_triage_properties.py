"""Property tests: any text gives a triage result, any input line to `council-social
triage` a result or a clear message, never a traceback."""

from __future__ import annotations

import json

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from council_social.cli import main
from council_social.config import load_config
from council_social.triage import criticality as crit
from council_social.triage.decision import FLAGS, OUTCOMES
from council_social.triage.engine import TriageInput, TriageRules, triage_batch
from council_social.triage.intent import INTENTS

# Text as posts hold it: any code point (lone surrogates included), with a bias to
# the characters triage's patterns care about.
TEXT = st.one_of(
    st.text(),
    st.text(st.characters(exclude_categories=())),  # lone surrogates too
    st.text(alphabet=st.sampled_from(list(" \t\n@#?!.,'-_/:0123456789abcdefghijklmnopqrstuvwxyz"
                                          "ABC\u017f\u212a\u0130\u00e9\U0001F621"))),
    st.lists(st.sampled_from(["still", "waiting", "bin", "thanks", "gas", "idiots", "FOI",
                              "@Brent_Council", "https://t.co/x", "?", "again", "Wembley"]))
    .map(" ".join),
)


@pytest.fixture(scope="module")
def setup():
    config = load_config()
    return TriageRules.from_config(config), crit.load_model(None)


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(texts=st.lists(TEXT, min_size=1, max_size=5))
def test_any_text_gives_a_result(setup, texts):
    rules, model = setup
    results = triage_batch([TriageInput(text=t) for t in texts], rules, model)
    assert len(results) == len(texts)
    for text, r in zip(texts, results, strict=True):
        assert 0.0 <= r.criticality <= 1.0
        assert r.outcome in OUTCOMES and r.intent in INTENTS
        assert set(r.flags) <= set(FLAGS)
        assert r.decision.rule_path
        if not crit.substantive(text):
            assert not r.critical


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(line=st.one_of(st.text(), st.binary().map(lambda b: b.decode("utf-8", "replace")),
                      TEXT.map(lambda t: json.dumps({"text": t}))))
def test_any_line_gives_a_result_or_a_clear_message(tmp_path_factory, capsys, line):
    path = tmp_path_factory.mktemp("in") / "in.jsonl"
    path.write_bytes(line.encode("utf-8", "surrogatepass"))
    code = main(["triage", str(path)])
    out, err = capsys.readouterr()
    assert code in (0, 1)
    assert "Traceback" not in err
    if code == 1:
        assert "council-social triage: line" in err
    for row in out.splitlines():
        assert json.loads(row)["outcome"] in OUTCOMES


def test_lone_surrogate_is_a_clear_error(tmp_path, capsys):
    path = tmp_path / "in.jsonl"
    path.write_text('{"text": "bins \\ud800 again"}\n{"text": "fine \\ud83d\\ude21"}\n',
                    encoding="utf-8")
    code = main(["triage", str(path)])
    out, err = capsys.readouterr()
    assert code == 1
    assert "line 1: the record holds a lone surrogate" in err
    assert [json.loads(x)["text"] for x in out.splitlines()] == ["fine \U0001F621"]


def test_deeply_nested_json_is_a_clear_error(tmp_path, capsys):
    path = tmp_path / "in.jsonl"
    path.write_text("[" * 100_000 + "]" * 100_000 + "\n" + '{"text": "x": ' + "[" * 100_000
                    + "\n", encoding="utf-8")
    code = main(["triage", str(path)])
    out, err = capsys.readouterr()
    assert code == 1 and out == ""
    assert "line 1: JSON nested too deeply" in err
    assert "line 2: not JSON" in err


def test_a_text_longer_than_any_post_is_read_up_to_the_limit(setup):
    from council_social.triage.engine import MAX_TEXT_CHARS

    rules, model = setup
    text = "strong smell of gas in the flats " + "!?" * MAX_TEXT_CHARS + " idiots"
    long, short = triage_batch([TriageInput(text=text), TriageInput(text="gas leak")], rules, model)
    assert long.intent == "emergency" and long.inputs["text_truncated"] is True
    assert long.inputs["abuse_cues"] == []  # past the limit: not read
    assert short.inputs["text_truncated"] is False
