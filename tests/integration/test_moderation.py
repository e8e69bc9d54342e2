"""The moderation log: house rules, delete refused unless allowed, Graph hides exactly once."""

from __future__ import annotations

import hashlib

import pytest
from sqlalchemy import insert, text

from council_social.channels.facebook import GRAPH_VERSION
from council_social.moderation.actions import ModerationError, record_action
from council_social.moderation.graph import GraphModerator
from council_social.store.tables import items
from tests.conftest import SIM_NOW
from tests.views_support import add_item, raw_page

pytestmark = pytest.mark.postgres
COMMENT = "150743361639318_1234_5678"


def add_comment(conn, platform: str = "facebook", external_id: str = COMMENT, account: str = "brent-facebook"):
    page = raw_page(conn)
    body = "You lot are <b>useless</b>, call me on 07700 900123"
    conn.execute(insert(items).values(
        platform=platform, external_id=external_id, account_key=account, kind="comment",
        author_external_id="555", text=body, created_at=SIM_NOW, lang="en", metrics={},
        content_sha256=hashlib.sha256(body.encode()).hexdigest(), version=1, raw_page_id=page,
        first_seen_at=SIM_NOW, last_seen_at=SIM_NOW))


def moderator(simulator, config) -> GraphModerator:
    return GraphModerator(simulator.base_url, {}, default_token=config.simulator.bearer_token)


def item_row(engine, external_id: str = COMMENT):
    with engine.connect() as conn:
        return conn.execute(text("SELECT text, deleted FROM social.items WHERE external_id = :e"),
                            {"e": external_id}).one()


def test_delete_is_refused_unless_the_rule_allows_it(clean_db, config):
    with clean_db.begin() as conn:
        add_comment(conn)
    with pytest.raises(ModerationError, match="does not allow delete: hide or report instead"):
        record_action(clean_db, config, "facebook", COMMENT, "delete", "abuse", "Wes Placeholder", "rude", SIM_NOW)
    with pytest.raises(ModerationError, match="no house rule 'nice'"):
        record_action(clean_db, config, "facebook", COMMENT, "hide", "nice", "Wes Placeholder", "rude", SIM_NOW)
    with pytest.raises(ModerationError, match="no item facebook:missing"):
        record_action(clean_db, config, "facebook", "missing", "report", "abuse", "Wes Placeholder", "rude", SIM_NOW)
    done = record_action(clean_db, config, "facebook", COMMENT, "delete", "illegal", "Wes Placeholder", "court order",
                         SIM_NOW)
    assert done["status"] == "recorded" and "by hand" in done["detail"]
    before = item_row(clean_db)
    assert before.deleted is False and "useless" in before.text  # the archive keeps the item


def test_a_facebook_hide_goes_through_the_graph_api_exactly_once(clean_db, config, simulator):
    with clean_db.begin() as conn:
        add_comment(conn)
    graph = {"facebook": moderator(simulator, config)}
    row = record_action(clean_db, config, "facebook", COMMENT, "hide", "personal-data", "Wes Placeholder",
                        "phone number", SIM_NOW, graph)
    assert (row["status"], row["tries"]) == ("done", 1)
    assert simulator.channels.hide_calls == [COMMENT] and COMMENT in simulator.channels.hidden
    again = record_action(clean_db, config, "facebook", COMMENT, "hide", "personal-data", "Wes Placeholder",
                          "phone number", SIM_NOW, graph)
    assert again["id"] == row["id"] and simulator.channels.hide_calls == [COMMENT]
    assert "useless" in item_row(clean_db).text


def test_a_lost_answer_is_checked_before_hiding_again(clean_db, config, simulator):
    with clean_db.begin() as conn:
        add_comment(conn)
    real = moderator(simulator, config)

    class LostAnswer(GraphModerator):
        def hide(self, account, comment_id):
            real.hide(account, comment_id)
            raise ConnectionError("connection reset after the request was sent")

    lost = LostAnswer(simulator.base_url, {}, default_token=config.simulator.bearer_token)
    with pytest.raises(ConnectionError):
        record_action(clean_db, config, "facebook", COMMENT, "hide", "abuse", "Wes Placeholder", "rude", SIM_NOW,
                      {"facebook": lost})
    with clean_db.connect() as conn:
        assert conn.execute(text("SELECT status, tries FROM social.moderation_actions")).one() == ("pending", 1)
    row = record_action(clean_db, config, "facebook", COMMENT, "hide", "abuse", "Wes Placeholder", "rude", SIM_NOW,
                        {"facebook": real})
    assert row["status"] == "done" and row["detail"] == "found hidden on a retry"
    assert simulator.channels.hide_calls == [COMMENT]  # the platform was asked once


def test_a_hide_that_never_arrived_is_sent_again(clean_db, config, simulator):
    with clean_db.begin() as conn:
        add_comment(conn, "instagram", "17890000000000001", "brent-instagram")
    simulator.channels.inject_once(f"/{GRAPH_VERSION}/17890000000000001", 503,
                                   {"error": {"message": "Service unavailable", "code": 2}})
    graph = {"instagram": moderator(simulator, config)}
    with pytest.raises(RuntimeError, match="503"):
        record_action(clean_db, config, "instagram", "17890000000000001", "hide", "spam", "Wes Placeholder", "advert",
                      SIM_NOW, graph)
    row = record_action(clean_db, config, "instagram", "17890000000000001", "hide", "spam", "Wes Placeholder", "advert",
                        SIM_NOW, graph)
    assert (row["status"], row["tries"]) == ("done", 2)
    assert simulator.channels.hide_calls == ["17890000000000001"]


def test_other_platforms_and_reports_are_recorded_for_the_officer(clean_db, config):
    with clean_db.begin() as conn:
        page = raw_page(conn)
        add_item(conn, page, "t9", "spam spam", SIM_NOW, author="777", kind="reply")
    row = record_action(clean_db, config, "twitter", "t9", "hide", "spam", "Wes Placeholder", "advert", SIM_NOW)
    assert row["status"] == "recorded" and "on twitter by hand" in row["detail"]


def test_the_command_and_the_view(clean_db, config, database_url, monkeypatch, capsys):
    from fastapi.testclient import TestClient

    from council_social.cli import main
    from council_social.views.app import create_app

    monkeypatch.setenv("COUNCIL_SOCIAL_DATABASE_URL", database_url)
    with clean_db.begin() as conn:
        add_comment(conn)
    assert main(["moderation", "record", f"facebook:{COMMENT}", "--action", "delete", "--rule", "abuse",
                 "--officer", "Wes Placeholder", "--note", "rude"]) == 2
    assert "does not allow delete" in capsys.readouterr().err
    assert main(["moderation", "record", f"facebook:{COMMENT}", "--action", "report", "--rule", "abuse",
                 "--officer", "Wes Placeholder", "--note", "<i>rude</i>"]) == 0
    assert "report under 'abuse' by Wes Placeholder: recorded" in capsys.readouterr().out
    client = TestClient(create_app(lambda: clean_db, config=config, officer=lambda: "Olive", clock=lambda: SIM_NOW))
    page = client.get("/moderation").text
    assert "&lt;i&gt;rude&lt;/i&gt;" in page and "&lt;b&gt;useless&lt;/b&gt;" in page and "delete allowed" in page
    data = client.get("/api/moderation", params={"action": "report"}).json()
    assert [a["action"] for a in data["actions"]] == ["report"]
    assert client.get("/api/moderation", params={"action": "burn"}).status_code == 422
    assert client.get("/api/moderation", params={"action": "hide"}).json()["actions"] == []


def test_two_officers_actions_on_one_item_are_both_recorded(clean_db, config):
    with clean_db.begin() as conn:
        page = raw_page(conn)
        add_item(conn, page, "t9", "spam spam", SIM_NOW, author="777", kind="reply")
    first = record_action(clean_db, config, "twitter", "t9", "report", "spam", "Wes Placeholder", "advert",
                          SIM_NOW)
    second = record_action(clean_db, config, "twitter", "t9", "report", "spam", "colin  sample", "advert again",
                           SIM_NOW)
    again = record_action(clean_db, config, "twitter", "t9", "report", "spam", "Wes Placeholder", "advert",
                          SIM_NOW)  # the same officer's retry finds their own row
    assert second["officer"] == "Colin Sample" and again["id"] == first["id"] != second["id"]
    with clean_db.connect() as conn:
        rows = conn.execute(text("SELECT officer, note FROM social.moderation_actions ORDER BY id")).all()
    assert rows == [("Wes Placeholder", "advert"), ("Colin Sample", "advert again")]


def test_a_second_officers_hide_does_not_call_the_platform_again(clean_db, config, simulator):
    with clean_db.begin() as conn:
        add_comment(conn)
    graph = {"facebook": moderator(simulator, config)}
    record_action(clean_db, config, "facebook", COMMENT, "hide", "abuse", "Wes Placeholder", "rude", SIM_NOW, graph)
    row = record_action(clean_db, config, "facebook", COMMENT, "hide", "abuse", "Colin Sample", "rude", SIM_NOW,
                        graph)
    assert row["status"] == "done" and "already hidden" in row["detail"]
    assert simulator.channels.hide_calls == [COMMENT]


@pytest.mark.parametrize(("officer", "note", "refusal"), [
    ("", "rude", "is not an officer"), ("Nobody Known", "rude", "is not an officer"),
    ("Wes Placeholder", "", "must contain words"), ("Wes Placeholder", "\u200b \t", "must contain words"),
    ("Wes Placeholder", "x" * 5000, "at most 4000"),
])
def test_an_action_needs_a_known_officer_and_a_real_note(clean_db, config, officer, note, refusal):
    with clean_db.begin() as conn:
        add_comment(conn)
    with pytest.raises(ModerationError, match=refusal):
        record_action(clean_db, config, "facebook", COMMENT, "report", "abuse", officer, note, SIM_NOW)


def test_a_hide_with_no_connection_is_exit_1_and_one_line_on_stderr(clean_db, database_url, monkeypatch,
                                                                    capsys):
    from council_social.cli import main

    monkeypatch.setenv("COUNCIL_SOCIAL_DATABASE_URL", database_url)
    with clean_db.begin() as conn:
        add_comment(conn)
    code = main(["moderation", "record", f"facebook:{COMMENT}", "--action", "hide", "--rule", "abuse",
                 "--officer", "Wes Placeholder", "--note", "rude"])
    out, err = capsys.readouterr()
    assert code == 1 and out == "" and len(err.splitlines()) == 1
    assert "pending" in err and "no Graph Connection for facebook" in err
