"""Hostile files through the real command, each in its own process capped at 500 MiB of
address space and 10 s of CPU: it must end with exit 2 and one line on stderr.

The wall-clock timeout only catches a hang (a FIFO read blocks without using CPU); the
CPU limit is what holds each case to 10 seconds of work on a busy machine."""

from __future__ import annotations

import os
import resource
import subprocess
import sys
from pathlib import Path

import pytest

from tests.unit.test_hostile_input_rules import BILLION_LAUGHS

MEMORY_LIMIT = 500 * 1024 * 1024
CPU_SECONDS = 10
HANG_SECONDS = 120
# The installed command, as officers run it (`python -m council_social.cli` would make
# a second copy of the module, whose CliError the subcommands do not raise).
COMMAND = str(Path(sys.executable).with_name("council-social"))
REQUEST = {"service": "libraries", "platform": "instagram", "handle": "BrentLibrariesNew",
           "requested_by": "Lily Placeholder", "audience": "Families", "objectives": "Reading clubs",
           "why_own_account": "Weekly events", "content_commitment": "Three posts a week"}


def _limits() -> None:
    resource.setrlimit(resource.RLIMIT_AS, (MEMORY_LIMIT, MEMORY_LIMIT))
    resource.setrlimit(resource.RLIMIT_CPU, (CPU_SECONDS, CPU_SECONDS))


def council_social(*argv: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "COUNCIL_SOCIAL_DATABASE_URL": "postgresql+psycopg2://postgres@127.0.0.1:1/none"}
    return subprocess.run([COMMAND, *argv], capture_output=True,
                          text=True, timeout=HANG_SECONDS, preexec_fn=_limits, env=env)


def refused(done: subprocess.CompletedProcess, says: str) -> None:
    lines = done.stderr.splitlines()
    assert done.returncode == 2, (done.returncode, done.stderr[-2000:])
    assert len(lines) == 1 and "Traceback" not in done.stderr, done.stderr[-2000:]
    assert says in lines[0], lines[0]


def _request_yaml(path: Path, **changes: str) -> Path:
    import yaml

    path.write_text(yaml.safe_dump({**REQUEST, **changes}), encoding="utf-8")
    return path


@pytest.fixture(params=["symlink to /dev/zero", "FIFO"])
def not_a_file(request, tmp_path) -> tuple[Path, str]:
    path = tmp_path / "input.yaml"
    if request.param == "FIFO":
        os.mkfifo(path)
        return path, "a FIFO, not a regular file"
    path.symlink_to("/dev/zero")
    return path, "a character device, not a regular file"


@pytest.mark.parametrize("argv", [
    ["accounts", "request", "{}"], ["planner", "import", "{}"], ["triage", "{}"],
    ["parse", "--platform", "twitter", "{}"], ["--config", "{}", "cases", "list"],
    ["triage", "train", "--complaints", "{}", "--no-corrections"],
], ids=lambda a: " ".join(a[:2]))
def test_a_file_that_is_not_a_file_is_refused_unread(not_a_file, argv):
    path, says = not_a_file
    refused(council_social(*[str(path) if a == "{}" else a for a in argv]), says)


def test_billion_laughs_in_an_account_request_is_refused(tmp_path):
    laughs = tmp_path / "request.yaml"
    laughs.write_text(BILLION_LAUGHS)
    refused(council_social("accounts", "request", str(laughs)), "are not accepted here")


def test_billion_laughs_in_a_planner_is_refused(tmp_path):
    laughs = tmp_path / "planner.yaml"
    laughs.write_text(BILLION_LAUGHS)
    refused(council_social("planner", "import", str(laughs)), "aliases that expand are refused")


def test_a_20_mb_answer_in_an_account_request_is_refused(tmp_path):
    big = _request_yaml(tmp_path / "request.yaml", audience="x" * (20 * 1024 * 1024))
    refused(council_social("accounts", "request", str(big)), "larger than 256 KiB")
    long = _request_yaml(tmp_path / "long.yaml", audience="y" * 5000)
    refused(council_social("accounts", "request", str(long)), "audience is 5000 characters long")


@pytest.mark.parametrize(("changes", "says"), [
    ({"handle": "['a', 'b']"}, "is not a instagram handle"),
    ({"handle": "a\nb"}, "is not a instagram handle"),
    ({"handle": "\x1b[31mred\x1b[0m"}, "[U+001B][31mred"),
    ({"service": "not-a-team"}, "is not a team in council.yaml"),
    ({"audience": "\u200b"}, "unanswered: audience"),
    ({"requested_by": "  "}, "missing: requested_by"),
])
def test_an_account_request_that_says_nothing_or_names_nothing_is_refused(tmp_path, changes, says):
    done = council_social("accounts", "request", str(_request_yaml(tmp_path / "r.yaml", **changes)))
    refused(done, says)
    assert "\x1b" not in done.stderr
