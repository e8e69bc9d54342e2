"""The operator views in a real headless Chromium (Debian's package) against the app on 127.0.0.1.

Each view is loaded and screenshotted to test-artifacts/screenshots/; a post
carrying <script> never runs (it would set document.title); filters work from
the query string; a correction made through the API shows in the page; the
archive's export link returns a zip. axe-core (pinned in package.json, `npm ci`)
checks every view and page, the grid page and the weekly report against WCAG
2.2 A and AA: council pages fall under the Public Sector Bodies Accessibility
Regulations 2018.
"""

from __future__ import annotations

import json
import re
import shutil
import socket
import subprocess
import threading
import time
import urllib.request
from html import unescape
from pathlib import Path

import pytest

from council_social.views.app import create_app
from tests.integration.test_views_api import NOW, seed

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
SHOTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "screenshots"
TITLE = "Triage queue · London Borough of Brent"

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.skipif(not Path(CHROMIUM).exists(),
                       reason="Chromium is not installed (apt-get install -y chromium); CI installs it"),
]


@pytest.fixture(scope="module")
def server(engine, config, tmp_path_factory):
    yield from _serve(engine, config, tmp_path_factory)


class _Server(str):
    case_id: int


def _serve(engine, config, tmp_path_factory):
    import uvicorn
    from sqlalchemy import text

    from tests.conftest import social_tables

    root = tmp_path_factory.mktemp("views")
    config = config.model_copy(deep=True)
    config.archive.root = str(root / "archive")
    config.archive.anchor_path = str(root / "anchor.log")
    config.reports.output_dir = str(root / "reports")
    with engine.begin() as conn:
        conn.execute(text("TRUNCATE " + ", ".join(f"social.{t}" for t in social_tables()) + " CASCADE"))
        case_id = seed(conn, config)
        _week_of_metrics(conn)
        _governance(conn, config)
        _promotion(conn)
    _moderation(engine, config)
    app = create_app(lambda: engine, config=config, officer=lambda: "Browser Officer", clock=lambda: NOW)
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    uv = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=uv.run, daemon=True)
    thread.start()
    for _ in range(100):
        if uv.started:
            break
        time.sleep(0.05)
    server = _Server(f"http://127.0.0.1:{port}")
    server.case_id = case_id
    server.config = config
    yield server
    uv.should_exit = True
    thread.join(timeout=10)


def _governance(conn, config) -> None:
    """An entry waiting for approval and a pending account request, so their pages have rows."""
    from datetime import date

    from council_social.governance.accounts import store_request
    from council_social.grid.approvals import submit_entries
    from council_social.grid.planner import PlannerEntry

    submit_entries(conn, [PlannerEntry(
        key="bins", title="Christmas bins", message="Bins move by a day", channels=("brent-council",),
        earliest=date(2026, 11, 26), latest=date(2026, 11, 27), owner="Waste", priority="normal",
        status="approved", campaign="bins", essential=False)], "plan.csv", NOW)
    store_request(conn, config, {"service": "libraries", "platform": "instagram", "handle": "BrentReads",
                                 "requested_by": "Lily", "audience": "families", "objectives": "events",
                                 "why_own_account": "weekly events", "content_commitment": "3 a week"}, NOW)


def _promotion(conn) -> None:
    """A follow-back suggestion with a hostile handle, a trend, a campaign week, a drawn
    competition and a consistency alert, so the Promotion page has every section filled."""
    from datetime import date, timedelta

    from sqlalchemy import insert

    from council_social.promotion.tables import (
        campaign_weeks,
        competitions,
        follow_suggestions,
        local_trends,
    )
    from council_social.reports.tables import alerts

    conn.execute(insert(follow_suggestions).values(
        day=date(2026, 11, 25), account_key="brent-council", user_external_id="u1", handle=SCRIPT_HANDLE,
        influence=42, reasons=["follows us", "local", "influence 42"], rank=1))
    conn.execute(insert(local_trends).values(
        day=date(2026, 11, 25), area="Harlesden", hashtag="harlesdenrecycling", count=6, baseline_mean=0.1,
        rise=60.0, topic="bins-recycling", suggested_account="brent-council", planner_entry="trend-x", posts=[]))
    conn.execute(insert(campaign_weeks).values(
        week_start=date(2026, 11, 23), tag="BrentRecycles", campaign="Recycling week", posts=5, council_posts=1,
        reach=12, engagement=40, resident_authors=4))
    conn.execute(insert(competitions).values(
        key="winter", account_key="brent-council", spec={"closes": "2026-11-20T17:00:00+00:00"}, status="drawn",
        entries=[{}, {}], eligible=["a 1"], published_value="9", seed="ab" * 32,
        winner={"handle": "<b>winner</b>", "post_id": "1"}, archive={"warc": "promotion/competitions/winter/draw.warc.gz"},
        opened_at=NOW - timedelta(days=10), drawn_at=NOW))
    conn.execute(insert(alerts).values(
        kind="inconsistent_message", subject="planner:fair", window_start=NOW - timedelta(hours=2),
        window_end=NOW, team="communications", observed=1, detail={}, raised_for=NOW,
        message="inconsistent messaging in planner:fair: dates: twitter says 13 March, facebook says 12 March"))


SCRIPT_HANDLE = '<script>document.title="pwned"</script>'


def _moderation(engine, config) -> None:
    from council_social.moderation.actions import record_action

    record_action(engine, config, "twitter", "t1", "report", "abuse", "Wendy Sample", "<i>threat</i>", NOW)


def _week_of_metrics(conn) -> None:
    """A plausible last week for the main X account, so the report's charts have lines."""
    from datetime import date, timedelta

    from sqlalchemy import insert

    from council_social.reports.tables import metrics_daily

    for n in range(8):
        day = date(2026, 11, 15) + timedelta(days=n)
        conn.execute(insert(metrics_daily).values(
            day=day, account_key="brent-council", platform="twitter", followers=20000 + 11 * n + n % 3,
            baseline_daily_growth=12.0, posts=3 + n % 2, engagement=40 + 5 * n, mentions=60 + 4 * n,
            mentions_positive=20 + n, mentions_neutral=25, mentions_negative=15 + 3 * n, replies=12 + n,
            replies_within_target=10 + n % 3, median_response_minutes=45.0, cases_opened=6 + n % 4,
            cases_closed=5 + n % 3, cases_overdue=n % 2, foi_due=n % 2, foi_on_time=n % 2, computed_for=NOW))


def _chromium(tmp_path, *args: str) -> str:
    done = subprocess.run(
        [CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
         "--disable-component-update", "--disable-sync", "--no-first-run", "--hide-scrollbars",
         f"--user-data-dir={tmp_path / 'profile'}", "--virtual-time-budget=3000", *args],
        capture_output=True, text=True, timeout=120,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    return done.stdout


def dom(tmp_path, url: str) -> str:
    return _chromium(tmp_path, "--dump-dom", url)


def screenshot(tmp_path, url: str, name: str, height: int = 900) -> Path:
    SHOTS.mkdir(parents=True, exist_ok=True)
    path = SHOTS / f"{name}.png"
    _chromium(tmp_path, f"--screenshot={path}", f"--window-size=1280,{height}", url)
    assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    return path


def test_a_planted_script_never_runs(server, tmp_path):
    page = dom(tmp_path, f"{server}/triage")
    assert f"<title>{TITLE}</title>" in page  # the planted script would have set "pwned"
    assert "pwned" in page  # ... and its text is on the page, as text
    assert "&lt;script&gt;document.title" in page
    assert not re.search(r"<script>document\.title", page)
    assert not re.search(r"<img[^>]*onerror", page)


@pytest.mark.parametrize("view", ["", "triage", "triage/help", "cases", "grid", "archive", "reports",
                                  "promotion"])
def test_each_view_loads_and_is_screenshotted(server, tmp_path, view):
    page = dom(tmp_path, f"{server}/{view}")
    assert "<h1>" in page and "Not yet available" not in page and "Internal Server Error" not in page
    screenshot(tmp_path, f"{server}/{view}", view.replace("/", "-") or "index", 2600 if view == "reports" else 900)


def test_the_promotion_page_escapes_handles_and_dismisses(server, tmp_path):
    page = dom(tmp_path, f"{server}/promotion")
    assert "&lt;script&gt;document.title" in page and not re.search(r"<script>document\.title", page)
    assert "#harlesdenrecycling" in page and "&lt;b&gt;winner&lt;/b&gt;" in page
    assert "facebook says 12 March" in page and "#BrentRecycles" in page
    request = urllib.request.Request(
        f"{server}/api/promotion/follow-back/brent-council/u1/dismiss", method="POST",
        data=json.dumps({"reason": "not a resident"}).encode(), headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=10) as response:
        assert response.status == 201
    page = dom(tmp_path, f"{server}/promotion")
    assert "&lt;script&gt;document.title" not in page and "No suggestions" in page
    screenshot(tmp_path, f"{server}/promotion", "promotion", 1800)


def test_filter_by_query_string(server, tmp_path):
    page = dom(tmp_path, f"{server}/triage?outcome=webteam_respond")
    assert 'id="d-twitter-t2"' in page and 'id="d-twitter-t1"' not in page
    assert '<option value="webteam_respond" selected="">' in page


def test_a_correction_shows_in_the_page(server, tmp_path):
    request = urllib.request.Request(
        f"{server}/api/triage/twitter/t1/correction", method="POST",
        data=json.dumps({"outcome": "monitor", "critical": False}).encode(),
        headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=10) as response:
        assert response.status == 201
    page = dom(tmp_path, f"{server}/triage")
    row = page.split('id="d-twitter-t1"', 1)[1].split("</tr>", 1)[0]
    assert "officer: monitor" in row and "officer: not critical" in row and "Browser Officer" in row
    screenshot(tmp_path, f"{server}/triage", "triage-corrected")


def test_the_archive_export_link_returns_a_zip(server, tmp_path):
    page = dom(tmp_path, f"{server}/archive?q=parking")
    href = unescape(re.search(r'id="export" href="([^"]+)"', page).group(1))
    with urllib.request.urlopen(server + href, timeout=30) as response:
        body = response.read()
        assert response.headers["Content-Type"] == "application/zip"
    assert body[:2] == b"PK"
    screenshot(tmp_path, f"{server}/archive?q=parking", "archive-search")


# --------------------------------------------------------------------------- accessibility
AXE = Path(__file__).resolve().parents[2] / "node_modules" / "axe-core" / "axe.min.js"
WCAG_22_AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]
PAGES = ["", "triage", "triage?outcome=webteam_respond", "triage/help", "cases", "cases?backlog=true",
         "cases/{case_id}", "grid", "archive",
         "archive?q=parking", "reports", "accounts", "accounts?dormant=true", "moderation", "quarantine",
         "promotion"]


@pytest.fixture(scope="module")
def browser(tmp_path_factory):
    from tests.cdp import Chromium

    if not AXE.exists():
        pytest.fail(f"{AXE} is missing: run `npm ci` (package.json pins axe-core; make test does it)")
    chromium = Chromium(CHROMIUM, str(tmp_path_factory.mktemp("cdp-profile")))
    yield chromium
    chromium.close()


def axe_violations(browser, url: str) -> list[str]:
    session = browser.open(url)
    browser.evaluate(session, AXE.read_text(encoding="utf-8"))
    tags = json.dumps(WCAG_22_AA)
    found = browser.evaluate(session, "axe.run(document, {runOnly: {type: 'tag', values: " + tags + "}})"
                             ".then(r => r.violations.map(v => ({id: v.id, help: v.help, n: v.nodes.length,"
                             " first: v.nodes[0].html})))")
    target = browser.send("Target.getTargetInfo", session=session)["targetInfo"]["targetId"]
    browser.send("Target.closeTarget", {"targetId": target})
    return [f"{v['id']} ({v['n']}x): {v['help']}; e.g. {v['first'][:200]}" for v in found]


@pytest.mark.parametrize("view", PAGES)
def test_every_view_meets_wcag_22_aa(server, browser, view):
    assert axe_violations(browser, f"{server}/{view.format(case_id=server.case_id)}") == []


def test_the_grid_page_and_the_weekly_report_meet_wcag_22_aa(server, browser, engine, tmp_path):
    from datetime import date

    from council_social.grid.build import build_offline
    from council_social.grid.planner import read_planner
    from council_social.reports.weekly import write_weekly

    config = server.config
    entries = read_planner(config.project_root / "include/config/sample_planner.csv", config)
    files, _ = build_offline(entries, config, date(2026, 11, 30), tmp_path / "grid")
    weekly = write_weekly(engine, config, date(2026, 11, 16))
    for page in (files["html"]["path"], weekly["page"]):
        assert axe_violations(browser, Path(page).as_uri()) == [], page


def test_an_officer_assigns_a_case_from_its_page(server, browser, tmp_path):
    """As an officer clicks: choose who you are and to whom, press Assign, see it in the page."""
    url = f"{server}/cases/{server.case_id}"
    session = browser.open(url)
    browser.evaluate(session, """
        document.getElementById('assign-officer').value = 'Wendy Sample';
        document.getElementById('assign-to').value = 'parking';
        document.getElementById('assign-note').value = 'permit question, not bins';
        document.querySelector('form#assign button[type=submit]').click();
    """)
    browser.wait_for("Page.loadEventFired", session)  # ops.js reloads the page on success
    assignee = browser.evaluate(session, "document.getElementById('case-assignee').textContent")
    history = browser.evaluate(session, "document.getElementById('case-history').textContent")
    target = browser.send("Target.getTargetInfo", session=session)["targetInfo"]["targetId"]
    browser.send("Target.closeTarget", {"targetId": target})
    assert assignee.strip() == "Parveen Sample"
    assert ("Assigned to Parveen Sample (Parking Services) by Wendy Sample: "
            "permit question, not bins") in history
    page = dom(tmp_path, url)
    assert "<bdi>&lt;b&gt;A Resident&lt;/b&gt;</bdi>" in page  # the author's name stays text
    screenshot(tmp_path, url, "case-assigned", 1800)


def _send_saved_reply(browser, session) -> None:
    """As Wanda Placeholder, pick the missed-bin saved reply and press Send reply."""
    browser.evaluate(session, """(() => {
        const form = document.querySelector('form[data-api$="/replies"]');
        form.querySelector('input[name=officer]').value = 'Wanda Placeholder';
        form.querySelector('select[name=saved]').value = 'missed-bin';
        form.requestSubmit();
    })()""")
    browser.wait_for("Page.loadEventFired", session)


def test_an_officer_answers_from_the_case_page(server, browser):
    """Pick a saved reply, press Send reply: the page reloads with the reply queued."""
    session = browser.open(f"{server}/cases/{server.case_id}")
    _send_saved_reply(browser, session)
    rows = browser.evaluate(session, "[...document.querySelectorAll("
                                     "'section[aria-labelledby=replies-heading] tbody tr')]"
                                     ".map(r => r.innerText)")
    target = browser.send("Target.getTargetInfo", session=session)["targetInfo"]["targetId"]
    browser.send("Target.closeTarget", {"targetId": target})
    assert len(rows) == 1 and "queued" in rows[0] and "Wanda Placeholder" in rows[0]
    assert "utm_content=missed-bin" in rows[0]


def test_an_officer_sees_the_reply_sent_in_the_thread(server, browser, engine, simulator,
                                                     config):
    """A case on a real (simulated) X thread: Send reply queues it; send_replies' task sends
    it through the platform; the page then shows it sent, once in the thread, the case closed."""
    from sqlalchemy import text

    from council_social.cases.replies import reply_ref
    from council_social.cases.reply_send import send_queued
    from tests.integration.test_case_replies import open_case, repliers, thread_replies

    case_id, tweet = open_case(engine, simulator, n=3)
    session = browser.open(f"{server}/cases/{case_id}")
    _send_saved_reply(browser, session)
    with engine.connect() as conn:
        ref = reply_ref(conn.execute(text("SELECT id FROM social.case_replies WHERE case_id = :c"),
                                     {"c": case_id}).scalar_one())
    summary = send_queued(engine, server.config, repliers(simulator, config))
    (external_id,) = [s["external_id"] for s in summary.sent if s["reply"] == ref]
    target = browser.send("Target.getTargetInfo", session=session)["targetInfo"]["targetId"]
    browser.send("Target.closeTarget", {"targetId": target})
    session = browser.open(f"{server}/cases/{case_id}")  # the officer looks again
    rows = browser.evaluate(session, "[...document.querySelectorAll("
                                     "'section[aria-labelledby=replies-heading] tbody tr')]"
                                     ".map(r => r.innerText)")
    status = browser.evaluate(session, "document.getElementById('case-status').textContent")
    target = browser.send("Target.getTargetInfo", session=session)["targetInfo"]["targetId"]
    browser.send("Target.closeTarget", {"targetId": target})
    assert len(rows) == 1 and "sent" in rows[0] and external_id in rows[0], rows
    assert status.strip() == "closed"
    assert [t.id_str for t in thread_replies(simulator, tweet)] == [external_id]


def test_help_the_model_one_click_stores_a_correction(server, browser, engine, tmp_path):
    """The queue links to "help the model"; one click on a post there records the officer's
    answer as a correction, and the post leaves the list."""
    from sqlalchemy import text

    assert 'id="help-link"' in dom(tmp_path, f"{server}/triage")
    page = dom(tmp_path, f"{server}/triage/help")
    assert 'id="h-twitter-t2"' in page and "Internal Server Error" not in page
    session = browser.open(f"{server}/triage/help")
    assert browser.evaluate(session, "document.querySelector('#h-twitter-t2 button').textContent") == "Critical"
    browser.evaluate(session, "document.querySelector('#h-twitter-t2 button').click()")
    found = None
    for _ in range(100):
        with engine.connect() as conn:
            found = conn.execute(text(
                "SELECT critical, officer FROM social.triage_corrections"
                " WHERE platform = 'twitter' AND external_id = 't2'")).first()
        if found:
            break
        time.sleep(0.1)
    assert found is not None and tuple(found) == (True, "Browser Officer")
    assert 'id="h-twitter-t2"' not in dom(tmp_path, f"{server}/triage/help")
