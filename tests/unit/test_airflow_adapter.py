"""The Airflow adapter's pure parts: which raw pages a process_items run owns, what a manual
run with no logical date owns, and mail through the SMTP Connection."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from types import SimpleNamespace

import pytest

from council_social.airflow import RAW_TWITTER, process_window

T = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)
UNPROCESSED = "council_social.airflow.run_windows.unprocessed_window"


def event(start, end):
    return SimpleNamespace(extra={"interval_start": start.isoformat(), "interval_end": end.isoformat()})


def test_a_scheduled_run_owns_its_data_interval():
    context = {"data_interval_start": T - timedelta(hours=1), "data_interval_end": T}
    assert process_window(context) == (T - timedelta(hours=1), T)


def test_an_asset_triggered_run_owns_the_ingest_intervals_of_its_events(monkeypatch):
    monkeypatch.setattr(UNPROCESSED, lambda: None)
    events = [event(T - timedelta(minutes=30), T - timedelta(minutes=15)),
              event(T - timedelta(minutes=15), T)]
    context = {"data_interval_start": T, "data_interval_end": T,
               "triggering_asset_events": {RAW_TWITTER: events}}
    assert process_window(context) == (T - timedelta(minutes=30), T)


def test_an_asset_triggered_run_also_takes_pages_whose_events_missed_a_run(monkeypatch):
    # A manual ingest's pages (ending at the click) whose events were folded into nothing.
    clicked = T + timedelta(minutes=4)
    monkeypatch.setattr(UNPROCESSED, lambda: (T, clicked))
    context = {"triggering_asset_events": {RAW_TWITTER: [event(T - timedelta(minutes=15), T)]}}
    assert process_window(context) == (T - timedelta(minutes=15), clicked)


def test_a_manual_process_run_owns_the_unprocessed_pages_or_is_skipped(monkeypatch):
    from airflow.sdk.exceptions import AirflowSkipException

    context = {"dag_run": SimpleNamespace(run_type=SimpleNamespace(value="manual"),
                                          run_after=T)}
    monkeypatch.setattr(UNPROCESSED,
                        lambda: (T - timedelta(hours=3), T - timedelta(hours=1)))
    assert process_window(context) == (T - timedelta(hours=3), T - timedelta(hours=1))
    monkeypatch.setattr(UNPROCESSED, lambda: None)
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
    from council_social.airflow.run_windows import own_until_now

    context = manual_context(dag_with("*/15 * * * *"), T + timedelta(minutes=7))
    own_until_now(context)
    assert (context["data_interval_start"], context["data_interval_end"]) == (
        T, T + timedelta(minutes=7))


def test_a_manual_ingest_clicked_on_a_slot_edge_owns_the_slot_that_just_ended():
    from council_social.airflow.run_windows import own_until_now

    context = manual_context(dag_with("*/15 * * * *"), T)
    own_until_now(context)
    assert (context["data_interval_start"], context["data_interval_end"]) == (
        T - timedelta(minutes=15), T)


def test_a_manual_daily_run_takes_the_last_complete_day_in_the_councils_zone():
    from council_social.airflow.run_windows import own_last_period

    # 25 Nov is GMT, so London midnight is 00:00 UTC.
    context = manual_context(dag_with("0 0 * * *", timezone="Europe/London"),
                             T + timedelta(hours=3))
    own_last_period(context)
    assert context["data_interval_start"] == T.replace(hour=0) - timedelta(days=1)
    assert context["data_interval_end"] == T.replace(hour=0)


def test_a_manual_daily_run_in_summer_time_takes_the_london_day():
    from council_social.airflow.run_windows import manual_interval

    # 1 July is BST (UTC+1): London midnight is 23:00 UTC the day before.
    clicked = datetime(2026, 7, 1, 9, 30, tzinfo=UTC)
    assert manual_interval("0 0 * * *", "Europe/London", clicked, until_now=False) == (
        datetime(2026, 6, 29, 23, 0, tzinfo=UTC), datetime(2026, 6, 30, 23, 0, tzinfo=UTC))


def test_the_day_the_clocks_go_back_is_25_hours_long():
    from council_social.airflow.run_windows import manual_interval

    # 25 Oct 2026: BST ends at 02:00 local (01:00 UTC).
    clicked = datetime(2026, 10, 26, 6, 0, tzinfo=UTC)
    start, end = manual_interval("0 0 * * *", "Europe/London", clicked, until_now=False)
    assert (start, end) == (datetime(2026, 10, 24, 23, 0, tzinfo=UTC),
                            datetime(2026, 10, 26, 0, 0, tzinfo=UTC))
    assert end - start == timedelta(hours=25)


def test_an_hourly_schedule_counts_the_repeated_hour_when_the_clocks_go_back():
    from council_social.airflow.run_windows import manual_interval

    # 01:00-02:00 London happens twice on 25 Oct 2026 (00:00-01:00 and 01:00-02:00 UTC).
    clicked = datetime(2026, 10, 25, 1, 30, tzinfo=UTC)
    assert manual_interval("0 * * * *", "Europe/London", clicked, until_now=False) == (
        datetime(2026, 10, 25, 0, 0, tzinfo=UTC), datetime(2026, 10, 25, 1, 0, tzinfo=UTC))


def test_the_window_matches_airflows_own_manual_interval():
    # Airflow's scheduler-side timetable is the reference; the adapter must not drift from it.
    import pendulum
    from airflow.timetables.interval import CronDataIntervalTimetable

    from council_social.airflow.run_windows import manual_interval

    for expression, zone in (("*/15 * * * *", "UTC"), ("0 0 * * *", "Europe/London"),
                             ("0 0 * * 1", "Europe/London"), ("0 * * * *", "Europe/London"),
                             ("30 0 * * *", "UTC")):
        for clicked in (T, T + timedelta(minutes=7), datetime(2026, 3, 29, 1, 10, tzinfo=UTC),
                        datetime(2026, 10, 25, 1, 30, tzinfo=UTC),
                        datetime(2026, 10, 26, 0, 0, tzinfo=UTC)):
            theirs = CronDataIntervalTimetable(expression, zone).infer_manual_data_interval(
                run_after=pendulum.instance(clicked))
            assert manual_interval(expression, zone, clicked, until_now=False) == (
                theirs.start, theirs.end), (expression, zone, clicked)


def test_runs_with_an_interval_are_left_alone():
    from council_social.airflow.run_windows import own_last_period, own_until_now

    scheduled = {"dag": dag_with("*/15 * * * *"),
                 "dag_run": SimpleNamespace(run_type=SimpleNamespace(value="scheduled"),
                                            run_after=T),
                 "data_interval_start": T - timedelta(minutes=15), "data_interval_end": T}
    before = dict(scheduled)
    own_until_now(scheduled)
    own_last_period(scheduled)
    assert scheduled == before


def test_tags_choose_nothing():
    # An ingest tag on a DAG that asks for the last period gets the last period.
    from council_social.airflow.run_windows import own_last_period

    context = manual_context(dag_with("*/15 * * * *", "ingest"), T + timedelta(minutes=7))
    own_last_period(context)
    assert (context["data_interval_start"], context["data_interval_end"]) == (
        T - timedelta(minutes=15), T)


def test_a_schedule_without_periods_is_left_alone():
    from airflow.sdk import AssetOrTimeSchedule, CronTriggerTimetable

    from council_social.airflow import RAW_TWITTER
    from council_social.airflow.run_windows import own_last_period

    dag = SimpleNamespace(timetable=AssetOrTimeSchedule(
        timetable=CronTriggerTimetable("*/5 * * * *", timezone="UTC"), assets=[RAW_TWITTER]))
    context = manual_context(dag, T)
    own_last_period(context)
    assert "data_interval_end" not in context


def test_each_dag_says_what_a_manual_run_owns():
    from council_social.airflow import ManualRun, default_args
    from council_social.airflow.run_windows import own_last_period, own_until_now

    assert default_args()["pre_execute"] is own_last_period
    assert default_args(manual_run=ManualRun.UNTIL_NOW)["pre_execute"] is own_until_now
    assert "pre_execute" not in default_args(manual_run=ManualRun.OWN_WINDOW)
