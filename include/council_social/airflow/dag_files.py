"""Loading the DAG files and running one DAG in this process (the demo and the e2e tests).

The one place in the package that reaches past `airflow.sdk`: Airflow has no public
interface that collects the DAGs a file defines. A DAG made in a bare `with DAG(...):`
block is registered with the SDK's private DAG context, not bound to a name, so only
Airflow's own DagBag finds it. DAG files and tasks never import this module.
"""

from __future__ import annotations

from datetime import datetime


def load_dags(dags_folder) -> dict:
    """Parse the DAG folder as the dag-processor would; import errors are fatal here."""
    from airflow.dag_processing.dagbag import DagBag  # no public equivalent: see above

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
