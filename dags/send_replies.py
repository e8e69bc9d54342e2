"""
### send_replies

Sends the replies officers queue from a case (`council-social cases reply`, the
case page's reply box) as replies in the thread: X with tweepy's create_tweet
and `in_reply_to_tweet_id`; Facebook and Instagram comment replies through the
Graph API (`council_social_facebook` / `council_social_instagram`), YouTube
comment replies through the Data API (`council_social_youtube`). Woken by an asset event: the `case_replies`
asset's watcher (a trigger in the triggerer) looks at the queue every few
seconds, so a reply goes out within a minute; every five minutes it also runs
on its own in case an event was lost. Airflow registers the watcher when it
parses this file with the DAG unpaused: after unpausing it by hand, press
Reparse (or wait for the next parse) to get the one-minute path back. Exactly once across retries, lost
responses and crashes: each reply is committed as `sending` before the call,
and a reply found `sending` is looked for in the thread before it is sent again
(cases/reply_send.py). A substantive reply closes the case; a holding reply
records the first response and keeps it open.

**Owner:** web team. **When it fails:** a reply with an unknown outcome fails
the task on purpose; the retry looks in the thread and will not reply twice. A
refused token (X 401) puts the reply back in the queue and fails the task naming
the Connection: renew `council_social_twitter` extra `user_tokens` (or the
Facebook / Instagram Connection's token). A reply the
platform refuses is `failed` with the reason in `case_replies.detail`.
"""

from __future__ import annotations

from datetime import timedelta

from airflow.sdk import DAG, Asset, AssetOrTimeSchedule, AssetWatcher, CronTriggerTimetable, task

from council_social.airflow import START_DATE, Tag, config, default_args, tags
from council_social.reply_trigger import QueuedRepliesTrigger

CASE_REPLIES = Asset(
    "council_social.case_replies",
    watchers=[AssetWatcher(name="queued_case_replies",
                           trigger=QueuedRepliesTrigger(config().cases.replies.poll_seconds))],
)

with DAG(
    dag_id="send_replies",
    schedule=AssetOrTimeSchedule(
        timetable=CronTriggerTimetable("*/5 * * * *", timezone="UTC"), assets=[CASE_REPLIES]),
    start_date=START_DATE,
    catchup=False,
    max_active_runs=1,
    default_args={**default_args(), "retry_delay": timedelta(seconds=20),
                  "retry_exponential_backoff": False},
    tags=tags(Tag.CASES, Tag.PUBLISH),
    doc_md=__doc__,
):

    @task(pool=config().channels.twitter.pool, execution_timeout=timedelta(minutes=4))
    def send_queued_replies() -> dict:
        from council_social.airflow import engine, grid_posters, instagram_poster, youtube_replier
        from council_social.cases.reply_send import repliers_from_posters, send_queued

        repliers = repliers_from_posters(grid_posters(), instagram_poster(), youtube_replier())
        return send_queued(engine(), config(), repliers).as_dict()

    send_queued_replies()
