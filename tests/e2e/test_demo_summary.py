"""The demo tells the truth: run it once (its shortest sensible window) and check its summary.

Every file path it prints exists (a glob matches at least one file); the weekly
report is the demo's own week with its figures; the summary shows approvals,
accounts, moderation and the home page. Slow: it runs every DAG through
Airflow, as `make demo` does, against a throwaway database.
"""

from __future__ import annotations

import glob
import os
import re
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
import yaml

REPO = Path(__file__).resolve().parents[2]
pytestmark = [pytest.mark.postgres, pytest.mark.airflow, pytest.mark.slow]
# Absolute paths, and the repository-relative command the summary names.
PATH = re.compile(r"(?<![\w:/.])(/[^\s,;()'\"]+|\.venv/[^\s,;()'\"]+)")


def printed_paths(summary: str) -> list[str]:
    found = []
    for token in PATH.findall(summary):
        token = token.rstrip(".:")
        first = token.lstrip("/").split("/", 1)[0]
        # a URL path such as /council-social or /api/home is not a file
        if token.startswith("/") and not Path("/", first).is_dir():
            continue
        found.append(token)
    return found


@pytest.fixture(scope="module")
def demo(database_url, engine, tmp_path_factory):
    from sqlalchemy import text

    from tests.conftest import social_tables

    # An empty store, as on a first `make demo`: other tests' archive rows name files
    # under their own roots, which this demo's verify would rightly call missing.
    with engine.begin() as conn:
        conn.execute(text("TRUNCATE " + ", ".join(f"social.{t}" for t in social_tables())
                          + " CASCADE"))
    root = tmp_path_factory.mktemp("demo")
    data = yaml.safe_load((REPO / "include/config/council.yaml").read_text())
    data["storage"] = {**data.get("storage", {}), "data_dir": str(root / "data"), "output_dir": str(root / "out"),
                       "database_url": None}
    data.setdefault("archive", {})["root"] = str(root / "archive")
    config = root / "council.yaml"
    config.write_text(yaml.safe_dump(data, sort_keys=False))
    env = {**os.environ, "COUNCIL_SOCIAL_CONFIG": str(config), "COUNCIL_SOCIAL_DATABASE_URL": database_url}
    done = subprocess.run([sys.executable, "-m", "council_social.cli", "demo", "--hours", "1"], cwd=REPO,
                          env=env, capture_output=True, text=True, timeout=1800)
    artifacts = REPO / "test-artifacts"
    artifacts.mkdir(exist_ok=True)
    (artifacts / "demo-output.txt").write_text(done.stdout + done.stderr)  # for a person to read
    assert done.returncode == 0, done.stdout[-4000:] + done.stderr[-4000:]
    return done.stdout


def test_every_path_the_demo_prints_exists(demo):
    summary = demo.split("=== Council Social Ops demo: summary ===", 1)[1]
    paths = printed_paths(summary)
    assert any(p.endswith("index.html") for p in paths) and any(p.endswith("airflow.log") for p in paths)
    for p in paths:
        where = p if p.startswith("/") else str(REPO / p)
        if "*" in where:
            assert glob.glob(where), f"the summary names {p}, which matches no file"
        else:
            assert Path(where).exists(), f"the summary names {p}, which does not exist"


def test_the_weekly_report_is_the_demos_own_week_with_its_figures(demo):
    start, end = (datetime.fromisoformat(t).replace(tzinfo=UTC) for t in
                  re.search(r"window +(\S+ \S+) \.\. (\S+ \S+) UTC", demo).groups())
    middle = (start + (end - start) / 2).astimezone(ZoneInfo("Europe/London")).date()
    monday = middle - timedelta(days=middle.weekday())
    page = re.search(r"weekly page +(\S+)", demo).group(1)
    assert page.endswith(f"weekly-{monday.isoformat()}/index.html")
    mentions = int(re.search(r"weekly report +week of .*?: (\d+) mentions", demo).group(1))
    assert mentions > 0
    # The page's per-account mentions add up to the summary's figure for the week.
    cells = re.findall(r"<td>\d+</td><td>\d+</td><td>(\d+)</td>\s*<td>\d+ / \d+ / \d+</td>",
                       Path(page).read_text())
    assert cells and sum(map(int, cells)) == mentions


def test_the_summary_shows_governance_and_the_home_page(demo):
    for line in (r"approvals +\d+ submitted by services, \d+ approved by \w+",
                 r"accounts +\d+ in the registry", r"requests +sample instagram @BrentLibrariesSample",
                 r"moderation +hid (facebook|instagram):\S+ under 'abuse'.*: done",
                 r"delete refused", r"home \(what needs doing now", r"channels +\d+ of \d+ stale",
                 r"quarantine +\d+ in the last day", r"archive +last verify ok at"):
        assert re.search(line, demo), line
