"""Hostile post text comes out inert in HTML, CSV and ICS; files parse back; reruns match."""

from __future__ import annotations

import csv
import io
from datetime import date

import pytest

from council_social.cli import main
from council_social.grid.build import build_offline
from council_social.grid.planner import PlannerEntry

MONDAY = date(2026, 11, 30)
RLO = "\u202e"
HOSTILE = [
    PlannerEntry(key=f"h{i}", title=title, message=message, channels=("brent-council",),
                 earliest=MONDAY, latest=MONDAY, owner=owner, priority="normal",
                 status="approved", campaign=f"h{i}", essential=False)
    for i, (title, message, owner) in enumerate([
        ('<script>alert("x")</script>', '=HYPERLINK("http://evil.example","click me")', "@admin"),
        (f"Invoice {RLO}fdp.exe", "+1 555 0100 call now", "-Web"),
        ("Quotes \"double\" and 'single' & <b>", "@SUM(A1:A9)", "\tTabbed"),
        ("Line\nbreak", "ok\r\nEND:VEVENT\r\nBEGIN:VEVENT\r\nSUMMARY:injected", "Web"),
    ])
]


@pytest.fixture
def built(tmp_path, config):
    files, slots = build_offline(HOSTILE, config, MONDAY, tmp_path)
    assert all(s.state == "placed" for s in slots)
    return files, slots


def test_html_escapes_everything(built):
    files, _ = built
    page = open(files["html"]["path"], encoding="utf-8").read()
    assert "<script>" not in page and "<b>" not in page
    assert "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;" in page
    assert "&#39;single&#39; &amp; &lt;b&gt;" in page
    assert RLO not in page and "[U+202E]fdp.exe" in page
    assert "Content-Security-Policy" in page and "default-src 'none'" in page
    assert "@media print" in page


def test_csv_parses_back_with_formulas_defused(built):
    files, _ = built
    rows = list(csv.DictReader(io.StringIO(open(files["csv"]["path"], encoding="utf-8",
                                                newline="").read())))
    assert len(rows) == len(HOSTILE)
    cells = [v for r in rows for v in r.values()]
    assert not any(c.startswith(("=", "+", "-", "@", "\t", "\r")) for c in cells)
    by_title = {r["title"]: r for r in rows}
    assert by_title['<script>alert("x")</script>']["message"].startswith("'=HYPERLINK(")
    assert by_title['<script>alert("x")</script>']["owner"] == "'@admin"
    assert by_title["Invoice [U+202E]fdp.exe"]["message"] == "'+1 555 0100 call now"
    assert by_title["Invoice [U+202E]fdp.exe"]["owner"] == "'-Web"
    assert by_title["Quotes \"double\" and 'single' & <b>"]["message"] == "'@SUM(A1:A9)"
    assert not any(RLO in c for c in cells)


def test_ics_parses_back_without_injected_events(built):
    from icalendar import Calendar

    files, _ = built
    raw = open(files["ics"]["path"], "rb").read()
    cal = Calendar.from_ical(raw)
    events = list(cal.walk("VEVENT"))
    assert len(events) == len(HOSTILE)
    assert raw.split(b"\r\n").count(b"BEGIN:VEVENT") == len(HOSTILE)  # no line injected
    texts = [str(e["summary"]) + str(e["description"]) for e in events]
    assert any("END:VEVENT" in t and "SUMMARY:injected" in t for t in texts)  # inert text
    assert RLO.encode() not in raw and any("[U+202E]fdp.exe" in t for t in texts)
    assert b"\\," in raw  # icalendar escaped the commas


def test_offline_build_cli_and_identical_rerun(tmp_path, config, capsys):
    planner = config.project_root / "include/config/sample_planner.csv"
    out = tmp_path / "grid"
    args = ["grid", "build", "--planner", str(planner), "--start", "2026-11-30", "--out", str(out)]
    assert main(args) == 0
    printed = capsys.readouterr().out
    assert "grid 2026-11-30 to 2026-12-13" in printed and "grid-2026-11-30.html" in printed
    first = {p.name: p.read_bytes() for p in out.iterdir()}
    assert {"latest.html", "latest.csv", "latest.ics", "grid-2026-11-30.html"} <= set(first)
    assert first["latest.html"] == first["grid-2026-11-30.html"]
    assert main(args) == 0
    assert {p.name: p.read_bytes() for p in out.iterdir()} == first


def test_grid_build_refuses_a_tuesday_and_a_bad_planner(tmp_path, config, capsys):
    planner = config.project_root / "include/config/sample_planner.csv"
    with pytest.raises(SystemExit) as exit_:
        main(["grid", "build", "--planner", str(planner), "--start", "2026-12-01",
              "--out", str(tmp_path)])
    assert exit_.value.code == 2 and "is a Tuesday" in capsys.readouterr().err
    bad = tmp_path / "bad.csv"
    bad.write_text("title,message\nx,y\n")
    assert main(["grid", "build", "--planner", str(bad), "--start", "2026-11-30",
                 "--out", str(tmp_path)]) == 2
    err = capsys.readouterr().err
    assert err.startswith("council-social: bad.csv line 1: the header must be exactly")
    assert len(err.strip().splitlines()) == 1
