"""What one council's schedule costs: CPU-seconds per council-hour under `make up`.

    .venv/bin/python bench/cost.py [--minutes 30] [--warmup 0] [--executor local]

Moves itself into a cgroup of its own (v1 `cpuacct` + `memory`, or v2 `cpu.stat` +
`memory.peak`, whichever the machine has; needs root), starts a private embedded
PostgreSQL (Airflow's metadata and the council's data, so their CPU counts) and
the deployment exactly as `make up` does (`council_social.deploy.up start`, every
DAG unpaused, the simulator at the volume in council.yaml) in a throwaway UP_DIR,
lets the schedule run for N minutes (after --warmup minutes not counted: the first
ingest runs fetch the initial look-back), counts the task instances and new items of
the window from the databases (and the pages and records process_items read, from
its runs' accounting rows), stops everything and ends with one line:

    cost: C CPU-s per council-hour (components I, task start-up S, work W); peak memory M MiB;
    councils per 2-core machine at 50% CPU: K

C is the cgroup's CPU over the window less this script's own, scaled to an hour.
I is the CPU of the long-lived components (api-server, scheduler, dag-processor
with the parses it forks, triggerer, simulator, PostgreSQL's postmaster and the
backends alive at both ends of the window); the rest is task processes. S is
the task instances times the CPU of a fresh process that loads a DAG file and its
task's imports (measured here, outside the cgroup); W = C - I - S. M is the
cgroup's peak memory over the whole run, start-up included. K = 3600 / C.
Prints figures; never pass/fail. On a shared machine other work slows the run
but is not counted: only this cgroup's processes are.
"""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
import uuid
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "include"))
TICK = os.sysconf("SC_CLK_TCK")


class Cgroup:
    """A fresh cgroup holding this process and everything it starts afterwards."""

    def __init__(self, name: str):
        base = Path("/sys/fs/cgroup")
        self.v2 = (base / "cgroup.controllers").exists()
        if self.v2:
            parent = base / Path(Path("/proc/self/cgroup").read_text().split("::", 1)[1].strip()).relative_to("/")
            self.cpu_dir = self.mem_dir = parent / name
            self.cpu_dir.mkdir()
        else:
            self.cpu_dir = base / "cpuacct" / self._own("cpuacct") / name
            self.mem_dir = base / "memory" / self._own("memory") / name
            self.cpu_dir.mkdir()
            self.mem_dir.mkdir()
        for d in {self.cpu_dir, self.mem_dir}:
            (d / "cgroup.procs").write_text(f"{os.getpid()}\n")

    @staticmethod
    def _own(controller: str) -> str:
        for line in Path("/proc/self/cgroup").read_text().splitlines():
            _, names, path = line.split(":", 2)
            if controller in names.split(","):
                return path.lstrip("/")
        raise RuntimeError(f"no cgroup v1 {controller} hierarchy")

    def cpu_seconds(self) -> float:
        if self.v2:
            stat = dict(line.split() for line in (self.cpu_dir / "cpu.stat").read_text().splitlines())
            return int(stat["usage_usec"]) / 1e6
        return int((self.cpu_dir / "cpuacct.usage").read_text()) / 1e9

    def peak_bytes(self) -> int:
        name = "memory.peak" if self.v2 else "memory.max_usage_in_bytes"
        return int((self.mem_dir / name).read_text())

    def pids(self) -> list[int]:
        return [int(p) for p in (self.cpu_dir / "cgroup.procs").read_text().split()]

    def remove(self) -> None:
        for d in {self.cpu_dir, self.mem_dir}:
            (d.parent / "cgroup.procs").write_text(f"{os.getpid()}\n")
            for _ in range(50):
                try:
                    d.rmdir()
                    break
                except OSError:  # processes still leaving
                    time.sleep(0.2)


def _proc_times(pid: int) -> tuple[str, float, float] | None:
    """(comm, own CPU-s, reaped children's CPU-s) of a process."""
    try:
        raw = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    comm = raw[raw.index("(") + 1:raw.rindex(")")]
    f = raw[raw.rindex(")") + 2:].split()
    return comm, (int(f[11]) + int(f[12])) / TICK, (int(f[13]) + int(f[14])) / TICK


def component_snapshot(cgroup: Cgroup, up_dir: Path) -> dict[int, float]:
    """CPU-s so far of each long-lived component process (and PostgreSQL's)."""
    named = {}
    for pid_file in up_dir.glob("*.pid"):
        try:
            named[int(pid_file.read_text())] = pid_file.stem
        except ValueError:
            continue
    out = {}
    for pid in cgroup.pids():
        times = _proc_times(pid)
        if times is None:
            continue
        comm, own, children = times
        if named.get(pid) == "dag-processor":  # its parse processes are its cost
            out[pid] = own + children
        elif pid in named or comm.startswith("postgres"):
            out[pid] = own
    return out


def startup_cpu(env: dict) -> float:
    """CPU-s of a fresh process that loads publish_posts.py and its task's imports."""
    probe = ROOT / "bench" / "startup.py"
    sys.path.insert(0, str(probe.parent))
    from startup import TASK_PROBE  # noqa: PLC0415 - the same probe bench/startup.py times

    runs = []
    for _ in range(3):
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        subprocess.run([sys.executable, "-c", TASK_PROBE, str(ROOT / "dags" / "publish_posts.py"),
                        "publish_posts.post_due_entries"], env=env, capture_output=True, check=True)
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        runs.append(after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime)
    return min(runs)


def count_window(airflow_url: str, council_url: str, since: datetime) -> tuple[int, int]:
    from sqlalchemy import create_engine, text

    counts = []
    for url, sql in ((airflow_url, "SELECT count(*) FROM task_instance WHERE start_date >= :t"),
                     (council_url, "SELECT count(*) FROM social.items WHERE first_seen_at >= :t")):
        engine = create_engine(url)
        try:
            with engine.connect() as conn:
                counts.append(int(conn.execute(text(sql), {"t": since}).scalar_one()))
        finally:
            engine.dispose()
    return counts[0], counts[1]


def process_reads(airflow_url: str, since: datetime) -> dict:
    """What the window's process_items runs read: from each run's returned accounting row."""
    import json

    from sqlalchemy import create_engine, text

    engine = create_engine(airflow_url)
    try:
        with engine.connect() as conn:
            states = dict(conn.execute(text(
                "SELECT state, count(*) FROM task_instance WHERE dag_id = 'process_items'"
                " AND start_date >= :t GROUP BY state"), {"t": since}).all())
            values = conn.execute(text(
                "SELECT value FROM xcom WHERE dag_id = 'process_items' AND key = 'return_value'"
                " AND timestamp >= :t"), {"t": since}).scalars().all()
    finally:
        engine.dispose()
    out = {"runs": sum(states.values()), "skipped": states.get("skipped", 0)}
    rows = [v if isinstance(v, dict) else json.loads(v) for v in values]
    for key in ("raw_pages", "records", "stored", "duplicates"):
        out[key] = sum(int(r.get(key, 0)) for r in rows)
    return out


def up(action: str, env: dict) -> None:
    done = subprocess.run([sys.executable, "-m", "council_social.deploy.up", action], env=env,
                          cwd=ROOT, capture_output=True, text=True)
    if done.returncode != 0:
        raise RuntimeError(f"up {action} failed: {(done.stdout + done.stderr).strip()[-800:]}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--minutes", type=float, default=30)
    parser.add_argument("--warmup", type=float, default=0,
                        help="minutes of schedule before the window (past the initial look-back)")
    parser.add_argument("--executor", choices=("local", "celery"), default="local")
    parser.add_argument("--keep", action="store_true", help="keep the scratch folder")
    args = parser.parse_args()
    if args.minutes <= 0:
        print("cost.py: --minutes must be positive", file=sys.stderr)
        return 2

    from council_social.deploy.up import _free_port
    from council_social.store.engine import EmbeddedDatabase

    scratch = Path(tempfile.mkdtemp(prefix="council-social-cost-"))
    cgroup = Cgroup(f"council-social-cost-{uuid.uuid4().hex[:8]}")
    embedded = EmbeddedDatabase(scratch)
    server_url = embedded.start()
    from council_social.deploy.up import _ensure_database

    airflow_url = _ensure_database(server_url, "airflow")
    council_url = _ensure_database(server_url, "council")
    env = {**os.environ, "PYTHONPATH": str(ROOT / "include"), "EXECUTOR": args.executor,
           "UP_DIR": str(scratch / "up"), "UP_PORT": str(_free_port()),
           "AIRFLOW_DATABASE_URL": airflow_url, "COUNCIL_SOCIAL_DATABASE_URL": council_url}
    try:
        t0 = time.monotonic()
        cpu0 = cgroup.cpu_seconds()
        up("start", env)
        print(f"deployment up in {time.monotonic() - t0:.0f} s, {cgroup.cpu_seconds() - cpu0:.0f} "
              f"CPU-s; running the schedule for {args.minutes:g} min "
              f"(load average {os.getloadavg()[0]:.1f})", flush=True)
        if args.warmup > 0:
            time.sleep(args.warmup * 60)
        since = datetime.now(UTC)
        own0 = resource.getrusage(resource.RUSAGE_SELF)
        comp0 = component_snapshot(cgroup, scratch / "up")
        cpu_start = cgroup.cpu_seconds()
        time.sleep(args.minutes * 60)
        cpu_end = cgroup.cpu_seconds()
        comp1 = component_snapshot(cgroup, scratch / "up")
        own1 = resource.getrusage(resource.RUSAGE_SELF)
        tasks, items = count_window(airflow_url, council_url, since)
        reads = process_reads(airflow_url, since)
    finally:
        try:
            up("stop", env)
        finally:
            embedded.stop()
            peak = cgroup.peak_bytes()
            cgroup.remove()
            if not args.keep:
                shutil.rmtree(scratch, ignore_errors=True)
    own = (own1.ru_utime - own0.ru_utime) + (own1.ru_stime - own0.ru_stime)
    scale = 60 / args.minutes
    total = (cpu_end - cpu_start - own) * scale
    components = sum(comp1[p] - comp0[p] for p in comp1.keys() & comp0.keys()) * scale
    per_task = startup_cpu({**os.environ, "PYTHONPATH": str(ROOT / "include")})
    start_up = min(tasks * per_task * scale, max(total - components, 0.0))
    work = max(total - components - start_up, 0.0)
    print(f"window {args.minutes:g} min: {tasks} task instances, {items} new items; "
          f"a task's start-up {per_task:.2f} CPU-s; load average {os.getloadavg()[0]:.1f}")
    per_item = (f"{reads['raw_pages'] / items:.1f} pages and {reads['records'] / items:.0f} records"
                f" per new item" if items else "no new item")
    print(f"process_items: {reads['runs']} runs ({reads['skipped']} skipped, nothing left to "
          f"read) read {reads['raw_pages']} pages and {reads['records']} records "
          f"({reads['duplicates']} duplicates) for {items} new items: {per_item}")
    councils = int(3600 / total) if total > 0 else 0
    print(f"cost: {total:.0f} CPU-s per council-hour (components {components:.0f}, task start-up "
          f"{start_up:.0f}, work {work:.0f}); peak memory {peak / 2**20:.0f} MiB; "
          f"councils per 2-core machine at 50% CPU: {councils}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
