"""`council-social parse`: JSON lines out, one-line errors with exit code 2."""

from __future__ import annotations

import io
import json
from types import SimpleNamespace

import pytest

from council_social.cli import main
from tests.conftest import SAMPLES, samples_dir


def _tweets(doc) -> list[dict]:
    data = doc.get("data") if isinstance(doc, dict) else None
    data = [data] if isinstance(data, dict) else data
    if not isinstance(data, list) or not data:
        return []
    return data if all(isinstance(t, dict) and "text" in t for t in data) else []


def _tweet_samples() -> list[str]:
    folder = SAMPLES / "twitter"
    if not folder.is_dir():
        return []
    return sorted(p.name for p in folder.glob("*.json")
                  if _tweets(json.loads(p.read_bytes())))


TWEET_SAMPLES = _tweet_samples()


def _lines(out: str) -> list[dict]:
    assert out.endswith("\n")
    return [json.loads(line) for line in out.splitlines()]


def _one_line_error(err: str) -> str:
    lines = err.splitlines()
    assert len(lines) == 1, err
    assert lines[0].startswith("council-social: ")
    return lines[0]


def test_real_samples_with_tweets_are_found():
    folder = samples_dir("twitter")
    assert len(TWEET_SAMPLES) >= 7, sorted(p.name for p in folder.iterdir())


@pytest.mark.parametrize("name", TWEET_SAMPLES)
def test_parse_real_sample_writes_one_line_per_tweet(name, capsys):
    path = samples_dir("twitter") / name
    tweets = _tweets(json.loads(path.read_bytes()))

    assert main(["parse", "--platform", "twitter", str(path)]) == 0

    captured = capsys.readouterr()
    records = _lines(captured.out)
    assert [r["external_id"] for r in records] == [t["id"] for t in tweets]
    assert [r["record_index"] for r in records] == list(range(len(tweets)))
    assert all(r["platform"] == "twitter" for r in records)
    assert captured.err == ""


def test_parse_attaches_the_author_from_includes(capsys):
    path = samples_dir("twitter") / "tweet_tweets_resp.json"
    doc = json.loads(path.read_bytes())
    users = {u["id"]: u for u in doc["includes"]["users"]}

    assert main(["parse", "--platform", "twitter", str(path)]) == 0

    for record in _lines(capsys.readouterr().out):
        expected = users.get(record["author_external_id"])
        assert (record["author"] or {}).get("username") == (expected or {}).get("username")


def test_unknown_platform_exits_2_with_one_line(tmp_path, capsys):
    body = tmp_path / "page.json"
    body.write_bytes(b'{"data": [], "meta": {"result_count": 0}}')

    assert main(["parse", "--platform", "myspace", str(body)]) == 2

    captured = capsys.readouterr()
    line = _one_line_error(captured.err)
    assert "myspace" in line and "twitter" in line  # names the platform and the known ones
    assert captured.out == ""


def test_missing_file_exits_2_with_one_line_naming_the_file(tmp_path, capsys):
    missing = tmp_path / "no-such-page.json"

    assert main(["parse", "--platform", "twitter", str(missing)]) == 2

    captured = capsys.readouterr()
    assert str(missing) in _one_line_error(captured.err)
    assert captured.out == ""


def test_non_json_file_exits_2_with_one_line(tmp_path, capsys):
    body = tmp_path / "page.html"
    body.write_bytes(b"<html><body>Over capacity</body></html>\n")

    assert main(["parse", "--platform", "twitter", str(body)]) == 2

    captured = capsys.readouterr()
    line = _one_line_error(captured.err)
    assert str(body) in line and "not JSON" in line
    assert captured.out == ""


def test_dash_reads_the_body_from_stdin(monkeypatch, capsys):
    body = json.dumps({
        "data": [{"id": "11", "text": "first", "author_id": "5"},
                 {"id": "12", "text": "second", "author_id": "5"}],
        "includes": {"users": [{"id": "5", "username": "someone", "name": "Some One"}]},
        "meta": {"result_count": 2},
    }).encode()
    monkeypatch.setattr("sys.stdin", SimpleNamespace(buffer=io.BytesIO(body)))

    assert main(["parse", "--platform", "twitter", "-"]) == 0

    records = _lines(capsys.readouterr().out)
    assert [(r["external_id"], r["text"]) for r in records] == [("11", "first"), ("12", "second")]
    assert records[0]["author"]["username"] == "someone"


def test_empty_timeline_page_writes_nothing_and_succeeds(monkeypatch, capsys):
    monkeypatch.setattr("sys.stdin",
                        SimpleNamespace(buffer=io.BytesIO(b'{"meta":{"result_count":0}}')))

    assert main(["parse", "--platform", "twitter", "-"]) == 0

    assert capsys.readouterr().out == ""
