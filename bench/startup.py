"""Start-up time of each `council-social` command and each DAG task, in fresh processes.

    .venv/bin/python bench/startup.py [--url DATABASE_URL] [--repeat 3]

Commands: the whole command (wall and CPU of the child), on a one-line triage file
and an empty or given database. DAG tasks: what a task process does before the
task's own work: load the DAG file (as the task runner does) and import the
modules the task callable imports. The best of --repeat runs is the code's own
figure (other work only slows a run down); the load average is printed with it.
Prints figures; never pass/fail. Goals (issue 29): a one-line triage under 2 s,
every DAG task started in under 3 s, on a quiet 2-core machine.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PY = sys.executable

# Loads one DAG file, then for each task the modules its callable imports; prints
# {"parse": s, "tasks": {task: s}} (a task's time is the parse plus its own imports,
# measured in a process of its own: argv[2] names the task, or "" for the parse only).
# argv[3] "skip": only the imports before the callable's AirflowSkipException (the
# start-up of a run that finds nothing to do); "skips" lists the tasks that have one.
TASK_PROBE = """
import ast, importlib, inspect, json, sys, textwrap, time
t0 = time.perf_counter()
from airflow.dag_processing.dagbag import DagBag
bag = DagBag(dag_folder=sys.argv[1])
parse = time.perf_counter() - t0
names, skips = [], []
for dag in bag.dags.values():
    for task in dag.tasks:
        name = f"{dag.dag_id}.{task.task_id}"
        names.append(name)
        source = getattr(task, "python_callable", None)
        tree = ast.parse(textwrap.dedent(inspect.getsource(source)) if source else "")
        raises = [n.lineno for n in ast.walk(tree) if isinstance(n, ast.Raise)
                  and "AirflowSkipException" in ast.unparse(n)]
        if raises:
            skips.append(name)
        if name != sys.argv[2]:
            continue
        stop = min(raises) if raises and sys.argv[3:] == ["skip"] else float("inf")
        for node in ast.walk(tree):
            if getattr(node, "lineno", 0) > stop:
                continue
            if isinstance(node, ast.Import):
                for alias in node.names:
                    importlib.import_module(alias.name)
            elif isinstance(node, ast.ImportFrom):
                module = importlib.import_module(node.module)
                for alias in node.names:
                    if not hasattr(module, alias.name):
                        importlib.import_module(f"{node.module}.{alias.name}")
heavy = sorted({m.split(".")[0] for m in sys.modules} & {"great_expectations", "sklearn", "pandas"})
print(json.dumps({"parse": parse, "total": time.perf_counter() - t0, "tasks": names,
                  "skips": skips, "heavy": heavy}))
"""


def timed(argv: list[str], env: dict) -> tuple[float, float, subprocess.CompletedProcess]:
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    done = subprocess.run(argv, capture_output=True, text=True, env=env, cwd=ROOT)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return wall, cpu, done


def best(runs: list[tuple[float, float]]) -> tuple[float, float]:
    return min(r[0] for r in runs), min(r[1] for r in runs)


def commands(url: str, repeat: int, env: dict) -> None:
    cli = str(ROOT / ".venv" / "bin" / "council-social")
    one = Path(tempfile.mkdtemp()) / "one.jsonl"
    one.write_text(json.dumps({"text": "still waiting for my bin, third week"}) + "\n")
    cases = [
        ("--help", ["--help"]),
        ("deadline", ["deadline", "--kind", "customer_service", "--received", "2026-12-07T10:00:00Z"]),
        ("cases list", ["cases", "list", "--url", url]),
        ("foi register", ["foi", "register", "--url", url]),
        ("triage FILE (one line)", ["triage", str(one)]),
    ]
    for label, args in cases:
        runs = []
        for _ in range(repeat):
            wall, cpu, done = timed([cli, *args], env)
            if done.returncode != 0:
                print(f"command {label:26} failed: {done.stderr.strip()[-300:]}")
                break
            runs.append((wall, cpu))
        if runs:
            wall, cpu = best(runs)
            print(f"command {label:26} {wall:6.2f} s wall {cpu:6.2f} s CPU (best of {len(runs)})")


def tasks(repeat: int, env: dict, only: str | None) -> None:
    for dag_file in sorted((ROOT / "dags").glob("*.py")):
        if only and only not in dag_file.name:
            continue
        _, _, done = timed([PY, "-c", TASK_PROBE, str(dag_file), ""], env)
        if done.returncode != 0:
            print(f"dag file {dag_file.name} failed: {done.stderr.strip()[-300:]}")
            continue
        found = json.loads(done.stdout.splitlines()[-1])
        probes = [(name, "", name) for name in found["tasks"]]
        probes += [(name, "skip", f"{name} (skipped)") for name in found["skips"]]
        for name, mode, label in probes:
            runs, heavy = [], []
            for _ in range(repeat):
                wall, cpu, done = timed([PY, "-c", TASK_PROBE, str(dag_file), name, mode], env)
                runs.append((wall, cpu))
                heavy = json.loads(done.stdout.splitlines()[-1])["heavy"]
            wall, cpu = best(runs)
            print(f"task {label:46} {wall:6.2f} s wall {cpu:6.2f} s CPU"
                  + (f"  imports {', '.join(heavy)}" if heavy else ""))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--url", help="a migrated council-social database (default: a throwaway one "
                                      "on 127.0.0.1:5432)")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--dags", help="only DAG files whose name contains this")
    parser.add_argument("--no-commands", action="store_true")
    args = parser.parse_args()
    env = {**os.environ, "PYTHONPATH": str(ROOT / "include")}
    print(f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")
    scratch = None
    if not args.no_commands:
        url = args.url
        if url is None:
            scratch = f"council_social_startup_{uuid.uuid4().hex[:8]}"
            subprocess.run(["createdb", "-h", "127.0.0.1", "-U", "postgres", scratch], check=True)
            url = f"postgresql+psycopg2://postgres@127.0.0.1:5432/{scratch}"
            subprocess.run([str(ROOT / ".venv/bin/council-social"), "db", "upgrade", "--url", url],
                           check=True, capture_output=True, env=env)
        try:
            commands(url, args.repeat, env)
        finally:
            if scratch:
                subprocess.run(["dropdb", "-h", "127.0.0.1", "-U", "postgres", "--force", scratch])
    tasks(args.repeat, env, args.dags)
    print(f"load average {os.getloadavg()[0]:.1f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
