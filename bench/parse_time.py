"""Parse time of each DAG file, and how often each parse reads council.yaml.

    .venv/bin/python bench/parse_time.py [--repeat 3] [--dags NAME]

The dag-processor parses each file in a process of its own, with Airflow already
imported; so does this, one fresh process per file and run: it imports Airflow's
DagBag first (not counted), then parses the file and prints DagBag's own duration for
it (the file's import, our package's included), the DAGs and tasks it made, and the
times council.yaml was opened (an audit hook on `open`, so nothing of ours is imported
early). Last, every file in one process, as `tests/dags/test_dagbag.py` does: council.yaml
must be read once at most. The best of --repeat runs is the code's own figure (other work
only slows a run down); the load average is printed with it. Prints figures; never
pass/fail.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

# argv[1:]: DAG files. Prints {"files": [{file, seconds, dags, tasks}], "config_reads": n}.
PROBE = """
import json, os, sys, time
from airflow.dag_processing.dagbag import DagBag
import airflow.sdk

from council_social.config.paths import default_config_path

target = os.path.realpath(os.environ.get("COUNCIL_SOCIAL_CONFIG") or default_config_path())
reads = 0

def count_opens(event, args):
    global reads
    if event == "open" and isinstance(args[0], (str, bytes, os.PathLike)):
        if os.path.realpath(os.fsdecode(args[0])) == target:
            reads += 1

sys.addaudithook(count_opens)
files = []
for path in sys.argv[1:]:
    bag = DagBag(dag_folder=path)
    if bag.import_errors:
        raise SystemExit(f"{path}: {list(bag.import_errors.values())[0].strip().splitlines()[-1]}")
    for stat in bag.dagbag_stats:
        seconds = getattr(stat.duration, "total_seconds", lambda: stat.duration)()
        files.append({"file": os.path.basename(stat.file), "seconds": seconds,
                      "dags": stat.dag_num, "tasks": stat.task_num})
print(json.dumps({"files": files, "config_reads": reads}))
"""


def probe(paths: list[Path]) -> dict:
    done = subprocess.run([sys.executable, "-c", PROBE, *map(str, paths)], capture_output=True,
                          text=True, cwd=ROOT)
    if done.returncode != 0:
        raise SystemExit(f"parse failed: {done.stderr.strip()[-500:]}")
    return json.loads(done.stdout.splitlines()[-1])


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--dags", help="only DAG files whose name contains this")
    args = parser.parse_args()
    # The config module (paths) is imported by the probe before the hook; council.yaml is not.
    files = [p for p in sorted((ROOT / "dags").glob("*.py")) if not args.dags or args.dags in p.name]
    print(f"load average {os.getloadavg()[0]:.2f} on {os.cpu_count()} cores; best of {args.repeat}")
    print(f"{'DAG file':26} {'parse s':>8} {'DAGs':>5} {'tasks':>6} {'council.yaml reads':>19}")
    for path in files:
        runs = [probe([path]) for _ in range(args.repeat)]
        quickest = min(runs, key=lambda r: r["files"][0]["seconds"])
        stat = quickest["files"][0]
        reads = max(r["config_reads"] for r in runs)
        print(f"{path.name:26} {stat['seconds']:8.3f} {stat['dags']:5} {stat['tasks']:6} {reads:19}")
    together = probe(files)
    total = sum(f["seconds"] for f in together["files"])
    print(f"{'all files, one process':26} {total:8.3f} {sum(f['dags'] for f in together['files']):5} "
          f"{sum(f['tasks'] for f in together['files']):6} {together['config_reads']:19}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
