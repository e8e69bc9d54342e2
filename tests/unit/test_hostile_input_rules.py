"""Hostile input, in process: YAML that expands or repeats keys, files that are not files,
words that say nothing, handles, terminal escapes, NaN, and oversized request bodies."""

from __future__ import annotations

import json
import os

import pytest
import yaml

from council_social import safe_yaml
from council_social.bounded_read import InputRefused, read_bytes
from council_social.cli import main
from council_social.text_rules import (
    TextRuleError,
    check_handle,
    has_visible_letters,
    required_words,
    terminal_safe,
)

# 342 bytes that PyYAML's safe_load would expand to 9^9 (about 387 million) strings.
BILLION_LAUGHS = (
    'a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]\n'
    "b: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]\nc: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]\n"
    "d: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]\ne: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d]\n"
    "f: &f [*e,*e,*e,*e,*e,*e,*e,*e,*e]\ng: &g [*f,*f,*f,*f,*f,*f,*f,*f,*f]\n"
    "h: &h [*g,*g,*g,*g,*g,*g,*g,*g,*g]\ni: &i [*h,*h,*h,*h,*h,*h,*h,*h,*h]\n"
)


def run(capsys, *argv) -> tuple[int, str, str]:
    code = main(list(argv))
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def one_line(err: str) -> str:
    lines = err.splitlines()
    assert len(lines) == 1 and "Traceback" not in err, err
    return lines[0]


# ------------------------------------------------------------------ YAML
def test_an_alias_that_expands_is_refused():
    with pytest.raises(yaml.YAMLError, match="aliases that expand are refused"):
        safe_yaml.load(BILLION_LAUGHS)


def test_an_alias_to_a_plain_value_is_still_read():
    assert safe_yaml.load("a: &x 1\nb: *x\n") == {"a": 1, "b": 1}


def test_anchors_can_be_refused_altogether():
    with pytest.raises(yaml.YAMLError, match="anchors"):
        safe_yaml.load("a: &x 1\nb: *x\n", anchors=False)
    assert safe_yaml.load("a: 1\n", anchors=False) == {"a": 1}


def test_a_key_given_twice_is_refused_with_both_lines():
    with pytest.raises(yaml.YAMLError) as caught:
        safe_yaml.load("council:\n  name: Brent\n  name: Camden\n")
    assert "'name' is given twice (first at line 2)" in str(caught.value)
    assert caught.value.problem_mark.line == 2


def test_a_duplicate_key_in_council_yaml_is_exit_2_and_one_line(tmp_path, capsys):
    from council_social.config.paths import default_config_path

    text = default_config_path().read_text(encoding="utf-8")
    doubled = tmp_path / "council.yaml"
    doubled.write_text(text + "\nsimulator:\n  seed: 1\n" if "\nsimulator:" in text
                       else text + "\ncouncil:\n  name: Elsewhere\n", encoding="utf-8")
    code, _, err = run(capsys, "--config", str(doubled), "deadline", "--kind", "foi",
                       "--received", "2026-01-05T10:00:00+00:00")
    assert code == 2 and "is given twice" in one_line(err)


# ------------------------------------------------------------------ files
def test_only_a_regular_file_is_read(tmp_path):
    fifo = tmp_path / "fifo"
    os.mkfifo(fifo)
    link = tmp_path / "zero.yaml"
    link.symlink_to("/dev/zero")
    with pytest.raises(InputRefused, match="a FIFO, not a regular file"):
        read_bytes(fifo)
    with pytest.raises(InputRefused, match="a character device, not a regular file"):
        read_bytes(link)
    with pytest.raises(InputRefused, match="a directory"):
        read_bytes(tmp_path)
    (tmp_path / "ok.txt").write_bytes(b"12345")
    assert read_bytes(tmp_path / "ok.txt", limit=5) == b"12345"
    with pytest.raises(InputRefused, match="larger than 4 bytes"):
        read_bytes(tmp_path / "ok.txt", limit=4)


# ------------------------------------------------------------------ words
@pytest.mark.parametrize("text", ["", "   ", "\u200b", "\u200b \t\n", "\u202e", "...!", None])
def test_words_that_say_nothing_are_refused(text):
    assert not has_visible_letters(text)
    with pytest.raises(TextRuleError, match="must contain words"):
        required_words(text, "the reason")


def test_words_are_kept_stripped_and_bounded():
    assert required_words("  flood \u00e9vacuation ", "the reason") == "flood \u00e9vacuation"
    assert required_words("\u6d2a\u6c34", "the reason") == "\u6d2a\u6c34"
    with pytest.raises(TextRuleError, match="at most 4000"):
        required_words("x" * 4001, "the reason")


@pytest.mark.parametrize(("platform", "handle"), [
    ("instagram", "['a', 'b']"), ("instagram", "a\nb"), ("instagram", "\x1b[31mred\x1b[0m"),
    ("instagram", "a..b"), ("twitter", "sixteen_chars_xx"), ("twitter", ""), ("facebook", "ab"),
])
def test_handles_the_platform_would_not_accept_are_refused(platform, handle):
    with pytest.raises(TextRuleError, match=f"is not a {platform} handle"):
        check_handle(platform, handle)


def test_a_good_handle_loses_its_at_sign():
    assert check_handle("instagram", "@Brent.Libraries_1") == "Brent.Libraries_1"
    assert check_handle("twitter", "BrentCouncil") == "BrentCouncil"


def test_the_officer_must_be_one_council_yaml_names(config):
    assert config.officer_name("  wes   PLACEHOLDER ") == "Wes Placeholder"
    for name in ("", "Wes", "Wes Placeholder\u200b"):
        with pytest.raises(KeyError, match="is not an officer"):
            config.officer_name(name)


def test_grid_override_needs_an_officer_and_a_reason(capsys):
    code, _, err = run(capsys, "grid", "override", "e1", "--officer", "", "--reason", "")
    assert code == 2 and "is not an officer" in one_line(err)
    code, _, err = run(capsys, "grid", "override", "e1", "--officer", "Colin Sample",
                       "--reason", "\u200b ")
    assert code == 2 and "--reason must contain words" in one_line(err)


def test_cases_respond_refuses_a_blank_note(capsys):
    with pytest.raises(SystemExit) as stop:
        main(["cases", "respond", "CS-000001", "--channel", "email", "--note", "\u200b",
              "--substantive"])
    assert stop.value.code == 2
    assert "argument --note: must contain words" in one_line(capsys.readouterr().err)


# ------------------------------------------------------------------ output
def test_terminal_escapes_are_never_printed(tmp_path, capsys):
    name = str(tmp_path / "\x1b]0;owned\x07\x1b[2Jrequest.yaml")
    code, out, err = run(capsys, "accounts", "request", name)
    assert code == 2 and "\x1b" not in err and "\x07" not in err
    assert "[U+001B]]0;owned[U+0007][U+001B][2Jrequest.yaml" in one_line(err)
    assert terminal_safe("tab\tline\r\n\u202eok") == "tab\tline\r\n[U+202E]ok"


def test_parse_never_prints_nan_or_infinity(tmp_path, capsys):
    page = tmp_path / "page.json"
    page.write_text('{"data":[{"id":"1","text":"hi","author_id":"2",'
                    '"created_at":"2026-01-01T00:00:00.000Z",'
                    '"public_metrics":{"like_count":NaN,"retweet_count":-Infinity}}]}')
    code, out, _ = run(capsys, "parse", "--platform", "twitter", str(page))
    assert code == 0 and "NaN" not in out and "Infinity" not in out
    record = json.loads(out)  # strict JSON: the parse_constant hook below never fires
    json.loads(out, parse_constant=lambda c: pytest.fail(f"{c} in the output"))
    assert record["raw"]["public_metrics"] == {"like_count": None, "retweet_count": None}


# ------------------------------------------------------------------ exit codes
@pytest.mark.parametrize(("argv", "says"), [
    (["archive", "search", "--limit", "-1", "bins"], "--limit: -1 is not a positive whole number"),
    (["archive", "search", "x" * 100_000], "the query is 100000 characters long"),
    (["db", "upgrade", "--url", "not a url"], "--url: not a database URL"),
    (["views", "serve", "--port", "99999"], "--port: 99999 is not a port number"),
    (["simulator", "--port", "0"], "--port: 0 is not a port number"),
])
def test_bad_arguments_are_exit_2_and_one_line(capsys, monkeypatch, argv, says):
    # Nothing may reach the database: a refused argument never asks it.
    monkeypatch.setenv("COUNCIL_SOCIAL_DATABASE_URL", "postgresql+psycopg2://postgres@127.0.0.1:1/none")
    try:
        code = main(argv)
    except SystemExit as stop:
        code = stop.code
    assert code == 2 and says in one_line(capsys.readouterr().err)


def test_triage_train_on_a_csv_without_text_is_one_line(tmp_path, capsys):
    csv_file = tmp_path / "complaints.csv"
    csv_file.write_text("id,label,domain\n1,1,bins\n")
    code, _, err = run(capsys, "triage", "train", "--complaints", str(csv_file), "--no-corrections")
    line = one_line(err)
    assert code == 2 and "no text column" in line and "Error" not in line


def test_debug_gives_the_traceback_only_when_asked(tmp_path, capsys):
    csv_file = tmp_path / "complaints.csv"
    csv_file.write_text("id,label,domain\n1,1,bins\n")
    with pytest.raises(ValueError, match="no text column"):
        main(["--debug", "triage", "train", "--complaints", str(csv_file), "--no-corrections"])


# ------------------------------------------------------------------ views
def test_an_oversized_request_body_is_413_and_not_echoed(config):
    from fastapi.testclient import TestClient

    from council_social.views.app import create_app
    from council_social.views.security import MAX_BODY_BYTES

    def no_database():
        raise AssertionError("a refused body must not reach a view")

    client = TestClient(create_app(no_database, config=config, dev_mode=True))
    huge = {"note": "x" * (20 * 1024 * 1024)}
    response = client.post("/api/triage/twitter/1/correction", json=huge)
    assert response.status_code == 413 and len(response.content) < 200

    def chunks():  # no Content-Length: refused as it streams in
        for _ in range(MAX_BODY_BYTES // 1024 + 2):
            yield b"x" * 1024

    response = client.post("/api/triage/twitter/1/correction", content=chunks(),
                           headers={"content-type": "application/json"})
    assert response.status_code == 413
    small = client.post("/api/grid/entries/none/reject", json={"reason": "x" * 3000})
    assert small.status_code == 422  # under the body limit, the field's own limit refuses it


def test_triage_correct_refuses_an_empty_note_or_officer(capsys):
    for flag in ("--note", "--officer"):
        with pytest.raises(SystemExit) as stop:
            main(["triage", "correct", "twitter:1", "--outcome", "monitor", flag, "\u200b"])
        assert stop.value.code == 2
        assert f"argument {flag}: must contain words" in one_line(capsys.readouterr().err)
