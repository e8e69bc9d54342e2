"""
### ingest_<platform> (one DAG per channel configured in council.yaml)

Pulls what residents say on each channel the strategy names: X (mentions of,
and posts by, each council account, every 15 minutes), Facebook
(page posts, comments, local groups), Instagram (media, comments, mentions,
hashtags), YouTube (videos, comment threads, with quota accounting), Flickr
(photos and comments), LinkedIn (organisation posts and comments), feeds
(Mumsnet local talk, community sites, blogs, Google Alerts) and Eventbrite
(the council's events and ticket counts). Each `ingest_<platform>` DAG runs
on `channels.<platform>.schedule`, one mapped task per account (feeds: per
feed) in the `<platform>_api` pool (X: `fetch_account` in `twitter_api`),
lands the raw pages, the fetch record and the new watermark in one
transaction, and announces `council_social.raw_pages.<platform>` so
`process_items` runs.

**Owner:** web team. **When it fails:** the watermark has not moved, so
nothing is lost. An auth error names the Connection `council_social_<platform>`
(X 401: the bearer token; Facebook code 190: the page token expired; renew it
and clear the task). A
rate-limit or YouTube quota stop is logged as incomplete and the next run
carries on from the same watermark.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from airflow.sdk import DAG, CronDataIntervalTimetable, task

from council_social.airflow import (
    CHANNEL_PLATFORMS,
    RAW_CHANNELS,
    RAW_TWITTER,
    START_DATE,
    ManualRun,
    Tag,
    config,
    default_args,
    tags,
)


@dataclass(frozen=True)
class ChannelDag:
    platform: str
    schedule: str
    pool: str
    endpoints: tuple[str, ...]

    @property
    def is_x(self) -> bool:
        return self.platform == "twitter"

    # X keeps the task ids and tags its runs, the demo and the tests already use.
    @property
    def task_ids(self) -> tuple[str, str]:
        return ("council_accounts", "fetch_account") if self.is_x else ("sources", "fetch_source")

    @property
    def tags(self) -> list[str]:
        if self.is_x:
            return tags(Tag.INGEST, Tag.TWITTER)
        return tags(Tag.INGEST, Tag.CHANNELS, Tag(self.platform))

    @property
    def asset(self):
        return RAW_TWITTER if self.is_x else RAW_CHANNELS[self.platform]


def channel_dags() -> list[ChannelDag]:
    """Every configured channel with something to poll (X first)."""
    out = []
    for platform, settings in config().channels.configured().items():
        if platform not in ("twitter", *CHANNEL_PLATFORMS) or not config().sources_for(platform):
            continue
        out.append(ChannelDag(platform, settings.schedule, settings.pool,
                              tuple(settings.endpoints)))
    return sorted(out, key=lambda spec: not spec.is_x)


def build(spec: ChannelDag) -> DAG:
    raw = spec.asset
    list_task, fetch_task = spec.task_ids
    with DAG(
        dag_id=f"ingest_{spec.platform}",
        schedule=CronDataIntervalTimetable(spec.schedule, timezone="UTC"),
        start_date=START_DATE,
        catchup=False,
        max_active_runs=1,
        # A click on Trigger fetches up to the click.
        default_args=default_args(manual_run=ManualRun.UNTIL_NOW),
        tags=spec.tags,
        doc_md=__doc__,
    ) as dag:

        @task(task_id=list_task)
        def sources(platform: str = spec.platform) -> list[str]:
            from council_social.airflow import engine
            from council_social.store.accounts_repo import sync_accounts

            with engine().begin() as conn:
                sync_accounts(conn, config())
            return [s.key for s in config().sources_for(platform)]

        @task(task_id=fetch_task, pool=spec.pool, outlets=[raw],
              map_index_template="{{ source_key }}")
        def fetch_source(source_key: str, platform: str = spec.platform,
                         data_interval_start=None, data_interval_end=None, outlet_events=None):
            from council_social.airflow import channel_connector, engine, twitter_connector
            from council_social.pipeline.ingest import ingest_account

            settings = config().channels[platform]
            connector = (twitter_connector() if platform == "twitter"
                         else channel_connector(platform))
            summary = ingest_account(
                engine(), connector, config().source(platform, source_key),
                endpoints=list(settings.endpoints),
                interval_start=data_interval_start,
                interval_end=data_interval_end,
                initial_lookback=timedelta(hours=settings.initial_lookback_hours),
            )
            outlet_events[raw].extra = {
                "account": source_key,
                "interval_start": data_interval_start.isoformat(),
                "interval_end": data_interval_end.isoformat(),
                "new_pages": summary["new_pages"],
            }
            return summary

        fetch_source.expand(source_key=sources())
    return dag


for _spec in channel_dags():
    globals()[f"ingest_{_spec.platform}"] = build(_spec)
