"""
### promotion

Daily (01:00 UTC, after `influence_daily`), the strategy's Promotion for the
data interval's day:

1. `fetch_follows`: each X account's followers and following through
   `GET /2/users/:id/followers|following` (tweepy's Paginator, 429 waits), from
   the watermark (the newest follower seen); a whole walk on Mondays, which also
   forgets whoever unfollowed. Raw pages land in `social.raw_pages` (archived
   like every exchange; never parsed into items).
2. `follow_back`: each account's follow-back list (followers and people who
   engaged in 90 days, not followed, not dismissed, not flagged), by influence.
3. `local_trends`: hashtags rising per area against their 28-day baseline; one
   matching a council topic puts a draft in the forward planner as `submitted`.
4. `campaigns`: the council's own hashtags per week (`promotion.campaigns`).
5. `consistency`: one `inconsistent_message` alert per planner entry or
   campaign whose posts disagree (dates, times, money, phones, links, places).
6. `draw_competitions`: competitions in `promotion.competitions` that closed.

**Owner:** web team. **When it fails:** nothing is followed or posted by this
DAG, so nothing goes out wrong; the Promotion page shows the previous day.
Fix the cause (X credentials, the database) and clear the task: every step
replaces its day's rows, and a drawn competition re-runs to the same winner.
"""

from __future__ import annotations

from airflow.sdk import DAG, CronDataIntervalTimetable, task

from council_social.airflow import START_DATE, Tag, config, default_args, tags

with DAG(
    dag_id="promotion",
    schedule=CronDataIntervalTimetable("0 1 * * *", timezone="UTC"),
    start_date=START_DATE,
    catchup=False,
    max_active_runs=1,
    default_args=default_args(),
    tags=tags(Tag.PROMOTION, Tag.TWITTER),
    doc_md=__doc__,
):

    def _day(data_interval_start):
        return data_interval_start.astimezone(config().tz).date()

    @task(pool=config().channels.twitter.pool)
    def fetch_follows(data_interval_start=None, data_interval_end=None) -> list[dict]:
        from council_social.airflow import engine, twitter_connector
        from council_social.promotion.jobs import fetch_follows

        connector, full = twitter_connector(), data_interval_start.weekday() == 0
        return [fetch_follows(engine(), connector, account, direction,
                              interval_start=data_interval_start,
                              interval_end=data_interval_end, full=full)
                for account in config().accounts_for("twitter")
                for direction in ("followers", "following")]

    @task
    def follow_back(data_interval_start=None) -> dict:
        from council_social.airflow import engine
        from council_social.promotion.jobs import build_suggestions

        return build_suggestions(engine(), config(), _day(data_interval_start))

    @task
    def local_trends(data_interval_start=None, data_interval_end=None) -> dict:
        from council_social.airflow import engine
        from council_social.promotion.jobs import build_trends

        return build_trends(engine(), config(), _day(data_interval_start), data_interval_end)

    @task
    def campaigns(data_interval_start=None) -> int:
        from council_social.airflow import engine
        from council_social.promotion.jobs import build_campaign_weeks

        return build_campaign_weeks(engine(), config(), _day(data_interval_start))

    @task
    def consistency(data_interval_start=None, data_interval_end=None) -> list[str]:
        from council_social.airflow import engine
        from council_social.promotion.messaging import check_day

        return check_day(engine(), config(), _day(data_interval_start), data_interval_end)

    @task(pool=config().channels.twitter.pool)
    def draw_competitions(data_interval_end=None) -> list[dict]:
        from council_social.airflow import engine, twitter_connector
        from council_social.promotion.draws import draw_due

        return draw_due(engine(), config(), twitter_connector, data_interval_end)

    follows = fetch_follows()
    follows >> follow_back()
    follows >> draw_competitions()
    local_trends()
    campaigns()
    consistency()
