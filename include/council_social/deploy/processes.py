"""Background processes with a pid file and a log each, stopped by process group.

Every process is started in its own session, so stopping its group also stops
the children it forked (LocalExecutor workers, Celery pool, uvicorn workers).
Each also carries a marker variable naming the deployment folder: `survivors`
finds any process of this deployment that escaped its group.
"""

from __future__ import annotations

import os
import signal
import subprocess
import time
from pathlib import Path

MARKER_ENV = "COUNCIL_SOCIAL_UP_DIR"


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    # A zombie has exited: only its parent's wait is missing.
    try:
        return Path(f"/proc/{pid}/stat").read_text().split(") ", 1)[1][0] != "Z"
    except (OSError, IndexError):
        return True


def running_pid(up_dir: Path, name: str) -> int | None:
    """The pid recorded for `name` if that process is still alive."""
    try:
        pid = int((up_dir / f"{name}.pid").read_text().strip())
    except (OSError, ValueError):
        return None
    return pid if _alive(pid) else None


def start(up_dir: Path, name: str, argv: list[str], env: dict[str, str]) -> int:
    """Start `argv` in the background (own session), logging to `<up_dir>/<name>.log`."""
    log = open(up_dir / f"{name}.log", "ab")  # noqa: SIM115 - handed to the child
    with log:
        proc = subprocess.Popen(
            argv, env={**env, MARKER_ENV: str(up_dir)}, stdout=log, stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL, start_new_session=True, cwd=up_dir,
        )
    (up_dir / f"{name}.pid").write_text(f"{proc.pid}\n")
    return proc.pid


def survivors(up_dir: Path) -> list[int]:
    """Pids of live processes started for this deployment folder (by their marker)."""
    wanted = f"{MARKER_ENV}={up_dir}".encode()
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            environ = (entry / "environ").read_bytes().split(b"\0")
        except OSError:
            continue
        if wanted in environ and _alive(int(entry.name)):
            found.append(int(entry.name))
    return found


def _signal_group(pid: int, sig: int) -> None:
    try:
        os.killpg(pid, sig)
    except (ProcessLookupError, PermissionError):
        _signal(pid, sig)


def stop(up_dir: Path, names: list[str], timeout: float = 30.0) -> list[str]:
    """SIGTERM each recorded process group, SIGKILL what is left after `timeout`;
    then the same for any marked survivor. Returns the names that were running."""
    stopped = []
    pids = []
    for name in names:
        pid = running_pid(up_dir, name)
        if pid is not None:
            _signal_group(pid, signal.SIGTERM)
            stopped.append(name)
            pids.append(pid)
        (up_dir / f"{name}.pid").unlink(missing_ok=True)
    _wait(lambda: not any(_alive(p) for p in pids), timeout / 2)
    # A process that left its group (a daemonised child) still carries the marker.
    for pid in survivors(up_dir):
        _signal(pid, signal.SIGTERM)
    _wait(lambda: not survivors(up_dir), timeout / 2)
    for pid in pids:
        if _alive(pid):
            _signal_group(pid, signal.SIGKILL)
    for pid in survivors(up_dir):
        _signal(pid, signal.SIGKILL)
    _wait(lambda: not survivors(up_dir), 10)
    return stopped


def _wait(done, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while not done() and time.monotonic() < deadline:
        time.sleep(0.3)


def _signal(pid: int, sig: int) -> None:
    try:
        os.kill(pid, sig)
    except (ProcessLookupError, PermissionError):
        pass
