"""
### influence_daily

Daily: recomputes every author's influence (1..100, Klout-like: audience,
engagement and reach, verification, listing, account age and the site's own
audience for forums and blogs; weights in council.yaml
`triage.influence_weights`) over the `triage.influence_window_days` (90) ending
at the end of the data interval's day (UTC), for each author with an item in
that window. It replaces that day's rows of `social.author_influence`, each with
its explanation (points per component, the inputs, the weights); triage then
uses an author's newest row from before an item's day instead of working the
score out from the batch alone.

**Owner:** web team. **When it fails:** triage keeps using the previous day's
scores (or computes them on the fly for authors without one); nothing is lost.
Fix the cause (usually the database connection) and clear the task: a rerun
replaces the day's rows with the same rows.
"""

from __future__ import annotations

from airflow.sdk import DAG, CronDataIntervalTimetable, get_current_context, task

from council_social.airflow import START_DATE, Tag, config, default_args, tags

with DAG(
    dag_id="influence_daily",
    schedule=CronDataIntervalTimetable("30 0 * * *", timezone="UTC"),
    start_date=START_DATE,
    catchup=False,
    max_active_runs=1,
    default_args=default_args(),
    tags=tags(Tag.TRIAGE),
    doc_md=__doc__,
):

    @task
    def recompute_influence() -> dict:
        from council_social.airflow import engine
        from council_social.triage.influence_daily import recompute_day

        # Logical date = interval start: the day whose window ends at its midnight.
        day = get_current_context()["data_interval_start"].date()
        return recompute_day(engine(), config(), day)

    recompute_influence()
