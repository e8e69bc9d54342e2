"""Digest rendering (pure), the outbox, the FoI acknowledgement and CSV guard, case refs."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from email import message_from_bytes, policy

import pytest

from council_social.cases.calendar import WorkingCalendar
from council_social.cases.events import case_ref, parse_case_ref
from council_social.cases.foi import acknowledgement_text, csv_safe, register_csv, reminder_times
from council_social.cases.notify import OutboxSender, render_digests, snippet
from council_social.cases.routing import case_kind_for, kinds_for, owning_team

END = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)
HOSTILE = "<script>alert(1)</script> bins\r\nBcc: everyone@example.com \x07"


def _event(event, team="waste-recycling", case_id=7, detail=None, **extra):
    return {"case_id": case_id, "event": event, "at": END - timedelta(minutes=5), "actor":
            "response_watch", "detail": detail or {}, "kind": "customer_service", "team": team,
            "due_at": END + timedelta(hours=20), "text": HOSTILE,
            "url": "javascript:alert(1)", **extra}


def test_digests_escape_post_text_and_go_only_to_teams_with_news(config):
    events = [
        _event("opened"),
        _event("escalated", detail={"step": "lead_officer", "to": "lead@example.com",
                                    "name": "Lead"}),
        _event("escalated", case_id=8, detail={"step": "head_of_communications",
                                               "to": "hoc@example.com", "name": "Head"}),
    ]
    outstanding = [{"id": 7, "kind": "customer_service", "team": "waste-recycling",
                    "status": "overdue", "due_at": END, "text": HOSTILE}]
    digests = render_digests(config, events, outstanding, END - timedelta(minutes=15), END)
    assert [d.team for d in digests] == ["waste-recycling"]
    d = digests[0]
    team = config.team("waste-recycling")
    assert d.to == (team.email,)
    assert d.cc == (team.lead_officer.email, config.council.head_of_communications.email)
    assert "<script>" not in d.html and "&lt;script&gt;" in d.html
    assert "javascript:" not in d.html
    assert "\x07" not in d.text and "\r" not in d.text
    assert "Bcc:" not in d.subject and "\n" not in d.subject
    assert "CS-000007" in d.text and "CS-000008" in d.html
    assert d.cases == 2 and d.events == 3
    assert d.message_id == "<case-digest.waste-recycling.20261125T120000Z@council-social>"
    # The same input renders the same digest: reruns compare equal.
    again = render_digests(config, events, outstanding, END - timedelta(minutes=15), END)
    assert again == digests


def test_no_news_no_digest(config):
    assert render_digests(config, [], [], END - timedelta(minutes=15), END) == []


def test_outbox_writes_a_readable_eml(tmp_path, config):
    digest = render_digests(config, [_event("opened")], [], END - timedelta(minutes=15), END)[0]
    outbox = OutboxSender(tmp_path / "outbox")
    outbox.send_message(digest.to_message("social.ops@brent.gov.uk", END))
    [path] = outbox.written
    msg = message_from_bytes(path.read_bytes(), policy=policy.default)
    assert msg["To"] == config.team("waste-recycling").email
    assert msg.get_body(("html",)).get_content().count("&lt;script&gt;") == 1


def test_snippet_limits_length():
    assert len(snippet("x" * 500)) == 160
    assert snippet(None) == ""


def test_acknowledgement_texts_fit_in_a_post(config):
    due = datetime(2027, 1, 21, 23, 59, 59, tzinfo=UTC)
    valid = acknowledgement_text(config, ref="FOI-000012", due_at=due, valid=True, handle="rita")
    assert valid.startswith("@rita ") and "21 Jan 2027" in valid and "FOI-000012" in valid
    assert "email" in valid and "link" in valid and len(valid) <= 280
    invalid = acknowledgement_text(config, ref="FOI-000012", due_at=due, valid=False)
    assert "real name" in invalid and "address" in invalid
    long = acknowledgement_text(config, ref="FOI-000012", due_at=due, valid=True, handle="x" * 200)
    assert len(long) <= 280 and not long.startswith("@")


def test_reminder_times_are_working_days_before_the_deadline():
    cal = WorkingCalendar()
    due = cal.foi_deadline(datetime(2026, 12, 21, 16, 30, tzinfo=UTC))  # Thu 21 Jan 2027
    times = reminder_times(cal, due, [5, 1])
    assert times[5].isoformat() == "2027-01-14T09:00:00+00:00"
    assert times[1].isoformat() == "2027-01-20T09:00:00+00:00"


@pytest.mark.parametrize("value, expected", [
    ("=1+1", "'=1+1"), ("+44 20", "'+44 20"), ("-x", "'-x"), ("@SUM(A1)", "'@SUM(A1)"),
    ("\tx", "'\tx"), ("plain", "plain"), (-3, "-3"), (None, ""), (False, "False"),
])
def test_csv_cells_cannot_be_formulas(value, expected):
    assert csv_safe(value) == expected


def test_register_csv_header_only_when_empty():
    assert register_csv([]).startswith("ref,status,received_at,due_date")


def test_case_refs_round_trip():
    assert case_ref("foi", 12) == "FOI-000012"
    assert parse_case_ref("FOI-000012") == parse_case_ref("12") == parse_case_ref("cs-12") == 12
    with pytest.raises(ValueError):
        parse_case_ref("twelve")


def test_kinds_and_owning_teams(config):
    kinds = set(config.cases.kinds)
    assert kinds_for("customer_service", ["foi", "out_of_hours"], kinds) == [
        "foi", "customer_service"]
    # One item, one case: the FoI request leads and carries the complaint.
    assert case_kind_for("customer_service", ["foi"], kinds) == ("foi", ["customer_service"])
    assert case_kind_for("escalate_comms", ["emergency", "foi"], kinds) == (
        "emergency", ["foi", "escalate_comms"])
    assert case_kind_for("service_conversation", [], kinds) == ("service_conversation", [])
    assert case_kind_for("customer_service", ["foi"], kinds - {"foi"}) == ("customer_service", [])
    assert case_kind_for("monitor", ["abusive"], kinds) == (None, [])
    assert kinds_for("webteam_respond", [], kinds) == []
    assert kinds_for("monitor", ["emergency", "abusive"], kinds) == ["emergency"]
    assert owning_team(config, "customer_service", "parking").key == "parking"
    assert owning_team(config, "customer_service", None).key == "customer-services"
    assert owning_team(config, "escalate_comms", "housing").key == "communications"
    assert owning_team(config, "foi", "not-a-team").key == "web-team"
