"""Another council's file reaches every component: `--config camden.yaml demo` shows no Brent.

Runs the real command in a child process against the test database, with the
Camden file copied to a scratch folder (its relative data and output folders
resolve there). Slow (the demo's hourly cycle through Airflow), like the rest of e2e.
"""

from __future__ import annotations

import gzip
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from council_social.config import default_config_path, load_config

pytestmark = [pytest.mark.airflow, pytest.mark.postgres]

CAMDEN = Path(__file__).resolve().parents[1] / "data" / "camden"


def brent_words() -> list[re.Pattern]:
    """Brent's name, its handles, its places and its postcode district."""
    brent = yaml.safe_load(default_config_path().read_text(encoding="utf-8"))
    words = [a["handle"] for a in brent["accounts"]] + brent["places"] + ["NW10"]
    return [re.compile("brent", re.I)] + [re.compile(rf"\b{re.escape(w)}\b") for w in words]


def output_texts(folder: Path):
    """Every file the demo wrote (archive WARC files unzipped), but not Airflow's own."""
    for path in sorted(folder.rglob("*")):
        if not path.is_file() or {"airflow-home", "pg"} & set(path.parts) or path.suffix in (
                ".log", ".db"):
            continue
        data = path.read_bytes()
        if path.name.endswith(".gz"):
            data = gzip.decompress(data)
        yield path, data.decode("utf-8", "replace")


def test_the_demo_with_another_councils_file_shows_nothing_of_brent(tmp_path, clean_db,
                                                                   database_url):
    folder = tmp_path / "camden"
    shutil.copytree(CAMDEN, folder)
    camden = load_config(folder / "camden.yaml")
    env = {k: v for k, v in os.environ.items() if not k.startswith(("COUNCIL_SOCIAL_", "AIRFLOW"))}
    env["COUNCIL_SOCIAL_DATABASE_URL"] = database_url
    done = subprocess.run(
        [sys.executable, "-m", "council_social.cli", "--config", str(folder / "camden.yaml"),
         "demo", "--hours", "1"],
        env=env, capture_output=True, text=True, timeout=3600)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    summary = done.stdout

    # The DAGs wrote Camden's archive and pages in Camden's folders ...
    warcs = list((folder / ".data" / "archive").rglob("*.warc.gz"))
    assert {p.parts[-4] for p in warcs} >= {"twitter", "facebook", "feed"}
    grid_page = (folder / "out" / "grid" / "latest.html").read_text(encoding="utf-8")
    assert camden.council.name in grid_page
    assert list((folder / "out" / "reports").rglob("index.html"))
    assert "camden-council" in summary and "archive" in summary
    # ... and residents talked about Camden's places.
    archived = "".join(text for path, text in output_texts(folder / ".data" / "archive"))
    assert sum(archived.count(place) for place in camden.places) > 10

    leaks = [f"{path.relative_to(folder)}: {m.group(0)!r} in ...{text[max(0, m.start() - 50):m.end() + 50]!r}"
             for path, text in [(folder / "summary.txt", summary), *output_texts(folder)]
             for pattern in brent_words() for m in [pattern.search(text)] if m]
    assert not leaks, "\n".join(leaks[:20])
