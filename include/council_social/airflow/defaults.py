"""The house defaults every DAG starts from."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from council_social.airflow.failure import on_failure
from council_social.airflow.run_windows import PRE_EXECUTE, ManualRun

START_DATE = datetime(2026, 1, 1, tzinfo=UTC)


def default_args(owner: str = "web-team", *,
                 manual_run: ManualRun = ManualRun.LAST_PERIOD) -> dict:
    """Retries, a timeout, the failure notice, and what a run with no logical date owns."""
    args = {
        "owner": owner,
        "retries": 2,
        "retry_delay": timedelta(minutes=1),
        "retry_exponential_backoff": True,
        "max_retry_delay": timedelta(minutes=10),
        "execution_timeout": timedelta(minutes=20),
        "on_failure_callback": on_failure,
    }
    hook = PRE_EXECUTE[ManualRun(manual_run)]
    if hook is not None:
        args["pre_execute"] = hook
    return args
