"""
### publish_posts

Every five minutes, posts the approved planner entries whose slot in the
newest communications grid has come (within `grid.late_grace_minutes`),
through the channel's API: X with tweepy's create_tweet, Facebook through
the Graph API page feed (`POST /{page-id}/feed`). Exactly once per entry and
account: each attempt is recorded under an idempotency key before the call,
and a retry after a lost response looks for the post on the account's
timeline or page before posting again. The post's id is stored in
`post_attempts` so replies and metrics link back, and the entry moves to
`published` once every channel has its post. A slot that passed more than
the grace period ago unposted is recorded as `missed` and listed in the next
grid. Nothing is posted during a pre-election period without a logged
override (`council-social grid override`), nor when `grid.posting_enabled`
is false.

**Owner:** web team. **When it fails:** a post with an unknown outcome fails
the task on purpose; the retry checks the channel and will not post twice.
A refused token (X 401, Graph code 190) fails the task naming the
Connection: renew the token (`council_social_twitter` extra `user_tokens`;
`council_social_facebook` password, the Page access token) and the next run
posts what is still within the grace period. A refused post (4xx, Graph 368
or a duplicate not found on the page) is recorded as failed with the
platform's reason in `post_attempts.detail`: fix the entry and re-import.
"""

from __future__ import annotations

from datetime import timedelta

from airflow.sdk import DAG, CronDataIntervalTimetable, task

from council_social.airflow import START_DATE, Tag, config, default_args, tags

with DAG(
    dag_id="publish_posts",
    schedule=CronDataIntervalTimetable("*/5 * * * *", timezone="UTC"),
    start_date=START_DATE,
    catchup=False,
    max_active_runs=1,
    default_args=default_args(),
    tags=tags(Tag.GRID, Tag.PUBLISH),
    doc_md=__doc__,
):

    # Shorter than the schedule, so a hung call is retried before the next run is due.
    @task(pool=config().channels.twitter.pool, execution_timeout=timedelta(minutes=4))
    def post_due_entries(data_interval_end=None) -> dict:
        from council_social.airflow import engine, grid_posters
        from council_social.grid.publish import publish_due

        return publish_due(engine(), config(), grid_posters(), data_interval_end).as_dict()

    post_due_entries()
