"""Publishing rules without a network: Graph error mapping, the Connection, status merges."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import UTC, date, datetime

import pytest

from council_social.grid.facebook_poster import FacebookPoster, from_connection
from council_social.grid.posting import DuplicatePost, PostAuthError, PostRejected
from council_social.grid.repo import merged_status

SECRET = "EAAB-page-token-secret"


@dataclass
class FakeConnection:
    password: str | None = None
    host: str | None = None
    schema: str | None = None
    port: int | None = None
    extra_dejson: dict = field(default_factory=dict)


@dataclass
class Account:
    key: str = "brent-facebook"
    external_id: str = "150743361639318"
    handle: str = "BrentCouncil"


def graph(code, message="boom", sub=None):
    err = {"message": message, "type": "OAuthException", "code": code}
    if sub:
        err["error_subcode"] = sub
    return {"error": err}


@pytest.mark.parametrize(("status", "doc", "kind"), [
    (400, graph(190, "Error validating access token", 463), PostAuthError),
    (401, {}, PostAuthError),
    (400, graph(506, "(#506) Duplicate status message"), DuplicatePost),
    (400, graph(368, "(#368) deemed abusive"), PostRejected),
    (400, graph(100, "(#100) Missing message or attachment"), PostRejected),
    (400, graph(4, "Application request limit reached"), RuntimeError),
    (429, {}, RuntimeError),
    (500, graph(2, "Service temporarily unavailable"), RuntimeError),
])
def test_graph_errors_map_to_what_the_publisher_does(status, doc, kind):
    poster = FacebookPoster("http://127.0.0.1:9", {}, default_token=SECRET)
    with pytest.raises(kind) as info:
        poster._raise_for(status, doc, Account(), "posting")
    assert SECRET not in str(info.value)
    if kind is RuntimeError:  # unknown outcome: must not look like a refusal
        assert not isinstance(info.value, PostRejected)
    if kind is PostAuthError:
        assert "council_social_facebook" in str(info.value)


@dataclass
class FakeSession:
    """Answers every request with one status and JSON body, and remembers the requests."""
    status: int
    body: dict
    calls: list = field(default_factory=list)

    def request(self, method, url, params=None, headers=None, timeout=None):
        self.calls.append((method, url, params, headers))
        return type("Response", (), {"status_code": self.status,
                                     "content": json.dumps(self.body).encode()})()


def test_success_is_not_an_error():
    poster = FacebookPoster("http://127.0.0.1:9", {}, default_token=SECRET)
    poster.session = FakeSession(200, {"id": "150743361639318_2"})
    assert poster.create(Account(), "Bins go out on Friday",
                         link="https://www.brent.gov.uk/bins") == "150743361639318_2"
    [(method, url, params, headers)] = poster.session.calls
    assert (method, url) == ("POST", "http://127.0.0.1:9/v19.0/150743361639318/feed")
    assert params == {"message": "Bins go out on Friday", "link": "https://www.brent.gov.uk/bins"}
    assert headers["Authorization"] == f"Bearer {SECRET}" and SECRET not in url + str(params)
    # A 2xx without an id is not a success: the outcome is unknown, so the caller looks.
    poster.session = FakeSession(200, {})
    with pytest.raises(RuntimeError, match="without an id"):
        poster.create(Account(), "Bins go out on Friday")


def test_connection_gives_the_page_token_and_never_shows_it():
    settings = type("S", (), {"connection_id": "council_social_facebook"})()
    assert from_connection(None, settings) is None
    assert from_connection(FakeConnection(), settings) is None
    poster = from_connection(FakeConnection(password=SECRET, host="127.0.0.1", schema="http",
                                            port=8089), settings)
    assert poster.base_url == "http://127.0.0.1:8089"
    assert poster._token(Account()) == SECRET and SECRET not in repr(poster)
    per_page = from_connection(FakeConnection(extra_dejson={"page_tokens": {
        "brent-facebook": "other"}}), settings)
    assert per_page.base_url == "https://graph.facebook.com"
    assert per_page._token(Account()) == "other"
    with pytest.raises(PostAuthError, match="no Page access token for 'brent-x'"):
        per_page._token(Account(key="brent-x"))


@pytest.mark.parametrize(("stored", "planned", "result"), [
    (None, "approved", "approved"),
    ("approved", "approved", "approved"),
    ("scheduled", "approved", "scheduled"),   # a re-import does not undo scheduling
    ("scheduled", "withdrawn", "withdrawn"),  # an officer may still withdraw it
    ("scheduled", "draft", "draft"),
    ("published", "approved", "published"),   # the post is out: never downgraded
    ("published", "withdrawn", "published"),
    ("withdrawn", "withdrawn", "withdrawn"),
])
def test_reimport_never_downgrades_what_publishing_did(stored, planned, result):
    assert merged_status(stored, planned) == result


def test_missed_list_is_escaped_in_the_page(config):
    from council_social.grid.planner import PlannerEntry
    from council_social.grid.render import GridInput, render_html

    monday = date(2026, 11, 30)
    e = PlannerEntry(key="h", title='<script>alert("x")</script>', message="m",
                     channels=("brent-council",), earliest=monday, latest=monday, owner="<i>",
                     priority="normal", status="scheduled", campaign="c", essential=False)

    @dataclass
    class Attempt:
        entry_key: str = "h"
        account_key: str = "brent-council"
        status: str = "missed"
        slot_at: datetime = datetime(2026, 11, 29, 12, tzinfo=UTC)
        detail: str = "missed: <b>late</b>"

    page = render_html(GridInput(monday, None, {"h": e}, [], {}, "Brent", "Europe/London",
                                 (Attempt(),)), config)
    assert "<script>" not in page and "<b>late" not in page
    assert "&lt;script&gt;" in page and "Sun 29 Nov 12:00: missed: &lt;b&gt;late" in page
    assert "1 missed" in page
