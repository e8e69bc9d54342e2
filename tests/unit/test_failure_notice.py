"""A task that fails for good mails the web team once: SMTP Connection, else the outbox."""

from __future__ import annotations

import email
import email.policy
import json
from datetime import UTC, datetime, timedelta
from types import SimpleNamespace

import pytest

from council_social import airflow as adapter
from council_social.failure_notice import last_line

END = datetime(2026, 12, 6, 13, 0, tzinfo=UTC)
SECRET = "s3cr3t-db-pass"


def context(error: BaseException) -> dict:
    ti = SimpleNamespace(dag_id="process_items", task_id="process", try_number=3,
                         run_id="scheduled__2026-12-06T12:00:00+00:00",
                         log_url="http://airflow.example/dags/process_items/runs/r1/tasks/process")
    return {"ti": ti, "run_id": ti.run_id, "data_interval_start": END - timedelta(hours=1),
            "data_interval_end": END, "exception": error}


def hostile_error() -> RuntimeError:
    return RuntimeError("Traceback (most recent call last):\n  ...\n"
                        f"could not connect to postgresql://social:{SECRET}@db:5432/council "
                        "<script>alert(1)</script>")


@pytest.fixture
def no_smtp(monkeypatch):
    monkeypatch.delenv("AIRFLOW_CONN_COUNCIL_SOCIAL_SMTP", raising=False)


def test_the_outbox_gets_one_notice_with_what_the_web_team_needs(tmp_path, monkeypatch, no_smtp):
    monkeypatch.setenv(adapter.OUTBOX_ENV_VAR, str(tmp_path))
    adapter.on_failure(context(hostile_error()))
    [eml] = list(tmp_path.glob("*.eml"))
    raw = eml.read_bytes()
    assert SECRET.encode() not in raw
    msg = email.message_from_bytes(raw, policy=email.policy.default)
    assert msg["To"] == adapter.config().team("web-team").email
    assert "process_items.process" in msg["Subject"]
    text = msg.get_body(preferencelist=("plain",)).get_content()
    for expected in ("process_items", "process", "2026-12-06T12:00:00+00:00 .. 2026-12-06T13:00:00+00:00",
                     "RuntimeError: could not connect to postgresql://social:***@db:5432/council",
                     "http://airflow.example/dags/process_items/runs/r1/tasks/process"):
        assert expected in text, expected
    assert "Traceback" not in text  # the last line only
    page = msg.get_body(preferencelist=("html",)).get_content()
    assert "<script>" not in page and "&lt;script&gt;" in page


def test_the_same_failure_notified_twice_is_one_message(tmp_path, monkeypatch, no_smtp):
    monkeypatch.setenv(adapter.OUTBOX_ENV_VAR, str(tmp_path))
    adapter.on_failure(context(hostile_error()))
    adapter.on_failure(context(hostile_error()))
    assert len(list(tmp_path.glob("*.eml"))) == 1


def test_the_smtp_connection_sends_it_through_smtp_notifier(monkeypatch):
    from tests.cases_support import smtp_server

    with smtp_server() as inbox:
        monkeypatch.setenv("AIRFLOW_CONN_COUNCIL_SOCIAL_SMTP", json.dumps({
            "conn_type": "smtp", "host": inbox.host, "port": inbox.port,
            "extra": {"disable_ssl": True, "disable_tls": True}}))
        assert adapter.notify_failure(context(hostile_error()), now=END) == "smtp"
    [received] = inbox.messages
    assert SECRET.encode() not in received["data"]
    msg = email.message_from_bytes(received["data"], policy=email.policy.default)
    assert "process_items.process" in msg["Subject"]
    page = msg.get_body(preferencelist=("html",)).get_content()
    assert "postgresql://social:***@db:5432/council" in page and "&lt;script&gt;" in page


def test_a_broken_mail_setup_never_raises_from_the_callback(monkeypatch, tmp_path, no_smtp):
    def broken(*_args, **_kwargs):
        raise OSError("disk full")

    monkeypatch.setattr(adapter, "notify_failure", broken)
    adapter.on_failure(context(hostile_error()))  # logs, does not raise


def test_every_dag_task_calls_it_after_its_last_retry():
    args = adapter.default_args()
    assert args["on_failure_callback"] is adapter.on_failure and args["retries"] >= 1


@pytest.mark.parametrize("error, expected", [
    (ValueError("bad\nlast line Bearer abc.def"), "ValueError: last line Bearer ***"),
    (KeyError("x"), "KeyError: 'x'"),
    (None, "(no exception recorded)"),
    (RuntimeError(""), "RuntimeError"),
])
def test_last_line(error, expected):
    assert last_line(error) == expected
