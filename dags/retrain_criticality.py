"""
### retrain_criticality

Weekly: reads officers' corrections of triage decisions (`council-social
triage correct ...`), holds back about a third of them (a fixed hash split),
fits a candidate criticality model on the rest, and reports F1 of `critical`
on the held-back corrections before and after. The candidate is promoted (a
JSON model under `<data_dir>/models/`, which triage then prefers) only if it
does better there and no worse on the public TweetEval sets; its model card
(`council-social triage model`) names the corrections used and the figures. Every run appends its report to `<data_dir>/models/retrain_log.jsonl`.

**Owner:** web team. **When it fails:** the current model stays in use;
nothing is promoted by a failed run. Rerun after fixing the cause (usually the
database connection or too few corrections, which is reported, not a failure).
"""

from __future__ import annotations

from airflow.sdk import DAG, CronDataIntervalTimetable, get_current_context, task

from council_social.airflow import START_DATE, Tag, config, default_args, tags

with DAG(
    dag_id="retrain_criticality",
    schedule=CronDataIntervalTimetable("0 3 * * 1", timezone="UTC"),
    start_date=START_DATE,
    catchup=False,
    max_active_runs=1,
    default_args=default_args(),
    tags=tags(Tag.TRIAGE),
    doc_md=__doc__,
):

    @task
    def retrain() -> dict:
        from council_social.airflow import engine
        from council_social.triage.retrain import retrain_criticality

        return retrain_criticality(engine(), config(), get_current_context()["data_interval_end"])

    retrain()
