"""Response cases against real PostgreSQL: opening, replies, clocks, escalation, digests, FoI."""

from __future__ import annotations

import csv
import io
import json
import smtplib
from datetime import timedelta

import pytest
from sqlalchemy import text

from council_social.cases import watch as case_watch
from council_social.cases.notify import send_digests
from council_social.cases.watch import watch
from council_social.cli import main
from tests.cases_support import add_decision, add_item, add_reply, at, smtp_server
from tests.conftest import snapshot

pytestmark = pytest.mark.postgres

T0 = at("2026-11-24T10:00:00")  # a Tuesday, GMT
STEP = timedelta(minutes=15)
ENVIRONMENT = "402918377"  # @BrentEnvironment, the waste-recycling team's account
MAIN = "154019375"         # @Brent_Council, the web team's


def run(engine, config, end):
    return watch(engine, config, end - STEP, end)


def cases_by_item(engine) -> dict:
    with engine.connect() as conn:
        rows = conn.execute(text("SELECT * FROM social.cases ORDER BY id")).mappings().all()
    return {(r["external_id"], r["kind"]): dict(r) for r in rows}


def events(engine, case_id) -> list[tuple]:
    with engine.connect() as conn:
        return [tuple(r) for r in conn.execute(text(
            "SELECT event, once_key, actor, to_status FROM social.case_events"
            " WHERE case_id = :id ORDER BY at, id"), {"id": case_id})]


@pytest.fixture
def store(clean_db, config):
    """Five resident posts and their triage decisions, received at T0; cases open from T0."""
    with clean_db.begin() as conn:
        case_watch.mark_open_from(conn, T0, T0)
        for n in ("1", "2", "3", "4", "5"):
            add_item(conn, n, T0)
        add_decision(conn, config, "1", T0, outcome="customer_service", department="waste-recycling")
        add_decision(conn, config, "2", T0, outcome="monitor", flags=["foi"],
                     department="planning", foi_valid=True)
        add_decision(conn, config, "3", T0, outcome="escalate_comms", flags=["emergency"],
                     department="housing")
        add_decision(conn, config, "4", T0, outcome="monitor")
        add_decision(conn, config, "5", T0, outcome="escalate_comms", department="housing")
    return clean_db


def test_cases_open_once_per_item_however_often_it_reruns(store, config):
    result = run(store, config, T0 + STEP)
    cases = cases_by_item(store)
    # One item, one case: the emergency leads and carries the escalation.
    assert set(cases) == {("1", "customer_service"), ("2", "foi"), ("3", "emergency"),
                          ("5", "escalate_comms")}
    assert sum(result.opened.values()) == 4
    cs = cases[("1", "customer_service")]
    assert (cs["team"], cs["assignee"], cs["status"]) == (
        "waste-recycling", config.team("waste-recycling").lead_officer.email, "open")
    assert cs["opened_at"] == T0 and cs["due_at"] == T0 + timedelta(hours=24)
    assert cs["escalate_at"] == T0 + timedelta(hours=48)
    assert cases[("3", "emergency")]["team"] == "housing"
    assert cases[("5", "escalate_comms")]["team"] == "communications"
    assert [c["kind"] for c in cases[("3", "emergency")]["details"]["carries"]] == [
        "escalate_comms"]
    assert cases[("2", "foi")]["due_at"].date().isoformat() == "2026-12-22"
    assert events(store, cs["id"]) == [("opened", "opened", "response_watch", "open")]

    first = snapshot(store)
    again = run(store, config, T0 + STEP)
    assert sum(again.opened.values()) == 0
    assert snapshot(store) == first
    # An earlier interval rerun after a later one changes nothing either.
    run(store, config, T0 + 2 * STEP)
    second = snapshot(store)
    run(store, config, T0 + STEP)
    assert snapshot(store) == second


def test_a_reply_by_the_owning_team_closes_its_case(store, config):
    run(store, config, T0 + STEP)
    with store.begin() as conn:
        add_reply(conn, "101", "1", T0 + timedelta(hours=2), ENVIRONMENT)
    # Not seen before its time: "now" is the interval end, not the wall clock.
    run(store, config, T0 + 4 * STEP)
    assert cases_by_item(store)[("1", "customer_service")]["status"] == "open"
    result = run(store, config, T0 + timedelta(hours=2, minutes=15))
    case = cases_by_item(store)[("1", "customer_service")]
    assert case["status"] == "closed"
    assert case["responded_at"] == case["closed_at"] == T0 + timedelta(hours=2)
    assert case["responded_by"] == "account:brent-environment"
    assert result.closed["waste-recycling"] == 1
    assert [e[0] for e in events(store, case["id"])] == ["opened", "responded", "closed"]
    # Closed cases never go overdue.
    run(store, config, T0 + timedelta(hours=30))
    assert cases_by_item(store)[("1", "customer_service")]["status"] == "closed"


def test_a_reply_by_another_team_marks_responded_and_an_officer_closes(store, config, database_url,
                                                                       capsys):
    run(store, config, T0 + STEP)
    with store.begin() as conn:
        add_reply(conn, "102", "1", T0 + timedelta(hours=1), MAIN)
    run(store, config, T0 + timedelta(hours=1, minutes=15))
    case = cases_by_item(store)[("1", "customer_service")]
    assert (case["status"], case["responded_at"]) == ("responded", T0 + timedelta(hours=1))
    run(store, config, T0 + timedelta(hours=30))
    assert cases_by_item(store)[("1", "customer_service")]["status"] == "responded"

    ref = f"CS-{case['id']:06d}"
    assert main(["cases", "respond", ref, "--channel", "phone", "--note", "rang back",
                 "--by", "wanda", "--substantive", "--url", database_url]) == 0
    assert "closed" in capsys.readouterr().out
    case = cases_by_item(store)[("1", "customer_service")]
    assert case["status"] == "closed"
    kinds = [(e[0], e[2]) for e in events(store, case["id"])]
    assert kinds[-2:] == [("note", "officer:wanda"), ("closed", "officer:wanda")]
    assert main(["cases", "respond", ref, "--channel", "email", "--note", "x",
                 "--url", database_url]) == 2
    assert "already closed" in capsys.readouterr().err


def test_a_reply_made_by_email_is_recorded_from_the_command_line(store, config, database_url,
                                                                  capsys):
    run(store, config, T0 + STEP)
    case = cases_by_item(store)[("3", "emergency")]
    assert main(["cases", "respond", str(case["id"]), "--channel", "email", "--note",
                 "emailed the resident", "--by", "erin", "--at", "2026-11-24T10:20:00+00:00",
                 "--url", database_url]) == 0
    case = cases_by_item(store)[("3", "emergency")]
    assert (case["status"], case["response_channel"], case["responded_at"]) == (
        "responded", "email", T0 + timedelta(minutes=20))
    assert main(["cases", "respond", "EM-999999", "--channel", "email", "--note", "x",
                 "--url", database_url]) == 2
    assert capsys.readouterr().err.startswith("council-social: no case")


@pytest.mark.parametrize("at, reason", [
    ("9999-12-31T23:59:59Z", "is in the future"),
    ("1970-01-01T00:00:00Z", "is before"),
    ("2026-11-24T10:20:00", "has no UTC offset"),
])
def test_a_reply_time_that_cannot_be_right_is_refused(store, config, database_url, capsys, at,
                                                      reason):
    run(store, config, T0 + STEP)
    case = cases_by_item(store)[("3", "emergency")]
    assert main(["cases", "respond", str(case["id"]), "--channel", "email", "--note", "x",
                 "--at", at, "--url", database_url]) == 2
    err = capsys.readouterr().err
    assert reason in err and len(err.splitlines()) == 1
    assert cases_by_item(store)[("3", "emergency")]["status"] == case["status"]


def test_an_unanswered_question_escalates_exactly_once_per_step(store, config):
    now = T0 + STEP
    while now <= T0 + timedelta(hours=52):
        run(store, config, now)
        if now == T0 + timedelta(hours=24):  # at the deadline
            case = cases_by_item(store)[("1", "customer_service")]
            assert case["status"] == "overdue"
        now += timedelta(hours=1)
    run(store, config, T0 + timedelta(hours=52))  # and a rerun
    case = cases_by_item(store)[("1", "customer_service")]
    assert case["status"] == "escalated"
    log = events(store, case["id"])
    assert [e[1] for e in log] == ["opened", "overdue", "escalated:lead_officer",
                                   "escalated:head_of_communications"]
    with store.connect() as conn:
        detail = conn.execute(text(
            "SELECT detail FROM social.case_events WHERE case_id = :id AND event = 'escalated'"
            " ORDER BY at"), {"id": case["id"]}).scalars().all()
    assert [d["to"] for d in detail] == [config.team("waste-recycling").lead_officer.email,
                                        config.council.head_of_communications.email]
    assert main(["cases", "list", "--overdue", "--team", "waste-recycling", "--format", "json",
                 "--url", str(store.url.render_as_string(hide_password=False))]) == 0


def test_cases_list_filters(store, config, database_url, capsys):
    run(store, config, T0 + timedelta(hours=3))
    assert main(["cases", "list", "--url", database_url]) == 0
    out = capsys.readouterr().out
    assert "4 case(s)" in out and "CS-" in out and "FOI-" in out
    assert main(["cases", "list", "--overdue", "--format", "json", "--url", database_url]) == 0
    overdue = [json.loads(x) for x in capsys.readouterr().out.splitlines()]
    # Emergency (1 h) and escalate_comms (2 h) are overdue three hours in.
    assert sorted(r["kind"] for r in overdue) == ["emergency", "escalate_comms"]
    assert main(["cases", "list", "--team", "waste-recycling", "--format", "json",
                 "--url", database_url]) == 0
    assert [json.loads(x)["kind"] for x in capsys.readouterr().out.splitlines()] == [
        "customer_service"]
    assert main(["cases", "list", "--team", "nobody", "--url", database_url]) == 2


def test_old_decisions_are_backlog_and_other_rules_versions_open_nothing(clean_db, config,
                                                                          monkeypatch):
    with clean_db.begin() as conn:
        add_item(conn, "50", T0 - timedelta(days=30))
        add_decision(conn, config, "50", T0 - timedelta(days=30), outcome="customer_service")
        add_item(conn, "51", T0)
        add_decision(conn, config, "51", T0, outcome="customer_service", rules_version="0000-old")
    monkeypatch.setattr(case_watch, "current_rules_version", lambda config: "2099-new")
    run(clean_db, config, T0 + STEP)
    assert cases_by_item(clean_db) == {}  # no decision under the rules in force
    # Without a configured version each item's latest decision rules.
    with clean_db.begin() as conn:
        add_decision(conn, config, "51", T0, outcome="monitor", rules_version="0001-newer")
        add_item(conn, "52", T0)
        add_decision(conn, config, "52", T0, outcome="monitor", rules_version="0000-old")
        add_decision(conn, config, "52", T0, outcome="service_conversation",
                     department="libraries", rules_version="0001-newer")
    monkeypatch.setattr(case_watch, "current_rules_version", lambda config: None)
    run(clean_db, config, T0 + STEP)
    found = cases_by_item(clean_db)
    assert set(found) == {("50", "customer_service"), ("52", "service_conversation")}
    # A month old, past the lookback: listed as backlog, on no clock.
    assert found[("50", "customer_service")]["status"] == "backlog"
    assert found[("52", "service_conversation")]["status"] == "open"


def test_foi_acknowledgement_reminders_and_register(store, config, database_url, capsys):
    with store.begin() as conn:
        add_item(conn, "60", T0, '=HYPERLINK("http://evil") FoI: how much on consultants?',
                 author="9060", username="mallory", display_name="Mal Lory")
        add_decision(conn, config, "60", T0, outcome="customer_service", flags=["foi"],
                     foi_valid=False)
    run(store, config, T0 + STEP)
    foi = cases_by_item(store)[("2", "foi")]
    with store.begin() as conn:
        add_reply(conn, "103", "2", T0 + timedelta(minutes=30), MAIN, "Logged as FOI-1")
    # Deadline Tue 22 Dec; 5 working days before is Tue 15 Dec, 1 is Mon 21 Dec (09:00).
    for end in ("2026-11-24T11:00", "2026-12-15T08:45", "2026-12-15T09:00", "2026-12-15T09:15",
                "2026-12-21T09:00", "2026-12-21T09:15"):
        run(store, config, at(end))
    foi = cases_by_item(store)[("2", "foi")]
    assert foi["status"] == "open" and foi["responded_at"] is None  # acknowledged only
    log = [(e[0], e[1]) for e in events(store, foi["id"])]
    assert log == [("opened", "opened"), ("acknowledged", "acknowledged"),
                   ("reminder", "reminder:5"), ("reminder", "reminder:1")]

    assert main(["foi", "register", "--format", "csv", "--url", database_url]) == 0
    rows = list(csv.DictReader(io.StringIO(capsys.readouterr().out)))
    assert [r["ref"] for r in rows] == [f"FOI-{foi['id']:06d}",
                                       f"FOI-{cases_by_item(store)[('60', 'foi')]['id']:06d}"]
    assert rows[0]["due_date"] == "2026-12-22" and rows[0]["reminders_sent"] == "5,1"
    assert rows[0]["acknowledged_at"].startswith("2026-11-24T10:30")
    assert rows[1]["valid_request"] == "False"
    assert rows[1]["request_text"].startswith("'=HYPERLINK")  # formula injection guarded
    assert rows[1]["requester"] == "Mal Lory @mallory"

    assert main(["foi", "register", "--format", "json", "--url", database_url]) == 0
    assert len(capsys.readouterr().out.splitlines()) == 2
    assert main(["foi", "acknowledgement", str(foi["id"]), "--url", database_url]) == 0
    ack = capsys.readouterr().out.strip()
    assert "22 Dec 2026" in ack and "email" in ack and len(ack) <= 280

    from council_social.cases.foi import open_foi_items

    with store.connect() as conn:
        held = open_foi_items(conn)
    assert {(h["platform"], h["external_id"]) for h in held} == {("twitter", "2"), ("twitter", "60")}
    assert main(["cases", "respond", str(foi["id"]), "--channel", "email", "--note",
                 "answer emailed", "--substantive", "--url", database_url]) == 0
    with store.connect() as conn:
        assert {h["external_id"] for h in open_foi_items(conn)} == {"60"}


def test_one_digest_per_team_per_run_over_real_smtp(store, config):
    start, end = T0 + timedelta(hours=23, minutes=45), T0 + timedelta(hours=24)
    run(store, config, T0 + STEP)
    watch(store, config, start, end)
    with smtp_server() as inbox:
        with smtplib.SMTP(inbox.host, inbox.port) as client:
            sent = send_digests(store, config, start, end, client)
            again = send_digests(store, config, start, end, client)
        messages = inbox.parsed()
    assert again == []
    teams = sorted(d.team for d in sent)
    # Overdue at 24 h: customer service (waste); this run is the first to see the
    # escalation (communications) and the emergency (housing) past both steps.
    assert teams == ["communications", "housing", "waste-recycling"]
    assert len(messages) == 3 == len(inbox.messages)
    waste = next(m for m in messages if m["To"] == config.team("waste-recycling").email)
    assert config.team("waste-recycling").lead_officer.email in waste["Cc"]
    assert "When is my bin collected?" in waste.get_body(("plain",)).get_content()
    comms = next(m for m in messages if m["To"] == config.team("communications").email)
    assert config.council.head_of_communications.email in comms["Cc"]
    assert config.council.head_of_communications.email not in waste["Cc"]
    rcpts = {tuple(m["to"]) for m in inbox.messages}
    assert (config.team("waste-recycling").email,
            config.team("waste-recycling").lead_officer.email) in rcpts
    with store.connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM social.case_digests")).scalar() == 3


def test_a_failed_send_is_retried_not_lost(store, config):
    run(store, config, T0 + STEP)

    class Broken:
        def send_message(self, msg):
            raise smtplib.SMTPServerDisconnected("gone")

    with pytest.raises(smtplib.SMTPServerDisconnected):
        send_digests(store, config, T0, T0 + STEP, Broken())
    with store.connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM social.case_digests")).scalar() == 0
    with smtp_server() as inbox:
        with smtplib.SMTP(inbox.host, inbox.port) as client:
            sent = send_digests(store, config, T0, T0 + STEP, client)
    assert len(sent) == len(inbox.messages) == 4  # waste, planning (FoI), comms, housing


def test_response_time_report(store, config, database_url, capsys):
    from council_social.cases.reports import response_times

    run(store, config, T0 + STEP)
    with store.begin() as conn:
        add_reply(conn, "104", "1", T0 + timedelta(hours=2), ENVIRONMENT)
        add_reply(conn, "105", "5", T0 + timedelta(hours=5), MAIN)
    run(store, config, T0 + timedelta(hours=6))
    with store.connect() as conn:
        rows = response_times(conn, config, T0 - timedelta(days=7), T0 + timedelta(days=1),
                              T0 + timedelta(days=30))
    by_kind = {r["kind"]: r for r in rows}
    assert {r["week"] for r in rows} == {"2026-11-23"}
    cs = by_kind["customer_service"]
    assert (cs["p50_hours"], cs["p90_hours"], cs["share_within_target"]) == (2.0, 2.0, 1.0)
    assert cs["target"] == "24 h"
    ec = by_kind["escalate_comms"]
    assert (ec["p50_hours"], ec["within_target"], ec["share_within_target"]) == (5.0, 0, 0.0)
    assert by_kind["foi"]["target"] == "20 working days" and by_kind["foi"]["responded"] == 0
    assert main(["cases", "report", "--format", "csv", "--url", database_url]) == 0
    assert capsys.readouterr().out.startswith("week,kind,target")
