"""The inbox from the command line: a case shown as an officer reads it, assigned, handed on
and closed with a reason, every step in its history; backlog closed in bulk."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from sqlalchemy import text

from council_social.cases.watch import mark_open_from, watch
from council_social.cli import main
from tests.cases_support import RESIDENT, add_decision, add_item, add_reply, at

pytestmark = pytest.mark.postgres

T0 = at("2026-11-24T10:00:00")
STEP = timedelta(minutes=15)
MAIN = "154019375"  # @Brent_Council, the web team's account


@pytest.fixture
def inbox(clean_db, config):
    """A resident's complaint in a thread, the council's earlier reply, and a second case of
    theirs; two posts from before the watch began (backlog)."""
    with clean_db.begin() as conn:
        mark_open_from(conn, T0 - timedelta(hours=1), T0)
        add_item(conn, "700", T0 - timedelta(minutes=30), "Bins on Ealing Rd missed again",
                 conversation_id="700")
        add_reply(conn, "701", "700", T0 - timedelta(minutes=20), MAIN,
                  "Sorry to hear that, we have told the crews.")
        add_item(conn, "702", T0, "Still not collected \x1b[2J <b>three days</b> now",
                 in_reply_to="701", in_reply_to_author=MAIN, conversation_id="700")
        add_decision(conn, config, "702", T0, outcome="customer_service",
                     department="waste-recycling")
        add_item(conn, "703", T0, "And the pothole outside 12 Ealing Rd?")
        add_decision(conn, config, "703", T0, outcome="service_conversation", department="highways")
        for n in ("800", "801"):
            add_item(conn, n, T0 - timedelta(days=3), "old question about parking permits",
                     author=f"9{n}", username=f"driver{n}")
            add_decision(conn, config, n, T0 - timedelta(days=3), outcome="customer_service",
                         department="parking")
    watch(clean_db, config, T0, T0 + STEP)
    return clean_db


def case_of(engine, external_id):
    with engine.connect() as conn:
        return conn.execute(text("SELECT * FROM social.cases WHERE external_id = :e"),
                            {"e": external_id}).mappings().one()


def test_show_prints_the_post_author_thread_decision_and_history(inbox, database_url, capsys):
    case = case_of(inbox, "702")
    ref = f"CS-{case['id']:06d}"
    assert main(["cases", "show", ref, "--format", "json", "--url", database_url]) == 0
    shown = json.loads(capsys.readouterr().out)
    assert shown["text"].startswith("Still not collected")
    assert shown["author"]["username"] == "resident_one"
    assert [o["ref"] for o in shown["author"]["other_open_cases"]] == [
        f"SC-{case_of(inbox, '703')['id']:06d}"]
    assert [p["external_id"] for p in shown["thread"]] == ["700", "701", "702"]
    assert [p["council_account"] for p in shown["thread"]] == [None, "brent-council", None]
    assert shown["decision"]["outcome"] == "customer_service"
    assert shown["history"][0]["sentence"].startswith(
        "Opened by response_watch for Waste, Recycling & Environment, due Wed 25 Nov 10:00")
    # The text form never lets a post move the terminal's cursor.
    assert main(["cases", "show", ref, "--url", database_url]) == 0
    out = capsys.readouterr().out
    assert "\x1b" not in out and "[U+001B]" in out and "history:" in out


def test_assign_hands_on_and_close_with_a_reason(inbox, config, database_url, capsys):
    case = case_of(inbox, "702")
    ref = f"CS-{case['id']:06d}"
    assert main(["cases", "assign", ref, "--to", "Wes Placeholder", "--officer", "Wendy Sample",
                 "--note", "Wes knows this round", "--url", database_url]) == 0
    assert "assigned to Wes Placeholder (Web Team)" in capsys.readouterr().out
    moved = case_of(inbox, "702")
    assert (moved["assignee"], moved["team"]) == ("wes.placeholder@brent.gov.uk", "web-team")
    # Handing it to a team gives it to the team's lead officer.
    assert main(["cases", "assign", ref, "--to", "parking", "--officer", "wes.placeholder@brent.gov.uk",
                 "--url", database_url]) == 0
    capsys.readouterr()
    assert case_of(inbox, "702")["assignee"] == config.team("parking").lead_officer.email
    assert main(["cases", "close", ref, "--reason", "answered_elsewhere", "--officer",
                 "Parveen Sample", "--note", "rang them", "--url", database_url]) == 0
    assert "closed: answered elsewhere" in capsys.readouterr().out
    assert case_of(inbox, "702")["status"] == "closed"
    assert main(["cases", "show", ref, "--format", "json", "--url", database_url]) == 0
    sentences = [e["sentence"] for e in json.loads(capsys.readouterr().out)["history"]]
    assert sentences[1:] == [
        "Assigned to Wes Placeholder (Web Team) by Wendy Sample: Wes knows this round",
        "Assigned to Parveen Sample (Parking Services) by Wes Placeholder",
        "Closed by Parveen Sample: answered elsewhere (rang them)",
    ]


@pytest.mark.parametrize("argv, says", [
    (["assign", "{ref}", "--to", "Nobody Known", "--officer", "Wendy Sample"], "neither a team"),
    (["assign", "{ref}", "--to", "parking", "--officer", "Mallory"], "no officer 'Mallory'"),
    (["assign", "{ref}", "--to", "parking", "--officer", "Wendy Sample", "--note", "\u200b "],
     "must contain words"),
    (["close", "{ref}", "--reason", "bored", "--officer", "Wendy Sample"], "invalid choice"),
    (["close", "{ref}", "--reason", "duplicate", "--officer", ""], "no officer"),
    (["close", "CS-999999", "--reason", "duplicate", "--officer", "Wendy Sample"], "no case"),
    (["show", "not-a-case"], "not a case reference"),
])
def test_bad_allocations_end_with_exit_2_and_one_line(inbox, database_url, capsys, argv, says):
    ref = f"CS-{case_of(inbox, '702')['id']:06d}"
    before = case_of(inbox, "702")
    with pytest.raises(SystemExit) if "invalid choice" in says else _no_raise() as raised:
        code = main(["cases", *(a.format(ref=ref) for a in argv), "--url", database_url])
    code = raised.value.code if "invalid choice" in says else code
    err = capsys.readouterr().err.strip()
    assert code == 2
    assert says in err and len(err.splitlines()) <= 2  # argparse adds its usage line
    assert case_of(inbox, "702") == before


class _no_raise:
    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False


def test_backlog_is_listed_and_closed_in_bulk_with_a_reason(inbox, database_url, capsys):
    assert main(["cases", "list", "--status", "backlog", "--format", "json",
                 "--url", database_url]) == 0
    backlog = [json.loads(x) for x in capsys.readouterr().out.splitlines()]
    assert sorted(r["external_id"] for r in backlog) == ["800", "801"]
    assert main(["cases", "close", "--backlog", "--team", "parking", "--reason", "no_reply_needed",
                 "--officer", "Parveen Sample", "--note", "three days old, answered by phone",
                 "--url", database_url]) == 0
    assert capsys.readouterr().out.count("closed: no reply needed") == 2
    assert {case_of(inbox, n)["status"] for n in ("800", "801")} == {"closed"}
    assert case_of(inbox, "702")["status"] == "open"  # live cases are not touched
    assert main(["cases", "close", "--backlog", "--reason", "no_reply_needed",
                 "--officer", "Parveen Sample", "--url", database_url]) == 2
    assert "no backlog cases" in capsys.readouterr().err


def test_a_reply_seen_later_still_closes_an_assigned_case(inbox, config, database_url, capsys):
    case = case_of(inbox, "702")
    assert main(["cases", "assign", f"CS-{case['id']:06d}", "--to", "web-team",
                 "--officer", "Wendy Sample", "--url", database_url]) == 0
    with inbox.begin() as conn:
        add_reply(conn, "704", "702", T0 + timedelta(hours=1), MAIN, "Crews are on their way.")
    watch(inbox, config, T0 + timedelta(hours=1), T0 + timedelta(hours=1, minutes=15))
    assert case_of(inbox, "702")["status"] == "closed"  # the web team owns it now
    assert RESIDENT
