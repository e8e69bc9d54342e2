"""Approvals before posting, account requests and the registry, dormant accounts (real PostgreSQL)."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import select, text

from council_social.governance.accounts import list_accounts
from council_social.grid.approvals import ApprovalError, approve, reject, submit_entries
from council_social.grid.planner import PlannerEntry
from council_social.grid.tables import planner_audit
from tests.conftest import SIM_NOW
from tests.views_support import add_item, raw_page

pytestmark = pytest.mark.postgres
DAY = date(2026, 11, 25)
QUESTIONS = ("audience", "objectives", "why_own_account", "content_commitment")


def entry(key: str, message: str = "Bins change over Christmas", **kw) -> PlannerEntry:
    fields = {"key": key, "title": key.title(), "message": message, "channels": ("brent-council",),
              "earliest": DAY, "latest": DAY, "owner": "Waste & Recycling", "priority": "normal",
              "status": "approved", "campaign": key, "essential": False}
    return PlannerEntry(**{**fields, **kw})


def statuses(engine) -> dict[str, str]:
    with engine.connect() as conn:
        return dict(conn.execute(text("SELECT key, status FROM social.planner_entries")).all())


def steps(engine, key: str) -> list[tuple]:
    with engine.connect() as conn:
        return [tuple(r) for r in conn.execute(select(
            planner_audit.c.from_status, planner_audit.c.to_status, planner_audit.c.officer,
            planner_audit.c.reason).where(planner_audit.c.entry_key == key).order_by(planner_audit.c.id))]


# ------------------------------------------------------------------ approvals before posting
def test_a_file_cannot_approve_entries_arrive_submitted(clean_db):
    with clean_db.begin() as conn:
        counts = submit_entries(conn, [entry("bins"), entry("idea", status="draft")], "plan.csv", SIM_NOW,
                                submitted_by="Sam Service")
    assert counts["submitted"] == 1
    assert statuses(clean_db) == {"bins": "submitted", "idea": "draft"}
    assert steps(clean_db, "bins") == [(None, "submitted", "Sam Service", "imported from plan.csv")]


def test_only_an_approver_who_did_not_submit_decides(clean_db, config):
    approver, other = config.grid.approvers[0], config.grid.approvers[1]
    with clean_db.begin() as conn:
        submit_entries(conn, [entry("bins"), entry("tax")], "plan.csv", SIM_NOW, submitted_by=approver)
    with clean_db.begin() as conn:
        with pytest.raises(ApprovalError, match="is not an approver"):
            approve(conn, config, "bins", "Somebody Else", SIM_NOW)
        with pytest.raises(ApprovalError, match="another approver must decide"):
            approve(conn, config, "bins", approver, SIM_NOW)
        with pytest.raises(ApprovalError, match="needs a reason"):
            reject(conn, config, "tax", other, "  ", SIM_NOW)
        with pytest.raises(ApprovalError, match="no planner entry"):
            approve(conn, config, "nope", other, SIM_NOW)
        approve(conn, config, "bins", other, SIM_NOW)
        reject(conn, config, "tax", other, "wrong date", SIM_NOW)
        with pytest.raises(ApprovalError, match="is approved, not waiting"):
            approve(conn, config, "bins", other, SIM_NOW)
    assert statuses(clean_db) == {"bins": "approved", "tax": "rejected"}
    assert steps(clean_db, "tax")[-1] == ("submitted", "rejected", other, "wrong date")


def test_a_reimport_keeps_approval_unless_the_content_changed(clean_db, config):
    approver = config.grid.approvers[0]
    with clean_db.begin() as conn:
        submit_entries(conn, [entry("bins"), entry("tax")], "plan.csv", SIM_NOW)
        approve(conn, config, "bins", approver, SIM_NOW)
        approve(conn, config, "tax", approver, SIM_NOW)
    with clean_db.begin() as conn:
        counts = submit_entries(conn, [entry("bins"), entry("tax", message="New text")], "plan.csv", SIM_NOW)
    assert counts["submitted"] == 1
    assert statuses(clean_db) == {"bins": "approved", "tax": "submitted"}
    assert steps(clean_db, "tax")[-1][:2] == ("approved", "submitted")
    assert "needs approval again" in steps(clean_db, "tax")[-1][3]


def test_only_approved_entries_are_placed(clean_db, config):
    from council_social.grid.build import plan_grid

    built_for = datetime(2026, 11, 24, 6, tzinfo=UTC)
    with clean_db.begin() as conn:
        submit_entries(conn, [entry("bins"), entry("tax", message="Pay your council tax")], "plan.csv",
                       SIM_NOW)
        approve(conn, config, "bins", config.grid.approvers[0], SIM_NOW)
    plan_grid(clean_db, config, built_for)
    with clean_db.connect() as conn:
        states = dict(conn.execute(text("SELECT entry_key, state FROM social.grid_slots")).all())
    assert states == {"bins": "placed", "tax": "unplaced"}


def test_planner_approve_and_reject_commands(clean_db, config, database_url, monkeypatch, capsys):
    from council_social.cli import main

    monkeypatch.setenv("COUNCIL_SOCIAL_DATABASE_URL", database_url)
    with clean_db.begin() as conn:
        submit_entries(conn, [entry("bins"), entry("tax")], "plan.csv", SIM_NOW)
    assert main(["planner", "approve", "bins", "--officer", config.grid.approvers[0]]) == 0
    assert "bins (Bins) approved by" in capsys.readouterr().out
    assert main(["planner", "reject", "tax", "--officer", "Not Listed", "--reason", "no"]) == 2
    assert "is not an approver" in capsys.readouterr().err
    assert main(["planner", "reject", "tax", "--officer", config.grid.approvers[1], "--reason", "clash"]) == 0
    assert statuses(clean_db) == {"bins": "approved", "tax": "rejected"}


def test_grid_view_buttons_approve_and_reject(clean_db, config):
    from fastapi.testclient import TestClient

    from council_social.views.app import create_app

    with clean_db.begin() as conn:
        submit_entries(conn, [entry("bins"), entry("tax")], "plan.csv", SIM_NOW)
    approver = TestClient(create_app(lambda: clean_db, config=config, officer=lambda: config.grid.approvers[0],
                                     clock=lambda: SIM_NOW))
    page = approver.get("/grid").text
    assert 'data-api="/api/grid/entries/bins/approve"' in page and 'data-api="/api/grid/entries/tax/reject"' in page
    assert approver.post("/api/grid/entries/tax/reject", json={}).status_code == 422
    assert approver.post("/api/grid/entries/bins/approve", json={}).status_code == 200
    assert approver.post("/api/grid/entries/tax/reject", json={"reason": "clash"}).status_code == 200
    assert approver.post("/api/grid/entries/bins/approve", json={},
                         headers={"Origin": "https://evil.example"}).status_code == 403
    outsider = TestClient(create_app(lambda: clean_db, config=config, officer=lambda: "Olive Officer",
                                     clock=lambda: SIM_NOW))
    assert outsider.post("/api/grid/entries/bins/approve", json={}).status_code == 403
    assert outsider.post("/api/grid/entries/nope/approve", json={}).status_code == 403  # not theirs to ask
    assert approver.post("/api/grid/entries/nope/approve", json={}).status_code == 404
    assert approver.post("/api/grid/entries/bins/approve", json={}).status_code == 409  # already approved
    assert statuses(clean_db) == {"bins": "approved", "tax": "rejected"}
    assert "Recent approval steps" in approver.get("/grid").text


# ------------------------------------------------------------------ account requests and the registry
def write_request(tmp_path, **fields) -> str:
    body = {"service": "libraries", "platform": "instagram", "handle": "@BrentLibraries",
            "requested_by": "Lily Librarian", "audience": "Families and young readers",
            "objectives": "Promote holiday reading events", "why_own_account": "Weekly events the main "
            "account cannot carry", "content_commitment": "Three posts a week, two officers", **fields}
    path = tmp_path / "request.yaml"
    path.write_text("\n".join(f"{k}: {json.dumps(v)}" for k, v in body.items() if v is not None))
    return str(path)


def test_a_request_must_answer_the_four_questions(clean_db, database_url, monkeypatch, capsys, tmp_path):
    from council_social.cli import main

    monkeypatch.setenv("COUNCIL_SOCIAL_DATABASE_URL", database_url)
    assert main(["accounts", "request", write_request(tmp_path, audience="", objectives=None,
                                                      content_commitment="  ")]) == 2
    err = capsys.readouterr().err
    assert "audience" in err and "objectives" in err and "content_commitment" in err
    assert "why_own_account" not in err
    with clean_db.connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM social.account_requests")).scalar() == 0
    assert main(["accounts", "request", write_request(tmp_path)]) == 0
    assert "stored as pending" in capsys.readouterr().out
    with clean_db.connect() as conn:
        row = conn.execute(text("SELECT status, handle FROM social.account_requests")).one()
    assert tuple(row) == ("pending", "BrentLibraries")


def test_the_web_team_reviews_and_an_approval_joins_the_registry(clean_db, config, database_url, monkeypatch,
                                                                 capsys, tmp_path):
    from council_social.cli import main

    monkeypatch.setenv("COUNCIL_SOCIAL_DATABASE_URL", database_url)
    assert main(["accounts", "request", write_request(tmp_path)]) == 0
    assert main(["accounts", "request", write_request(tmp_path, handle="BrentParksFun", service="parking")]) == 0
    with clean_db.connect() as conn:
        first, second = conn.execute(text("SELECT id FROM social.account_requests ORDER BY id")).scalars()
    capsys.readouterr()
    web = config.web_team_officers()[0]
    assert main(["accounts", "review", str(first), "--decision", "approve", "--officer", "Colin Sample",
                 "--reason", "ok"]) == 2
    assert "not a web team officer" in capsys.readouterr().err
    assert main(["accounts", "review", str(first), "--decision", "approve", "--officer", web,
                 "--reason", "answers are clear"]) == 0
    assert "registry account instagram-brentlibraries owned by libraries" in capsys.readouterr().out
    assert main(["accounts", "review", str(first), "--decision", "reject", "--officer", web,
                 "--reason", "again"]) == 2
    assert main(["accounts", "review", str(second), "--decision", "reject", "--officer", web,
                 "--reason", "use the main account"]) == 0
    capsys.readouterr()
    assert main(["accounts", "list", "--format", "json"]) == 0
    listed = json.loads(capsys.readouterr().out)
    by_key = {a["key"]: a for a in listed["accounts"]}
    assert by_key["instagram-brentlibraries"]["owner"] == "libraries"
    assert {a.key for a in config.accounts} <= set(by_key)
    assert [(r["handle"], r["status"]) for r in listed["requests"]] == [("BrentParksFun", "rejected"),
                                                                        ("BrentLibraries", "approved")]
    assert main(["accounts", "list"]) == 0
    table = capsys.readouterr().out
    assert "instagram-brentlibraries" in table and "BrentParksFun" in table


def test_last_own_post_posts_in_28_days_and_dormant_accounts(clean_db, config):
    main = config.account("brent-council")
    with clean_db.begin() as conn:
        page = raw_page(conn)
        add_item(conn, page, "own1", "Our news", SIM_NOW - timedelta(days=2), author=str(main.external_id))
        add_item(conn, page, "own2", "Older news", SIM_NOW - timedelta(days=40), author=str(main.external_id))
        conn.execute(text("UPDATE social.account_registry SET added_at = :t"), {"t": SIM_NOW})
        data = list_accounts(conn, config, SIM_NOW)
        # registered long ago, watched since then, nothing posted: dormant
        conn.execute(text("UPDATE social.account_registry SET added_at = :t"),
                     {"t": SIM_NOW - timedelta(days=60)})
        later = list_accounts(conn, config, SIM_NOW, dormant_only=True)
    row = next(a for a in data["accounts"] if a["key"] == "brent-council")
    assert row["last_own_post"] == SIM_NOW - timedelta(days=2) and row["posts_28d"] == 1
    assert row["status"] == "active"
    assert all(a["status"] == "active" for a in data["accounts"])  # all just added
    dormant = {a["key"] for a in later["accounts"]}
    assert "brent-council" not in dormant and "brent-culture" in dormant


def test_a_dormant_account_raises_one_alert_to_its_owner_and_the_web_team(clean_db, config):
    from council_social.reports.dormant import raise_dormant_alerts

    class Outbox:
        def __init__(self):
            self.sent = []

        def send_message(self, msg):
            self.sent.append(msg)

    with clean_db.begin() as conn:
        list_accounts(conn, config, SIM_NOW)
        conn.execute(text("UPDATE social.account_registry SET added_at = :t WHERE key = 'brent-culture'"),
                     {"t": SIM_NOW - timedelta(days=60)})
    outbox = Outbox()
    raised = raise_dormant_alerts(clean_db, config, SIM_NOW, outbox)
    assert [a["subject"] for a in raised] == ["account:brent-culture"]
    assert raise_dormant_alerts(clean_db, config, SIM_NOW + timedelta(days=1), outbox) == []
    assert len(outbox.sent) == 1
    to = outbox.sent[0]["To"]
    assert config.team("libraries").email in to and config.team("web-team").email in to
    with clean_db.connect() as conn:
        row = conn.execute(text("SELECT team, notified_at FROM social.alerts WHERE kind = 'dormant_account'")).one()
    assert row.team == "libraries" and row.notified_at == SIM_NOW
