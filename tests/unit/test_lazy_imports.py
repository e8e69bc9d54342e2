"""A task or a light command imports what it uses (issue 29).

Each process starts fresh, so importing Great Expectations, scikit-learn or pandas
where they are not needed costs every run seconds. Each check runs in a new
interpreter and looks at sys.modules after doing what the task or command does:
loading the DAG file as the task runner does, then the modules its task callables
import; or running the command itself.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
HEAVY = ("great_expectations", "sklearn", "pandas", "scipy")

# Loads the DAG files named on the command line, then every module their task callables
# import (read from the callables' source, as the callables run only in a task).
DAG_PROBE = """
import ast, importlib, inspect, json, sys, textwrap
from airflow.dag_processing.dagbag import DagBag

tasks = []
for path in sys.argv[1:]:
    bag = DagBag(dag_folder=path)
    assert not bag.import_errors, bag.import_errors
    for dag in bag.dags.values():
        for task in dag.tasks:
            tasks.append(f"{dag.dag_id}.{task.task_id}")
            tree = ast.parse(textwrap.dedent(inspect.getsource(task.python_callable)))
            for node in ast.walk(tree):
                if isinstance(node, ast.Import):
                    for alias in node.names:
                        importlib.import_module(alias.name)
                elif isinstance(node, ast.ImportFrom):
                    module = importlib.import_module(node.module)
                    for alias in node.names:  # a submodule imported by name
                        if not hasattr(module, alias.name):
                            importlib.import_module(f"{node.module}.{alias.name}")
print(json.dumps({"tasks": tasks, "modules": sorted(sys.modules)}))
"""

# Runs the CLI in-process with the arguments given, then reports sys.modules.
CLI_PROBE = """
import json, sys
from council_social.cli import main

code = main(sys.argv[1:])
print(json.dumps({"code": code, "modules": sorted(sys.modules)}))
"""


def _probe(script: str, *args: str) -> dict:
    env = {**os.environ, "PYTHONPATH": str(ROOT / "include")}
    done = subprocess.run([sys.executable, "-c", script, *args], capture_output=True, text=True,
                          cwd=ROOT, env=env, timeout=600)
    assert done.returncode == 0, done.stderr[-2000:]
    return json.loads(done.stdout.strip().splitlines()[-1])


def _heavy(modules: list[str], allowed: tuple[str, ...] = ()) -> list[str]:
    tops = {m.split(".")[0] for m in modules}
    return sorted(h for h in HEAVY if h in tops and h not in allowed)


def test_the_ingest_response_and_publish_tasks_import_no_heavy_library():
    dags = ROOT / "dags"
    found = _probe(DAG_PROBE, *(str(dags / f) for f in
                                ("ingest_channels.py", "response_watch.py", "publish_posts.py")))
    # The probe did look at the tasks it is about.
    assert {"ingest_twitter.fetch_account", "response_watch.send_digests",
            "publish_posts.post_due_entries"} <= set(found["tasks"])
    assert _heavy(found["modules"]) == []


def test_process_items_loads_its_heavy_libraries_only_inside_the_run():
    # The DAG file and its task's modules: validation loads GX inside the run, and triage
    # scores without scikit-learn.
    found = _probe(DAG_PROBE, str(ROOT / "dags" / "process_items.py"))
    assert "process_items.process_raw_pages" in found["tasks"]
    assert _heavy(found["modules"]) == []


@pytest.mark.parametrize("argv", [
    ["deadline", "--kind", "customer_service", "--received", "2026-12-07T10:00:00+00:00"],
    ["cases", "list", "--format", "json"],
    ["foi", "register", "--format", "json"],
])
def test_a_light_command_imports_no_heavy_library_nor_airflow(argv, database_url, engine):
    if argv[0] != "deadline":
        argv = [*argv, "--url", database_url]
    found = _probe(CLI_PROBE, *argv)
    assert found["code"] == 0
    assert "council_social.cases.cli" in found["modules"]
    assert _heavy(found["modules"]) == []
    assert "airflow" not in {m.split(".")[0] for m in found["modules"]}


def test_triage_of_a_file_loads_the_model_without_scikit_learn(tmp_path):
    lines = tmp_path / "one.jsonl"
    lines.write_text(json.dumps({"text": "still waiting for my bin, third week"}) + "\n")
    found = _probe(CLI_PROBE, "triage", str(lines))
    assert found["code"] == 0
    assert _heavy(found["modules"]) == []
