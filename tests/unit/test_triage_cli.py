"""`council-social triage FILE`: JSON lines in and out, malformed lines, exit codes;
and the labelled council set's coverage."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import pytest

from council_social.cli import main

DATA = Path(__file__).resolve().parents[1] / "data" / "council_labelled.jsonl"


def run(capsys, argv):
    code = main(argv)
    out, err = capsys.readouterr()
    return code, [json.loads(x) for x in out.splitlines()], err


def test_json_lines_in_and_out(tmp_path, capsys):
    f = tmp_path / "in.jsonl"
    f.write_text(
        json.dumps({"text": "@Brent_Council still waiting for my bin, third week",
                    "created_at": "2026-11-21T10:00:00Z", "id": "a1"}) + "\n"
        + json.dumps({"text": "how do I get a visitor parking permit?", "author_name": "Amara Okafor",
                      "author_followers": 120, "author_verified": False,
                      "metrics": {"reply_count": 1}, "platform": "twitter"}) + "\n",
        encoding="utf-8")
    code, rows, err = run(capsys, ["triage", str(f)])
    assert code == 0 and err == ""
    assert [r["id"] for r in rows[:1]] == ["a1"]
    first, second = rows
    for key in ("criticality", "critical", "intent", "topic", "department", "influence",
                "outcome", "flags", "explanation"):
        assert key in first
    assert first["critical"] is True and first["outcome"] == "customer_service"
    assert first["flags"] == ["out_of_hours"] and first["topic"] == "bins-recycling"
    assert second["outcome"] == "webteam_respond" and "brent.gov.uk/parking" in second["draft_reply"]


def test_malformed_lines_reported_by_number_and_skipped(tmp_path, capsys):
    f = tmp_path / "in.jsonl"
    f.write_text('{"text": "thank you"}\nnot json\n\n{"text": ""}\n[1]\n'
                 '{"text": "x", "created_at": "yesterday"}\n{"text": "fine"}\n', encoding="utf-8")
    code, rows, err = run(capsys, ["triage", str(f)])
    assert code == 1
    assert [r["text"] for r in rows] == ["thank you", "fine"]
    for n in (2, 4, 5, 6):
        assert f"line {n}:" in err
    assert "line 1:" not in err and "line 3:" not in err


def test_stdin(monkeypatch, capsys):
    import io
    import sys

    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(b'{"text": "gas leak on Walm Lane"}\n')))
    code, rows, _ = run(capsys, ["triage", "-"])
    assert code == 0 and rows[0]["flags"] == ["emergency"]


def test_unreadable_file_exits_2(tmp_path, capsys):
    code, rows, err = run(capsys, ["triage", str(tmp_path / "missing.jsonl")])
    assert code == 2 and rows == [] and "cannot read" in err


def test_correct_needs_outcome_or_critical(capsys):
    assert main(["triage", "correct", "123"]) == 2
    assert "--outcome" in capsys.readouterr().err


def test_correct_rejects_a_bad_item(capsys):
    assert main(["triage", "correct", "myspace:1", "--critical", "yes"]) == 2
    assert "platform:external_id" in capsys.readouterr().err


def test_labelled_council_set_covers_every_outcome_and_flag():
    rows = [json.loads(x) for x in DATA.read_text(encoding="utf-8").splitlines()]
    assert len(rows) >= 300
    outcomes = Counter(r["outcome"] for r in rows)
    assert set(outcomes) == {"monitor", "customer_service", "webteam_respond",
                             "service_conversation", "escalate_comms"}
    flags = Counter(f for r in rows for f in r["flags"])
    assert set(flags) == {"foi", "emergency", "abusive", "impersonation", "out_of_hours"}
    assert len({r["text"] for r in rows}) == len(rows)
    assert (DATA.parent / "LABELLING.md").is_file()


@pytest.mark.parametrize("flag", ["foi", "emergency", "impersonation", "out_of_hours"])
def test_triage_finds_the_flags_labelled_in_the_council_set(flag):
    from council_social.config import load_config
    from council_social.triage.criticality import load_model
    from council_social.triage.engine import TriageRules, triage_batch
    from council_social.triage.records import input_from_record

    rows = [json.loads(x) for x in DATA.read_text(encoding="utf-8").splitlines()]
    results = triage_batch([input_from_record(r) for r in rows],
                           TriageRules.from_config(load_config()), load_model(None))
    labelled = {r["id"] for r in rows if flag in r["flags"]}
    found = {r["id"] for r, x in zip(rows, results, strict=True) if flag in x.flags}
    assert len(labelled & found) >= 0.9 * len(labelled)
    assert len(found - labelled) <= 0.1 * len(labelled) + 1
