"""
### communications_grid

Builds the fortnightly communications grid every morning from the forward
planner (`council-social planner import FILE`): this week and next, Monday to
Sunday, by channel. It learns each account's best posting hours from its own
past posts, places every approved entry in a slot that keeps to the daily
caps, the minimum gap, the weekly cap per campaign, the out-of-hours cover
rota and any pre-election period, and lists what could not be placed and
why. It then publishes the grid as a printable HTML page, a CSV and an
iCalendar file under `grid.output_dir` (stable names `latest.html`,
`latest.csv`, `latest.ics`) and records the publication. `publish_posts`
posts from the newest grid.

**Owner:** web team. **When it fails:** the previous grid stays published
and `publish_posts` keeps using it. A planner problem names the entry; fix
it with `council-social planner import`, then clear the task. A rerun for
the same interval writes the same files.
"""

from __future__ import annotations

from airflow.sdk import DAG, CronDataIntervalTimetable, task

from council_social.airflow import START_DATE, Tag, config, default_args, tags

with DAG(
    dag_id="communications_grid",
    schedule=CronDataIntervalTimetable("0 6 * * *", timezone="UTC"),
    start_date=START_DATE,
    catchup=False,
    max_active_runs=1,
    default_args=default_args(),
    tags=tags(Tag.GRID),
    doc_md=__doc__,
):

    @task
    def place_entries(data_interval_end=None) -> dict:
        from council_social.airflow import engine
        from council_social.grid.build import plan_grid

        return plan_grid(engine(), config(), data_interval_end)

    @task
    def publish_grid_files(plan: dict, data_interval_end=None) -> dict:
        from council_social.airflow import engine
        from council_social.grid.build import publish_grid

        return publish_grid(engine(), config(), data_interval_end)

    publish_grid_files(place_entries())
