"""The one module that knows about Airflow: defaults, tags, assets, connections.

DAG files import from here and from nothing else in Airflow's orbit, so the
rest of `council_social` runs and tests without a scheduler.
"""

from __future__ import annotations

import logging
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from enum import StrEnum
from functools import lru_cache

from airflow.sdk import Asset

log = logging.getLogger(__name__)

DB_CONNECTION_ID = "council_social_db"
START_DATE = datetime(2026, 1, 1, tzinfo=UTC)

RAW_TWITTER = Asset("council_social.raw_pages.twitter")
# One raw-pages asset per non-X channel (ingest_channels.py); process_items listens to all.
CHANNEL_PLATFORMS = ("facebook", "instagram", "youtube", "flickr", "linkedin", "feed",
                     "eventbrite")
RAW_CHANNELS = {p: Asset(f"council_social.raw_pages.{p}") for p in CHANNEL_PLATFORMS}
RAW_FACEBOOK = RAW_CHANNELS["facebook"]
ITEMS = Asset("council_social.items")


class Tag(StrEnum):
    INGEST = "ingest"
    PROCESS = "process"
    TWITTER = "twitter"
    COUNCIL_SOCIAL = "council-social"
    CHANNELS = "channels"
    FACEBOOK = "facebook"
    INSTAGRAM = "instagram"
    YOUTUBE = "youtube"
    FLICKR = "flickr"
    LINKEDIN = "linkedin"
    FEED = "feed"
    EVENTBRITE = "eventbrite"
    GRID = "grid"
    PUBLISH = "publish"
    CASES = "cases"
    ARCHIVE = "archive"
    TRIAGE = "triage"
    REPORTS = "reports"
    PROMOTION = "promotion"


def tags(*extra: Tag) -> list[str]:
    return [Tag.COUNCIL_SOCIAL.value, *(t.value for t in extra)]


def on_failure(context) -> None:
    """A task failed after its last retry: one log line, and one email to the web team.

    Airflow calls on_failure_callback only once the retries are spent, so each
    failure mails once. Without the SMTP Connection the notice goes to the outbox
    folder. Notifying never raises: the task has failed already.
    """
    ti = context.get("ti") or context.get("task_instance")
    log.error(
        "council-social task failed: dag=%s task=%s run=%s try=%s error=%s",
        getattr(ti, "dag_id", "?"), getattr(ti, "task_id", "?"), context.get("run_id"),
        getattr(ti, "try_number", "?"), context.get("exception"),
    )
    try:
        transport = notify_failure(context)
        log.info("failure notice sent by %s", transport)
    except Exception:  # noqa: BLE001 - a broken mail set-up must not hide the task's own error
        log.exception("could not send the failure notice")


def notify_failure(context, now: datetime | None = None) -> str:
    """Email the failure notice; returns "smtp" or "outbox"."""
    import os

    from council_social.failure_notice import Failure, failure_notice, last_line
    from council_social.reports.alerts import web_team_key
    from council_social.reports.mail import from_address

    cfg = config()
    ti = context.get("ti") or context.get("task_instance")
    failure = Failure(
        dag_id=str(getattr(ti, "dag_id", "?")), task_id=str(getattr(ti, "task_id", "?")),
        run_id=str(context.get("run_id") or getattr(ti, "run_id", "?")),
        try_number=getattr(ti, "try_number", None),
        interval_start=context.get("data_interval_start"),
        interval_end=context.get("data_interval_end"),
        error=last_line(context.get("exception")), log_url=getattr(ti, "log_url", None),
    )
    to = [cfg.team(web_team_key(cfg)).email]
    msg = failure_notice(failure, to=to, from_email=from_address(cfg), council=cfg.council.short_name,
                         now=now or datetime.now(UTC))
    conn_id = cfg.notifications.smtp_connection_id
    if connection(conn_id) is None:
        from council_social.cases.notify import OutboxSender

        OutboxSender(os.environ.get(OUTBOX_ENV_VAR) or cfg.outbox_path).send_message(msg)
        return "outbox"
    from airflow.providers.smtp.notifications.smtp import SmtpNotifier

    html = msg.get_body(preferencelist=("html",)).get_content()
    # notify(), not __call__: the text is final, and Jinja must not render an error message.
    SmtpNotifier(to=to, from_email=str(msg["From"]), subject=str(msg["Subject"]), html_content=html,
                 smtp_conn_id=conn_id,
                 custom_headers={"Message-ID": str(msg["Message-ID"])}).notify(context)
    return "smtp"


def default_args(owner: str = "web-team") -> dict:
    return {
        "owner": owner,
        "retries": 2,
        "retry_delay": timedelta(minutes=1),
        "retry_exponential_backoff": True,
        "max_retry_delay": timedelta(minutes=10),
        "execution_timeout": timedelta(minutes=20),
        "on_failure_callback": on_failure,
        "pre_execute": fill_manual_interval,
    }


def _is_manual_without_interval(context) -> bool:
    run = context.get("dag_run")
    run_type = getattr(getattr(run, "run_type", None), "value", getattr(run, "run_type", None))
    return run is not None and run_type == "manual" and context.get("data_interval_end") is None


def manual_interval(timetable, run_after: datetime, *, until_now: bool) -> tuple[datetime, datetime]:
    """The window a manual run with no logical date owns under a cron timetable.

    The last complete period (Airflow's own inference for a manual run); with
    `until_now` the part of the current period already past instead, so an
    ingest reaches up to the moment of the click.
    """
    import pendulum
    from airflow.timetables.interval import CronDataIntervalTimetable

    last = CronDataIntervalTimetable(timetable.expression, timetable.timezone) \
        .infer_manual_data_interval(run_after=pendulum.instance(run_after))
    if until_now and last.end < run_after:
        return last.end, run_after
    return last.start, last.end


def fill_manual_interval(context) -> None:
    """pre_execute hook: a run triggered with no logical date (the UI's Trigger button,
    `airflow dags trigger`) has no data interval; give it the window it should own.

    Ingest DAGs fetch up to now, process_items picks its own pages (process_window),
    everything else takes the last complete period. The run keeps logical date None,
    so it never takes a scheduled slot's place.
    """
    if not _is_manual_without_interval(context):
        return
    dag = context["dag"]
    if Tag.PROCESS.value in dag.tags:
        return
    start, end = manual_interval(dag.timetable, context["dag_run"].run_after,
                                 until_now=Tag.INGEST.value in dag.tags)
    log.info("manual run with no logical date: owning %s .. %s", start.isoformat(), end.isoformat())
    context["data_interval_start"], context["data_interval_end"] = start, end


@lru_cache(maxsize=1)
def config():
    from council_social.config import load_config

    return load_config()


def connection(conn_id: str):
    """The Airflow Connection `conn_id`, or None if there is none."""
    from airflow.sdk import Connection
    from airflow.sdk.exceptions import AirflowNotFoundException

    try:
        return Connection.get(conn_id)
    except AirflowNotFoundException:
        return None


def database_url() -> str:
    """The `council_social_db` Connection if there is one, else the store's own resolution."""
    from council_social.store.engine import resolve_database_url

    conn = connection(DB_CONNECTION_ID)
    return resolve_database_url(conn.get_uri() if conn else None, config())


def engine():
    from council_social.store.engine import get_engine

    return get_engine(database_url(), config())


def twitter_connector():
    from council_social.channels.twitter import TwitterConnector

    settings = config().channels.twitter
    conn = connection(settings.connection_id)
    if conn is None or not conn.password:
        raise RuntimeError(
            f"Airflow Connection {settings.connection_id!r} is missing or has no bearer token "
            "in its password field; see README, 'Real platform credentials'."
        )
    host = conn.host or "api.x.com"
    base_url = host if "://" in host else f"{conn.schema or 'https'}://{host}"
    if conn.port:
        base_url = f"{base_url}:{conn.port}"
    return TwitterConnector(
        conn.password,
        base_url,
        page_size=settings.page_size,
        max_pages=settings.max_pages_per_run,
        max_rate_limit_wait_seconds=settings.max_rate_limit_wait_seconds,
    )


# The demo (and a developer without a mail server) points this at a folder: digests are
# written there as .eml files when the SMTP Connection does not exist.
OUTBOX_ENV_VAR = "COUNCIL_SOCIAL_OUTBOX"


class _SmtpHookSender:
    """smtplib's `send_message` over the SMTP provider's public `send_email_smtp`.

    The hook builds its own MIME message from HTML and files, so the message is
    taken apart: the HTML part (else the plain text, escaped), the headers that
    matter, and inline images as files named by their Content-ID, which the hook
    attaches under that same Content-ID so `cid:` references still resolve.
    """

    KEPT_HEADERS = ("Message-ID", "Reply-To", "In-Reply-To", "References")

    def __init__(self, hook):
        self.hook = hook

    def send_message(self, msg) -> None:
        import html
        import tempfile
        from email.utils import getaddresses
        from pathlib import Path

        def addresses(name: str) -> list[str]:
            return [addr for _, addr in getaddresses(msg.get_all(name, [])) if addr]

        body = msg.get_body(preferencelist=("html", "plain"))
        content = body.get_content() if body is not None else ""
        if body is not None and body.get_content_type() == "text/plain":
            content = f"<pre>{html.escape(content)}</pre>"
        headers = {k: str(msg[k]) for k in self.KEPT_HEADERS if msg[k] is not None}
        with tempfile.TemporaryDirectory(prefix="council-social-mail-") as tmp:
            files = []
            for part in msg.walk():
                cid = part.get("Content-ID")
                if part.is_multipart() or part is body or not cid:
                    continue
                name = Path(cid.strip("<> ")).name or f"part{len(files)}"
                path = Path(tmp) / name
                path.write_bytes(part.get_payload(decode=True) or b"")
                files.append(str(path))
            self.hook.send_email_smtp(
                to=addresses("To"), cc=addresses("Cc") or None,
                from_email=str(msg["From"]) if msg["From"] else None,
                subject=str(msg["Subject"] or ""), html_content=content, files=files,
                mime_subtype="related" if files else "mixed", custom_headers=headers,
            )


@contextmanager
def mail_sender(conn_id: str):
    """Yield (sender, transport): the SMTP Connection `conn_id`, else the outbox folder."""
    import os

    if connection(conn_id) is None:
        outbox = os.environ.get(OUTBOX_ENV_VAR)
        if not outbox:
            raise RuntimeError(
                f"Airflow Connection {conn_id!r} (SMTP) is missing; see README, "
                "'Response cases and FoI'."
            )
        from council_social.cases.notify import OutboxSender

        yield OutboxSender(outbox), "outbox"
        return
    from airflow.providers.smtp.hooks.smtp import SmtpHook

    with SmtpHook(smtp_conn_id=conn_id) as hook:
        yield _SmtpHookSender(hook), "smtp"


def grid_posters() -> dict:
    """Publishers by platform for publish_posts.

    X: the Connection's password is the app's bearer token (reads), its extra
    `user_tokens` maps account keys to user-context tokens (posts). Facebook:
    the page access token is the password, or per account in extra `page_tokens`;
    without that Connection Facebook entries stay 'post by hand'.
    """
    from council_social.grid.facebook_poster import from_connection
    from council_social.grid.twitter_poster import TwitterPoster

    conn = connection(config().channels.twitter.connection_id)
    tokens = (conn.extra_dejson.get("user_tokens") if conn is not None else None) or {}
    posters = {"twitter": TwitterPoster(twitter_connector(), tokens)}
    facebook_settings = config().channels.facebook
    if facebook_settings is not None:
        facebook = from_connection(connection(facebook_settings.connection_id),
                                   facebook_settings)
        if facebook is not None:
            posters["facebook"] = facebook
    return posters


def instagram_poster():
    """Graph calls with the Instagram Connection's token (comment replies), or None without
    that Connection."""
    from council_social.grid.facebook_poster import from_connection

    settings = config().channels.instagram
    if settings is None:
        return None
    return from_connection(connection(settings.connection_id), settings)


def youtube_replier():
    """Comment replies with the YouTube Connection's OAuth token (extra `oauth_token`, else
    the password), or None without it."""
    from council_social.cases.youtube_replies import from_connection

    settings = config().channels.youtube
    if settings is None:
        return None
    return from_connection(connection(settings.connection_id), settings)


def channel_connector(platform: str):
    """The connector for one non-X channel, its credential from `council_social_<platform>`.

    The token is the Connection's password (Flickr: the API key). Feeds need no
    Connection; if one exists its host is a base URL the feeds are read through.
    """
    settings = config().channels[platform]
    conn = connection(settings.connection_id)
    base_url = None
    if conn is not None and conn.host:
        base_url = conn.host if "://" in conn.host else f"{conn.schema or 'https'}://{conn.host}"
        if conn.port:
            base_url = f"{base_url}:{conn.port}"
    common = {"page_size": settings.page_size, "max_pages": settings.max_pages_per_run,
              "max_rate_limit_wait_seconds": settings.max_rate_limit_wait_seconds}
    if platform == "feed":
        from council_social.channels.feeds import FeedConnector

        # Sites see which council reads them (the council's own site, not the first tenant's).
        return FeedConnector(base_url, user_agent=f"council-social/1 (+{config().council.website})",
                             **common)
    if conn is None or not conn.password:
        raise RuntimeError(
            f"Airflow Connection {settings.connection_id!r} is missing or has no token in its "
            "password field; see README, 'Channels'."
        )
    token = conn.password
    if platform == "facebook":
        from council_social.channels.facebook import FacebookConnector

        return FacebookConnector(token, base_url or "https://graph.facebook.com",
                                 groups=settings.groups,
                                 comment_window_hours=settings.comment_window_hours, **common)
    if platform == "instagram":
        from council_social.channels.instagram import InstagramConnector

        return InstagramConnector(token, base_url or "https://graph.facebook.com",
                                  hashtags=settings.hashtags,
                                  comment_window_hours=settings.comment_window_hours, **common)
    if platform == "youtube":
        from council_social.channels.repo import youtube_units_spent_today
        from council_social.channels.youtube import QuotaLedger, YouTubeConnector

        with engine().connect() as db:
            spent = youtube_units_spent_today(db, datetime.now(UTC))
        ledger = QuotaLedger(settings.quota_units_per_day, spent, settings.quota_reserve_units)
        return YouTubeConnector(token, base_url or "https://www.googleapis.com", ledger=ledger,
                                **common)
    if platform == "flickr":
        from council_social.channels.flickr import FlickrConnector

        return FlickrConnector(token, base_url or "https://www.flickr.com",
                               search_text=settings.search_text, **common)
    if platform == "linkedin":
        from council_social.channels.linkedin import LinkedInConnector

        return LinkedInConnector(token, base_url or "https://api.linkedin.com", **common)
    if platform == "eventbrite":
        from council_social.channels.eventbrite import EventbriteConnector

        return EventbriteConnector(token, base_url or "https://www.eventbriteapi.com", **common)
    raise KeyError(f"no connector for platform {platform!r}")


def process_window(context) -> tuple[datetime, datetime]:
    """The raw-page window a process_items run owns.

    Time-scheduled and backfill runs own their data interval. A run triggered
    by new raw pages owns the ingest intervals named in the triggering events
    and any raw page no run has processed yet. A manual run with no logical date owns the raw pages no run has processed
    yet, and is skipped when there are none.
    """
    start, end = context.get("data_interval_start"), context.get("data_interval_end")
    if start is not None and end is not None and start < end:
        return start, end
    bounds = [
        (datetime.fromisoformat(e.extra["interval_start"]), datetime.fromisoformat(e.extra["interval_end"]))
        for events in (context.get("triggering_asset_events") or {}).values()
        for e in events
        if e.extra and "interval_start" in e.extra
    ]
    if not bounds and _is_manual_without_interval(context):
        from airflow.sdk.exceptions import AirflowSkipException

        window = _unprocessed_window()
        if window is None:
            raise AirflowSkipException("no raw pages are waiting to be processed")
        return window
    if not bounds:
        raise RuntimeError("process_items run has neither a data interval nor asset events to own")
    # Events that land while a run waits (max_active_runs) can miss their own run until
    # the next event arrives: an asset-triggered run also takes any page still waiting.
    pending = _unprocessed_window()
    if pending is not None:
        bounds.append(pending)
    return min(b[0] for b in bounds), max(b[1] for b in bounds)


def _unprocessed_window():
    from council_social.pipeline.claims import unprocessed_window

    with engine().connect() as conn:
        return unprocessed_window(conn)


def load_dags(dags_folder) -> dict:
    """Parse the DAG folder as the dag-processor would; import errors are fatal here."""
    from airflow.dag_processing.dagbag import DagBag

    bag = DagBag(dag_folder=str(dags_folder))
    if bag.import_errors:
        problems = "; ".join(f"{path}: {err.strip().splitlines()[-1]}" for path, err in bag.import_errors.items())
        raise RuntimeError(f"DAG import errors: {problems}")
    return bag.dags


def run_dag(dag, interval_end: datetime) -> str:
    """Run one DAG in this process (Airflow's `dag.test`) for the data interval ending at
    `interval_end`; returns the run's state.

    `dag.test(logical_date=X)` infers a manual run's interval as the one that ends at X,
    unlike a scheduled or backfill run, whose logical date is the interval's start.
    """
    run = dag.test(logical_date=interval_end)
    return str(getattr(run.state, "value", run.state))
