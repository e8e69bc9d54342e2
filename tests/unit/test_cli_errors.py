"""One rule for failures: exit 1 or 2 and one readable line on stderr; a traceback only with --debug."""

from __future__ import annotations

import csv
import json
from datetime import UTC, datetime, timedelta

import pytest

from council_social.cli import CliError, main

DOWN_URL = "postgresql+psycopg2://postgres@127.0.0.1:1/nowhere"


def run(capsys, *argv) -> tuple[int, str, str]:
    code = main(list(argv))
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def one_line(err: str) -> str:
    lines = err.splitlines()
    assert len(lines) == 1 and "Traceback" not in err, err
    return lines[0]


def planner_csv(tmp_path, title: str):
    from council_social.grid.planner import CSV_HEADER

    path = tmp_path / "planner.csv"
    with path.open("w", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(CSV_HEADER)
        writer.writerow([title, "message", "twitter", "2026-12-01", "2026-12-05", "web", "normal",
                         "approved"])
    return path


def test_deeply_nested_json_is_one_line(tmp_path, capsys):
    body = tmp_path / "deep.json"
    body.write_text("[" * 100_000 + "]" * 100_000)
    code, _, err = run(capsys, "parse", "--platform", "twitter", str(body))
    assert code == 2 and "nested too deeply" in one_line(err)
    code, _, err = run(capsys, "parse", "--platform", "youtube", str(body))
    assert code == 2 and "nested too deeply" in one_line(err)


def test_a_lone_surrogate_is_written_escaped(tmp_path, capsys):
    body = tmp_path / "surrogate.json"
    body.write_text('{"data":[{"id":"1","text":"a\\ud800b","author_id":"2",'
                    '"created_at":"2026-11-25T10:00:00.000Z"}],'
                    '"includes":{"users":[{"id":"2","username":"x","name":"y"}]}}')
    code, out, err = run(capsys, "parse", "--platform", "twitter", str(body))
    assert code == 0 and err == ""
    assert json.loads(out)["text"] == "a\ud800b"


@pytest.mark.parametrize("title, reason", [
    ("bad\x00title", "line 2: contains a NUL character"),
    ("x" * 140_000, "field larger than field limit (131072)"),
])
def test_a_planner_that_cannot_be_stored_is_one_line(tmp_path, capsys, title, reason):
    code, _, err = run(capsys, "planner", "import", str(planner_csv(tmp_path, title)))
    assert code == 2 and reason in one_line(err)


@pytest.mark.parametrize("received, reason", [
    ("9999-12-30T00:00:00Z", "is beyond the working calendar"),
    ("2100-01-01T00:00:00Z", "is beyond the working calendar"),
    ("2026-03-29T01:30:00", "has no UTC offset"),
    ("0001-01-01T00:00:00Z", "is before 2000"),
    ("yesterday", "is not an ISO 8601 timestamp"),
])
def test_deadline_refuses_times_it_cannot_trust(capsys, received, reason):
    code, out, err = run(capsys, "deadline", "--kind", "foi", "--received", received)
    assert code == 2 and out == "" and reason in one_line(err)


def test_deadline_still_answers_an_aware_past_time(capsys):
    received = (datetime.now(UTC) - timedelta(days=3)).isoformat()
    code, out, _ = run(capsys, "deadline", "--kind", "foi", "--received", received)
    assert code == 0 and json.loads(out)["received"] == received


def test_export_into_a_missing_folder_is_one_line(tmp_path, capsys):
    out = tmp_path / "no" / "such" / "bundle.zip"
    code, _, err = run(capsys, "archive", "export", "--from", "2026-01-01", "--to", "2026-01-02",
                       str(out))
    assert code == 2 and "no such folder" in one_line(err) and not out.parent.exists()


@pytest.mark.parametrize("argv", [
    ["cases", "list"], ["archive", "search", "bins"], ["foi", "register", "--format", "csv"],
    ["archive", "verify"],
])
def test_an_unreachable_database_is_exit_1_and_one_line(monkeypatch, capsys, argv):
    monkeypatch.setenv("COUNCIL_SOCIAL_DATABASE_URL", DOWN_URL)
    code, _, err = run(capsys, *argv)
    assert code == 1 and one_line(err).startswith("council-social: database unreachable:")


def test_usage_mistakes_are_one_line(capsys):
    with pytest.raises(SystemExit) as stop:
        main(["archive", "verify", "--bogus"])
    assert stop.value.code == 2 and "--bogus" in one_line(capsys.readouterr().err)


def test_debug_shows_the_traceback(capsys):
    with pytest.raises(CliError):
        main(["--debug", "deadline", "--kind", "foi", "--received", "yesterday"])


def test_parse_reads_a_bounded_body(capsys, tmp_path):
    # /dev/zero never ends: not a regular file, so it is refused unread.
    code, _, err = run(capsys, "parse", "--platform", "twitter", "/dev/zero")
    assert code == 2 and "a character device, not a regular file" in one_line(err)
    big = tmp_path / "big.json"
    with big.open("wb") as fh:
        fh.truncate(64 * 1024 * 1024 + 1)  # sparse: no disk used
    code, _, err = run(capsys, "parse", "--platform", "twitter", str(big))
    assert code == 2 and "larger than 64 MiB" in one_line(err)


def test_json_lines_break_only_at_newlines():
    from council_social.jsonl import dumps_line, split_lines

    record = {"text": "a\u0085b\u2028c\u2029d é"}
    line = dumps_line(record)
    assert "\n" not in line and len(line.splitlines()) == 1 and "é" in line
    assert [json.loads(x) for x in split_lines(line + "\r\n" + line + "\n")] == [record, record]
