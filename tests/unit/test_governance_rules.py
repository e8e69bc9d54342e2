"""Governance settings and request files, without a database."""

from __future__ import annotations

import pytest
import yaml

from council_social.config import ConfigError, load_config
from council_social.governance.accounts import QUESTIONS, RequestError, read_request


def test_house_rules_approvers_and_web_team_officers(config):
    assert [r.key for r in config.house_rules if r.allow_delete] == ["illegal"]
    assert config.house_rule("abuse").allow_delete is False
    with pytest.raises(KeyError, match="no house rule 'nice'; rules are: abuse"):
        config.house_rule("nice")
    assert config.grid.approvers and config.governance.dormant_after_days == 28
    assert config.web_team_officers() == ["Wendy Sample", "Wes Placeholder", "Willa Example"]


def test_a_repeated_house_rule_is_a_config_error(config, tmp_path):
    data = yaml.safe_load(config.source_path.read_text())
    data["house_rules"].append({"key": "abuse", "text": "again"})
    path = tmp_path / "council.yaml"
    path.write_text(yaml.safe_dump(data))
    with pytest.raises(ConfigError, match="house_rules.5.key: duplicate house rule 'abuse'"):
        load_config(path)


def test_a_request_names_every_unanswered_question(tmp_path):
    path = tmp_path / "r.yaml"
    path.write_text("service: libraries\nplatform: instagram\nhandle: x\nrequested_by: Lily\naudience: ''\n")
    with pytest.raises(RequestError) as caught:
        read_request(path)
    assert caught.value.missing == QUESTIONS
    assert "unanswered: audience, objectives, why_own_account, content_commitment" in str(caught.value)
    path.write_text("platform: instagram\nhandle: x\n" + "".join(f"{q}: yes\n" for q in QUESTIONS)
                    + "colour: blue\n")
    with pytest.raises(RequestError, match="unknown key"):
        read_request(path)
    path.write_text("platform: instagram\nhandle: x\n" + "".join(f"{q}: yes\n" for q in QUESTIONS))
    with pytest.raises(RequestError, match="missing: service, requested_by") as caught:
        read_request(path)
    assert "unanswered" not in str(caught.value)


def test_the_demos_own_week_is_the_one_it_mostly_saw():
    from datetime import UTC, date, datetime
    from zoneinfo import ZoneInfo

    from council_social.demo.reports import demo_week

    london = ZoneInfo("Europe/London")
    monday_1am = datetime(2026, 12, 7, 1, tzinfo=UTC)
    assert demo_week(datetime(2026, 12, 6, 1, tzinfo=UTC), monday_1am, london) == date(2026, 11, 30)
    assert demo_week(datetime(2026, 12, 7, 0, tzinfo=UTC), monday_1am, london) == date(2026, 12, 7)
    wednesday = datetime(2026, 12, 9, 15, tzinfo=UTC)
    assert demo_week(wednesday.replace(day=8), wednesday, london) == date(2026, 12, 7)
