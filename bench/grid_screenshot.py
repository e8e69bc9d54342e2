"""Render the sample grid (with a hostile entry) and screenshot it with headless Chromium.

    .venv/bin/python bench/grid_screenshot.py [--out DIR]

Prints where the HTML and PNG are and how long rendering took. Needs Debian's
`chromium` (apt-get install chromium); without it, it says so and writes the
HTML only. It prints figures; it does not pass or fail.
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import tempfile
import time
from datetime import date
from pathlib import Path

from council_social.config import load_config
from council_social.grid.build import build_offline
from council_social.grid.planner import PlannerEntry, read_planner

HOSTILE = PlannerEntry(
    key="hostile-sample", title='<script>alert("x")</script> \u202eexe.txt',
    message='=HYPERLINK("http://evil.example","click") "quoted" \'single\' & <b>bold</b>',
    channels=("brent-council",), earliest=date(2026, 12, 2), latest=date(2026, 12, 2),
    owner="@attacker", priority="normal", status="approved", campaign="hostile",
    essential=False)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--out", default=None)
    parser.add_argument("--start", default="2026-11-30")
    args = parser.parse_args()
    config = load_config()
    out = Path(args.out or tempfile.mkdtemp(prefix="grid-shot-"))
    entries = read_planner(config.project_root / "include/config/sample_planner.csv", config)
    began = time.perf_counter()
    files, slots = build_offline([*entries, HOSTILE], config, date.fromisoformat(args.start), out)
    took = time.perf_counter() - began
    print(f"rendered {len(slots)} slots to HTML, CSV and ICS in {took * 1000:.0f} ms")
    print(f"html {files['html']['path']}")
    browser = shutil.which("chromium") or shutil.which("chromium-browser")
    if browser is None:
        print("chromium not installed (apt-get install chromium): no screenshot")
        return 0
    png = out / "grid.png"
    began = time.perf_counter()
    done = subprocess.run([browser, "--headless", "--no-sandbox", "--disable-gpu",
                           "--hide-scrollbars", f"--screenshot={png}", "--window-size=1600,2200",
                           Path(files["html"]["path"]).as_uri()],
                          capture_output=True, text=True, timeout=120)
    if done.returncode != 0 or not png.exists():
        print(f"chromium failed ({done.returncode}): {done.stderr.strip()[-300:]}")
        return 0
    print(f"png  {png} ({png.stat().st_size} bytes, {time.perf_counter() - began:.1f} s)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
