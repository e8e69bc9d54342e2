"""`council-social doctor`: each check passes on a sound deployment and names what is wrong."""

from __future__ import annotations

import copy
import json
import os
from pathlib import Path

import pytest
import yaml

from council_social.config import default_config_path, load_config
from council_social.deploy import doctor

ENV_VARS = ("COUNCIL_SOCIAL_CONFIG", "COUNCIL_SOCIAL_STORAGE_ROOT", "COUNCIL_SOCIAL_ENV",
            "COUNCIL_SOCIAL_ARCHIVE_ROOT", "COUNCIL_SOCIAL_ARCHIVE_ANCHOR", "COUNCIL_SOCIAL_OUTBOX")


@pytest.fixture(autouse=True)
def _clean_env(monkeypatch):
    for name in ENV_VARS:
        monkeypatch.delenv(name, raising=False)


def make_config(tmp_path: Path, **archive):
    data = copy.deepcopy(yaml.safe_load(default_config_path().read_text(encoding="utf-8")))
    data["storage"]["root"] = str(tmp_path / "volume")
    data["archive"] = {**(data.get("archive") or {}), **archive}
    path = tmp_path / "council.yaml"
    path.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    return load_config(path)


def test_a_path_on_the_containers_own_filesystem_is_not_persistent(tmp_path):
    own = os.stat(tmp_path).st_dev
    assert "container's own filesystem" in doctor.persistence_problem(tmp_path / "x", own)
    # A volume is another device than the container's root.
    assert doctor.persistence_problem(tmp_path / "x", own + 1) is None
    assert "inside a local .data" in doctor.persistence_problem(tmp_path / ".data" / "a", own + 1)


def test_storage_check_names_every_path_that_would_be_lost(tmp_path):
    config = make_config(tmp_path, anchor_path=str(tmp_path / "anchor" / "a.log"))
    own = os.stat(tmp_path).st_dev
    lost = [c.detail for c in doctor.check_storage(config, root_device=own) if not c.ok]
    assert any(d.startswith(f"storage root {tmp_path / 'volume'} is on the container's")
               for d in lost)
    for what in ("archive", "anchor log", "models", "outbox", "grid pages", "report pages"):
        assert any(d.startswith(f"{what} ") for d in lost), what
    assert all(c.ok for c in doctor.check_storage(config, root_device=own + 1))
    assert (tmp_path / "volume").is_dir()  # written to, and the probe file removed
    assert list((tmp_path / "volume").iterdir()) == []


def test_storage_check_fails_when_the_root_cannot_be_written(tmp_path):
    config = make_config(tmp_path)
    (tmp_path / "volume").write_text("a file where the folder should be")
    check = doctor.check_storage(config, root_device=-1)[0]
    assert not check.ok and "is not writable" in check.detail


def test_anchor_inside_the_archive_root_is_a_problem(tmp_path):
    inside = make_config(tmp_path, anchor_path=str(tmp_path / "volume" / "archive" / "a.log"))
    check = doctor.check_anchor(inside)
    assert not check.ok and str(tmp_path / "volume" / "archive" / "a.log") in check.detail
    outside = make_config(tmp_path, anchor_path=str(tmp_path / "anchor" / "a.log"))
    assert doctor.check_anchor(outside).ok


def test_clock_skew_beyond_the_limit_fails():
    assert doctor.clock_check(0.4, 0.01).ok
    late = doctor.clock_check(-(doctor.MAX_CLOCK_SKEW_SECONDS + 2), 0.01)
    assert not late.ok and "-7.0 s" in late.detail


def test_connections_are_named_never_shown(tmp_path, monkeypatch):
    config = make_config(tmp_path)
    present = {"council_social_twitter"}
    checks = doctor.check_connections(config, exists=present.__contains__)
    missing = {c.detail.split(":")[0] for c in checks if c.name == "connection" and not c.ok}
    configured = set(config.channels.configured()) - doctor.NO_CREDENTIAL
    assert missing == configured - {"twitter"}
    mail = [c for c in checks if c.name == "mail"]
    assert len(mail) == 1 and not mail[0].ok
    monkeypatch.setenv("COUNCIL_SOCIAL_OUTBOX", str(tmp_path / "outbox"))
    mail = [c for c in doctor.check_connections(config, exists=present.__contains__)
            if c.name == "mail"]
    assert mail[0].ok and "outbox" in mail[0].detail


def test_dags_meant_to_run_must_be_unpaused_and_publish_posts_is_left_alone(tmp_path):
    config = make_config(tmp_path)
    states = {"ingest_twitter": False, "process_items": False, "publish_posts": True}
    states |= {p: False for p in config.deployment.unpause_dags if "*" not in p}
    assert all(c.ok for c in doctor.check_dags(config, states))
    problems = [c.detail for c in doctor.check_dags(config, {**states, "archive": True})
                if not c.ok]
    assert problems == ["DAG archive is paused"]
    without_ingest = {k: v for k, v in states.items() if not k.startswith("ingest_")}
    problems = [c.detail for c in doctor.check_dags(config, without_ingest) if not c.ok]
    assert len(problems) == 1 and "'ingest_*'" in problems[0]


def test_cli_prints_one_line_per_problem_and_json(tmp_path, monkeypatch, capsys):
    from council_social.cli import main

    checks = [doctor.Check("config", True, "loads"),
              doctor.Check("pool", False, "pool twitter_api (twitter) is\nmissing"),
              doctor.Check("dags", False, "DAG archive is paused")]
    monkeypatch.setattr(doctor, "run_checks", lambda _path: checks)
    assert main(["doctor"]) == 1
    assert capsys.readouterr().out.splitlines() == [
        "doctor: pool: pool twitter_api (twitter) is missing", "doctor: dags: DAG archive is paused"]
    assert main(["doctor", "--format", "json"]) == 1
    body = json.loads(capsys.readouterr().out)
    assert body["ok"] is False and [c["name"] for c in body["checks"]] == ["config", "pool", "dags"]
    monkeypatch.setattr(doctor, "run_checks", lambda _path: checks[:1])
    assert main(["doctor"]) == 0
    assert capsys.readouterr().out == "doctor: all 1 checks pass\n"


def test_a_broken_configuration_is_reported_not_raised(tmp_path):
    bad = tmp_path / "council.yaml"
    bad.write_text("accounts: []\n", encoding="utf-8")
    checks = doctor.run_checks(bad)
    assert checks and not any(c.ok for c in checks) and {c.name for c in checks} == {"config"}
