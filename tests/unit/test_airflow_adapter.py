"""The Airflow adapter's pure parts: which raw pages a process_items run owns."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from types import SimpleNamespace

import pytest

from council_social.airflow import RAW_TWITTER, process_window

T = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)


def event(start, end):
    return SimpleNamespace(extra={"interval_start": start.isoformat(), "interval_end": end.isoformat()})


def test_a_scheduled_run_owns_its_data_interval():
    context = {"data_interval_start": T - timedelta(hours=1), "data_interval_end": T}
    assert process_window(context) == (T - timedelta(hours=1), T)


def test_an_asset_triggered_run_owns_the_ingest_intervals_of_its_events(monkeypatch):
    monkeypatch.setattr("council_social.airflow._unprocessed_window", lambda: None)
    events = [event(T - timedelta(minutes=30), T - timedelta(minutes=15)),
              event(T - timedelta(minutes=15), T)]
    context = {"data_interval_start": T, "data_interval_end": T,
               "triggering_asset_events": {RAW_TWITTER: events}}
    assert process_window(context) == (T - timedelta(minutes=30), T)


def test_an_asset_triggered_run_also_takes_pages_whose_events_missed_a_run(monkeypatch):
    # A manual ingest's pages (ending at the click) whose events were folded into nothing.
    clicked = T + timedelta(minutes=4)
    monkeypatch.setattr("council_social.airflow._unprocessed_window", lambda: (T, clicked))
    context = {"triggering_asset_events": {RAW_TWITTER: [event(T - timedelta(minutes=15), T)]}}
    assert process_window(context) == (T - timedelta(minutes=15), clicked)


def test_a_manual_process_run_owns_the_unprocessed_pages_or_is_skipped(monkeypatch):
    from airflow.sdk.exceptions import AirflowSkipException

    context = {"dag_run": SimpleNamespace(run_type=SimpleNamespace(value="manual"),
                                          run_after=T)}
    monkeypatch.setattr("council_social.airflow._unprocessed_window",
                        lambda: (T - timedelta(hours=3), T - timedelta(hours=1)))
    assert process_window(context) == (T - timedelta(hours=3), T - timedelta(hours=1))
    monkeypatch.setattr("council_social.airflow._unprocessed_window", lambda: None)
    with pytest.raises(AirflowSkipException):
        process_window(context)


def test_a_run_with_nothing_to_own_fails_loudly():
    with pytest.raises(RuntimeError, match="neither a data interval nor asset events"):
        process_window({"data_interval_start": None, "data_interval_end": None})


def test_mail_through_the_smtp_connection_keeps_every_mime_part(monkeypatch):
    # The weekly report carries inline charts: the SMTP path must keep them under their cid.
    import email
    import email.policy
    import json
    from email.message import EmailMessage

    from council_social.airflow import mail_sender
    from tests.cases_support import smtp_server

    with smtp_server() as inbox:
        monkeypatch.setenv("AIRFLOW_CONN_TEST_SMTP", json.dumps({
            "conn_type": "smtp", "host": inbox.host, "port": inbox.port,
            "extra": {"disable_ssl": True, "disable_tls": True, "from_email": "web@brent.example"},
        }))
        msg = EmailMessage()
        msg["From"], msg["To"], msg["Subject"] = "web@brent.example", "team@brent.example", "Weekly"
        msg["Message-ID"] = "<weekly-1@brent.example>"
        msg.set_content("plain text")
        msg.add_alternative("<p>charts <img src='cid:chart1'></p>", subtype="html")
        msg.get_payload()[1].add_related(b"\x89PNG fake", maintype="image", subtype="png",
                                         cid="<chart1>")
        with mail_sender("test_smtp") as (sender, transport):
            sender.send_message(msg)
    assert transport == "smtp"
    [received] = inbox.messages
    parsed = email.message_from_bytes(received["data"], policy=email.policy.default)
    html_part = parsed.get_body(preferencelist=("html",))
    assert "cid:chart1" in html_part.get_content()
    [image] = [p for p in parsed.walk() if p["Content-ID"] == "<chart1>"]
    assert image.get_payload(decode=True) == b"\x89PNG fake"
    assert parsed["Subject"] == "Weekly" and parsed["To"] == "team@brent.example"
    assert parsed["Message-ID"] == "<weekly-1@brent.example>"


def manual_context(dag, run_after, **extra):
    run = SimpleNamespace(run_type=SimpleNamespace(value="manual"), run_after=run_after)
    return {"dag": dag, "dag_run": run, **extra}


def dag_with(expression, *tag_names, timezone="UTC"):
    from airflow.sdk import CronDataIntervalTimetable

    return SimpleNamespace(timetable=CronDataIntervalTimetable(expression, timezone=timezone),
                           tags=["council-social", *tag_names])


def test_a_manual_ingest_owns_the_past_part_of_the_current_slot():
    from council_social.airflow import fill_manual_interval

    context = manual_context(dag_with("*/15 * * * *", "ingest"), T + timedelta(minutes=7))
    fill_manual_interval(context)
    assert (context["data_interval_start"], context["data_interval_end"]) == (
        T, T + timedelta(minutes=7))


def test_a_manual_ingest_clicked_on_a_slot_edge_owns_the_slot_that_just_ended():
    from council_social.airflow import fill_manual_interval

    context = manual_context(dag_with("*/15 * * * *", "ingest"), T)
    fill_manual_interval(context)
    assert (context["data_interval_start"], context["data_interval_end"]) == (
        T - timedelta(minutes=15), T)


def test_a_manual_daily_run_takes_the_last_complete_day_in_the_councils_zone():
    from council_social.airflow import fill_manual_interval

    # 25 Nov is GMT, so London midnight is 00:00 UTC.
    context = manual_context(dag_with("0 0 * * *", "reports", timezone="Europe/London"),
                             T + timedelta(hours=3))
    fill_manual_interval(context)
    assert context["data_interval_start"] == T.replace(hour=0) - timedelta(days=1)
    assert context["data_interval_end"] == T.replace(hour=0)


def test_runs_with_an_interval_and_process_items_are_left_alone():
    from council_social.airflow import fill_manual_interval

    scheduled = {"dag": dag_with("*/15 * * * *", "ingest"),
                 "dag_run": SimpleNamespace(run_type=SimpleNamespace(value="scheduled"),
                                            run_after=T),
                 "data_interval_start": T - timedelta(minutes=15), "data_interval_end": T}
    before = dict(scheduled)
    fill_manual_interval(scheduled)
    assert scheduled == before
    process = manual_context(dag_with("0 * * * *", "process"), T)
    fill_manual_interval(process)
    assert "data_interval_end" not in process


def test_every_dag_fills_a_manual_run_before_its_tasks_run():
    from council_social.airflow import default_args, fill_manual_interval

    assert default_args()["pre_execute"] is fill_manual_interval
