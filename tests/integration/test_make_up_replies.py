"""`make up` for real: an officer queues a reply and send_replies sends it, with nothing
triggered by hand (the case_replies asset's watcher in the triggerer wakes it).

Prints the seconds from `cases reply` to the reply being on the simulator's thread.
"""

from __future__ import annotations

import json
import subprocess
import time
from datetime import UTC, datetime, timedelta

import pytest
import requests
from sqlalchemy import create_engine, insert, text

from council_social.cases.replies import reply_ref
from tests.cases_support import add_item
from tests.conftest import REPO_ROOT
from tests.integration.test_make_up import _clean_env, _free_port_pair, _make, _wait_for, databases

pytestmark = [pytest.mark.deployment, pytest.mark.postgres]
__all__ = ["databases"]  # the fixture, imported for this module's test


def _runs(api, dag_id: str) -> list[dict] | None:
    """The DAG's runs, or None while the API server is too busy to answer in time."""
    try:
        return api.runs(dag_id)
    except requests.RequestException:
        return None


def _sent_by(api, run_id: str) -> list[str]:
    """The replies one send_replies run sent (its task's return value)."""
    try:
        body = api.xcom("send_replies", run_id, "send_queued_replies")
    except requests.RequestException:
        return []
    return [sent["reply"] for sent in (body or {}).get("sent", [])]


def _away_from_the_safety_tick(margin: float = 150) -> None:
    """Wait until the 5-minute schedule's next tick is at least `margin` seconds away, so the
    run that sends the reply can only be the asset-triggered one."""
    now = datetime.now(UTC)
    to_tick = 300 - (now.minute % 5 * 60 + now.second + now.microsecond / 1e6)
    if to_tick < margin:
        time.sleep(to_tick + 20)


def _resident_mention(sim_url: str, config) -> dict:
    main = config.account("brent-council")
    headers = {"Authorization": f"Bearer {config.simulator.bearer_token}"}
    got = requests.get(f"{sim_url}/2/users/{main.external_id}/mentions", headers=headers,
                       params={"max_results": 50, "tweet.fields": "created_at,author_id,"
                               "in_reply_to_user_id"}, timeout=30).json()
    council = {a.external_id for a in config.accounts}
    return next(t for t in got["data"] if t["author_id"] not in council
                and not t.get("in_reply_to_user_id"))


def test_make_up_sends_a_queued_reply_with_nothing_triggered_by_hand(tmp_path, databases,
                                                                    config):
    from council_social.cases.tables import cases
    from council_social.deploy.api import AirflowApi

    up_dir = tmp_path / "up"
    settings = {"UP_PORT": str(_free_port_pair()), "UP_DIR": str(up_dir),
                "AIRFLOW_DATABASE_URL": databases[0], "COUNCIL_SOCIAL_DATABASE_URL": databases[1],
                "UP_DAGS": "send_replies"}
    council = create_engine(databases[1])
    try:
        up = _make("up", settings, timeout=900)
        assert up.returncode == 0, up.stdout[-3000:] + up.stderr[-3000:]
        sim_url = f"http://127.0.0.1:{(up_dir / 'simulator-port').read_text().strip()}"
        password = json.loads((up_dir / "passwords.json").read_text())["admin"]
        api = AirflowApi(f"http://127.0.0.1:{settings['UP_PORT']}", "admin", password)
        # The run the schedule makes at unpause is not the one under test: let it finish.
        _wait_for("send_replies' first scheduled run", lambda: (runs := _runs(
            api, "send_replies")) and all(r["state"] in ("success", "failed") for r in runs),
            every=2)
        tweet = _resident_mention(sim_url, config)
        created = datetime.fromisoformat(tweet["created_at"].replace("Z", "+00:00"))
        with council.begin() as conn:
            add_item(conn, tweet["id"], created, tweet["text"], author=tweet["author_id"],
                     username="resident", display_name="A Resident")
            case_id = conn.execute(insert(cases).values(
                platform="twitter", external_id=tweet["id"], kind="customer_service",
                team="waste-recycling", assignee="wanda.placeholder@brent.gov.uk",
                rules_version="test-1", outcome="customer_service", flags=[],
                opened_at=created, due_at=created + timedelta(hours=24),
                escalate_at=created + timedelta(hours=48), status="open",
                recorded_at=datetime.now(UTC), updated_at=datetime.now(UTC), details={},
            ).returning(cases.c.id)).scalar_one()
        _away_from_the_safety_tick()
        queued_at = time.monotonic()
        reply = subprocess.run(
            [".venv/bin/council-social", "cases", "reply", str(case_id), "--officer",
             "Wanda Placeholder", "--saved", "missed-bin"],
            cwd=REPO_ROOT, env={**_clean_env(), "COUNCIL_SOCIAL_DATABASE_URL": databases[1]},
            capture_output=True, text=True, timeout=120)
        assert reply.returncode == 0 and "queued" in reply.stdout, reply.stderr
        with council.connect() as conn:
            reply_id = conn.execute(text("SELECT id FROM social.case_replies WHERE case_id = :c"),
                                    {"c": case_id}).scalar_one()

        def sent():
            with council.connect() as conn:
                row = conn.execute(text("SELECT status, external_id, text FROM "
                                        "social.case_replies")).first()
            return row if row is not None and row.status == "sent" else None

        row = _wait_for("send_replies to send the reply", sent, timeout=600, every=2)
        seconds = time.monotonic() - queued_at
        # Sent by the run the watcher's asset event made: not the 5-minute safety tick, not a
        # manual run (the task's summary names the replies each run sent).
        def sending_run():
            for run in _runs(api, "send_replies") or []:
                if run["state"] == "success" and (
                        reply_ref(reply_id) in _sent_by(api, run["dag_run_id"])):
                    return run
            return None

        run = _wait_for("the send_replies run that sent the reply", sending_run, timeout=300,
                        every=2)
        assert run["run_type"] == "asset_triggered", run
        headers = {"Authorization": f"Bearer {config.simulator.bearer_token}"}
        timeline = requests.get(
            f"{sim_url}/2/users/{config.account('brent-council').external_id}/tweets",
            headers=headers, params={"max_results": 20}, timeout=30).json()["data"]
        assert [t["id"] for t in timeline].count(row.external_id) == 1
        with council.connect() as conn:
            assert conn.execute(text("SELECT status FROM social.cases WHERE id = :i"),
                                {"i": case_id}).scalar() == "closed"
        print(f"figures: queued to sent under make up: {seconds:.0f} s "
              f"(by {run['run_type']} run {run['dag_run_id']})")
    finally:
        council.dispose()
        down = _make("down", {"UP_DIR": str(up_dir)}, timeout=300)
    assert down.returncode == 0, down.stdout + down.stderr
