"""
### reprocess

Backfill: re-processes the archived raw pages of a date range (validation,
storing, triage under the deployed rules version), a month per task by
default, a day per transaction inside each task. Triggered by hand, never
scheduled; the hourly `process_items` runs stay as they are.

    airflow dags trigger reprocess --conf '{"from": "2025-01-01", "to": "2025-12-31", "rules_version": "2026.12-3"}'

Parameters: `from` and `to` (dates, both included, UTC), `rules_version`
(optional; must be the deployed `triage.rules_version`, else the run fails at
once and says which is deployed), `per` (`month` or `day`: how much one task
re-processes). It never calls a platform, opens no response cases and emits
no asset events. A day's accounting row replaces the hourly rows inside it.

**Owner:** web team. **When it fails:** each day is one transaction: the days
already done stay done. Clear the failed task to redo its span; a rerun leaves
the same rows.
"""

from __future__ import annotations

from airflow.sdk import DAG, Param, get_current_context, task

from council_social.airflow import START_DATE, ManualRun, Tag, config, default_args, tags

with DAG(
    dag_id="reprocess",
    schedule=None,
    start_date=START_DATE,
    catchup=False,
    # Two spans at a time: the machine's cores; more only adds contention.
    max_active_tasks=2,
    # Its window is the date range in --conf.
    default_args=default_args(manual_run=ManualRun.OWN_WINDOW),
    params={
        "from": Param(None, type=["null", "string"], format="date",
                      description="first day to re-process (UTC), e.g. 2025-01-01"),
        "to": Param(None, type=["null", "string"], format="date",
                    description="last day to re-process (UTC, included), e.g. 2025-12-31"),
        "rules_version": Param(None, type=["null", "string"],
                               description="the rules version expected to be deployed"),
        "per": Param("month", enum=["month", "day"], description="span of one task"),
    },
    tags=tags(Tag.PROCESS),
    doc_md=__doc__,
):

    @task
    def plan() -> list[list[str]]:
        from airflow.sdk.exceptions import AirflowFailException

        from council_social.pipeline.backfill import BackfillRequestError, plan_spans

        params = get_current_context()["params"]
        try:
            if not params.get("from") or not params.get("to"):
                raise BackfillRequestError("give both 'from' and 'to' (YYYY-MM-DD) in --conf")
            spans = plan_spans(params["from"], params["to"], params.get("per") or "month",
                               configured_rules=config().triage.rules_version,
                               rules_version=params.get("rules_version"))
        except BackfillRequestError as exc:
            raise AirflowFailException(str(exc)) from None  # a retry would ask the same
        return [[s.isoformat(), e.isoformat()] for s, e in spans]

    @task
    def reprocess_span(span: list[str]) -> dict:
        from datetime import datetime

        from council_social.airflow import engine
        from council_social.pipeline.backfill import reprocess_span as run_span

        start, end = (datetime.fromisoformat(v) for v in span)
        return run_span(engine(), config(), start, end)

    @task
    def summary(parts: list[dict]) -> dict:
        import logging

        from council_social.pipeline.backfill import add_totals, summary_line

        params = get_current_context()["params"]
        totals = add_totals(list(parts))
        logging.getLogger(__name__).info(
            summary_line(params["from"], params["to"], config().triage.rules_version, totals))
        return totals

    summary(reprocess_span.expand(span=plan()))
