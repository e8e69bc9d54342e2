"""council.yaml loads, and every kind of mistake is reported with its path and reason."""

from __future__ import annotations

import copy
import os
import subprocess
import sys
from datetime import UTC, datetime, time
from pathlib import Path

import pytest
import yaml

from council_social.config import (
    CONFIG_ENV_VAR,
    DATABASE_URL_ENV_VAR,
    ConfigError,
    CouncilConfig,
    default_config_path,
    load_config,
)

SHIPPED = default_config_path()


@pytest.fixture(autouse=True)
def _clean_env(monkeypatch):
    monkeypatch.delenv(CONFIG_ENV_VAR, raising=False)
    monkeypatch.delenv(DATABASE_URL_ENV_VAR, raising=False)


@pytest.fixture(scope="module")
def shipped_data() -> dict:
    return yaml.safe_load(SHIPPED.read_text(encoding="utf-8"))


@pytest.fixture
def data(shipped_data) -> dict:
    return copy.deepcopy(shipped_data)


def write(tmp_path: Path, content, name: str = "council.yaml") -> Path:
    path = tmp_path / name
    text = content if isinstance(content, str) else yaml.safe_dump(content, sort_keys=False)
    path.write_text(text, encoding="utf-8")
    return path


def error_for(tmp_path: Path, content) -> str:
    path = write(tmp_path, content)
    with pytest.raises(ConfigError) as info:
        load_config(path)
    message = str(info.value)
    assert str(path) in message  # the file is always named
    return message


# --- the shipped file ---------------------------------------------------------------------


def test_shipped_config_loads_with_brent_accounts():
    config = load_config()
    assert isinstance(config, CouncilConfig)
    assert config.source_path == SHIPPED
    assert config.council.short_name == "Brent"
    twitter = config.accounts_for("twitter")
    assert len(twitter) == 5
    assert all(a.external_id.isdigit() and a.sample for a in twitter)
    assert {a.platform for a in config.accounts} >= {
        "twitter", "facebook", "youtube", "instagram", "flickr", "linkedin"
    }
    for platform in {a.platform for a in config.accounts}:
        assert sum(a.main for a in config.accounts_for(platform)) == 1, platform
    assert config.main_account("twitter").baseline.followers == 10597
    assert config.account("brent-facebook").baseline.followers == 3294
    assert config.account("brent-youtube").baseline.followers == 180


def test_shipped_config_targets_and_references():
    config = load_config(SHIPPED)
    assert config.response_targets["foi"].working_days == 20
    assert config.response_targets["customer_service"].hours == 24
    assert config.response_targets["customer_service"].clock_runs_out_of_hours is True
    team_keys = {t.key for t in config.teams}
    assert {a.team for a in config.accounts} <= team_keys
    assert {t.service for t in config.topics} <= team_keys
    assert {"web_team", "communications", "customer_services", "service"} == {
        t.kind for t in config.teams
    }
    assert {"Wembley", "Kilburn", "Harlesden", "Mapesbury"} <= set(config.places)
    assert {"bins-recycling", "fly-tipping", "council-tax", "emergencies"} <= {
        t.key for t in config.topics
    }


def test_defaults_and_derived_values(data, tmp_path):
    data.pop("channels")
    data.pop("storage")
    data["office_hours"].pop("timezone", None)
    config = load_config(write(tmp_path, data))
    tw = config.channels.twitter
    assert (tw.schedule, tw.pool, tw.pool_slots, tw.connection_id) == (
        "*/15 * * * *", "twitter_api", 2, "council_social_twitter"
    )
    assert (tw.page_size, tw.max_pages_per_run, tw.endpoints) == (100, 50, ["mentions", "tweets"])
    assert config.channels["twitter"] is tw
    assert config.office_hours.timezone == config.council.timezone
    # Relative paths resolve against the file's own folder (the packaged file's: the project).
    assert config.data_dir_path == tmp_path / ".data"
    assert (config.project_root / "include").is_dir()
    assert config.storage.database_url is None
    assert config.validation.earliest_created_at == datetime(2006, 3, 21, tzinfo=UTC)


def test_other_platform_channels_get_platform_named_defaults(data, tmp_path):
    # Only X and Facebook configured (council.yaml configures every channel).
    data["channels"] = {"twitter": data["channels"]["twitter"], "facebook": {"page_size": 25}}
    config = load_config(write(tmp_path, data))
    fb = config.channels["facebook"]
    assert (fb.pool, fb.connection_id, fb.page_size) == (
        "facebook_api", "council_social_facebook", 25
    )
    assert set(config.channels.configured()) == {"twitter", "facebook"}
    with pytest.raises(KeyError, match="youtube"):
        config.channels["youtube"]


def test_language_pattern_accepts_x_codes_and_rejects_junk():
    pattern = load_config().validation.language_re
    for code in ["en", "en-GB", "pt-BR", "und", "qme", "qam", "qct", "qht", "qst", "zxx"]:
        assert pattern.fullmatch(code), code
    for junk in ["", "EN", "english", "e", "en_GB", "12"]:
        assert not pattern.fullmatch(junk), junk


def test_lookup_helpers_raise_clear_key_errors():
    config = load_config()
    assert config.account("brent-council").handle == "Brent_Council"
    assert config.team("web-team").kind == "web_team"
    with pytest.raises(KeyError, match="no account 'nope'.*brent-council"):
        config.account("nope")
    with pytest.raises(KeyError, match="no team 'nope'"):
        config.team("nope")
    with pytest.raises(KeyError, match="unknown platform"):
        config.accounts_for("myspace")


def test_office_hours_uses_council_local_time():
    config = load_config()
    # Monday 2024-07-01 08:30 UTC is 09:30 BST: inside; 16:30 UTC is 17:30 BST: outside.
    assert config.is_office_hours(datetime(2024, 7, 1, 8, 30, tzinfo=UTC))
    assert not config.is_office_hours(datetime(2024, 7, 1, 16, 30, tzinfo=UTC))
    # Saturday.
    assert not config.is_office_hours(datetime(2024, 7, 6, 10, 0, tzinfo=UTC))


# --- path resolution ----------------------------------------------------------------------


def test_env_var_is_honoured_and_argument_wins(data, tmp_path, monkeypatch):
    data["council"]["short_name"] = "Elsewhere"
    other = write(tmp_path, data, "other.yaml")
    monkeypatch.setenv(CONFIG_ENV_VAR, str(other))
    assert load_config().council.short_name == "Elsewhere"
    assert load_config().source_path == other.resolve()
    assert load_config(SHIPPED).council.short_name == "Brent"


def test_env_var_pointing_nowhere_is_a_clear_error(tmp_path, monkeypatch):
    monkeypatch.setenv(CONFIG_ENV_VAR, str(tmp_path / "missing.yaml"))
    with pytest.raises(ConfigError, match=r"missing\.yaml: config file not found"):
        load_config()


def test_database_url_env_overrides_storage(monkeypatch):
    monkeypatch.setenv(DATABASE_URL_ENV_VAR, "postgresql://u@db/council_social")
    config = load_config()
    assert config.storage.database_url == "postgresql://u@db/council_social"
    assert config.storage.data_dir == ".data"


# --- errors -------------------------------------------------------------------------------


def test_unknown_key_is_rejected(data, tmp_path):
    data["channels"]["twitter"]["pagesize"] = 50
    message = error_for(tmp_path, data)
    assert "channels.twitter.pagesize: Extra inputs are not permitted" in message


def test_unknown_top_level_section_is_rejected(data, tmp_path):
    data["acounts"] = []
    assert "acounts: Extra inputs are not permitted" in error_for(tmp_path, data)


def test_bad_platform(data, tmp_path):
    data["accounts"][2]["platform"] = "myspace"
    message = error_for(tmp_path, data)
    assert "accounts.2.platform: Input should be 'twitter', 'facebook'" in message


def test_unknown_team_reference_in_account_and_topic(data, tmp_path):
    data["accounts"][1]["team"] = "nope"
    data["topics"][0]["service"] = "also-nope"
    message = error_for(tmp_path, data)
    assert "accounts.1.team: unknown team 'nope'" in message
    assert "topics.0.service: unknown team 'also-nope'" in message
    assert "2 problem(s)" in message


def test_duplicate_account_and_team_keys(data, tmp_path):
    dup = copy.deepcopy(data["accounts"][1])
    data["accounts"].append(dup)
    data["teams"].append(copy.deepcopy(data["teams"][0]))
    message = error_for(tmp_path, data)
    n_accounts, n_teams = len(data["accounts"]) - 1, len(data["teams"]) - 1
    assert f"accounts.{n_accounts}.key: duplicate account key 'brent-culture'" in message
    assert f"teams.{n_teams}.key: duplicate team key 'web-team'" in message


def test_two_main_accounts_on_one_platform(data, tmp_path):
    data["accounts"][3]["main"] = True
    message = error_for(tmp_path, data)
    assert "accounts.3.main: twitter already has a main account ('brent-council')" in message


def test_twitter_account_needs_numeric_id(data, tmp_path):
    data["accounts"][0]["external_id"] = "Brent_Council"
    assert "accounts.0.external_id: a twitter account needs its numeric user id" in error_for(
        tmp_path, data
    )


def test_handle_with_at_sign(data, tmp_path):
    data["accounts"][0]["handle"] = "@Brent_Council"
    assert "accounts.0.handle: write the handle without the leading '@'" in error_for(
        tmp_path, data
    )


def test_bad_timezone(data, tmp_path):
    data["council"]["timezone"] = "Europe/Wembley"
    assert "council.timezone: unknown IANA timezone 'Europe/Wembley'" in error_for(tmp_path, data)


@pytest.mark.parametrize("value", ["9am", "24:00", "9:00", "12:60"])
def test_bad_hh_mm(data, tmp_path, value):
    data["office_hours"]["start"] = value
    message = error_for(tmp_path, data)
    assert f"office_hours.start: '{value}' is not a time in 24-hour HH:MM form" in message


def test_unquoted_sexagesimal_time_gets_a_hint(data, tmp_path):
    text = yaml.safe_dump(data, sort_keys=False).replace("end: '17:00'", "end: 17:30")
    assert "end: 17:30" in text
    assert "office_hours.end: write times as quoted 'HH:MM'" in error_for(tmp_path, text)


def test_start_must_precede_end(data, tmp_path):
    data["office_hours"].update(start="18:00", end="09:00")
    assert "office_hours.end: end 09:00 must be after start 18:00" in error_for(tmp_path, data)


def test_office_hours_parse_to_times():
    config = load_config()
    assert (config.office_hours.start, config.office_hours.end) == (time(9), time(17))


def test_target_with_both_hours_and_working_days(data, tmp_path):
    data["response_targets"]["foi"]["hours"] = 24
    message = error_for(tmp_path, data)
    assert "response_targets.foi: give exactly one of hours or working_days" in message


def test_target_with_neither(data, tmp_path):
    data["response_targets"]["emergency"] = {"description": "soon"}
    assert "response_targets.emergency: give exactly one of hours or working_days" in error_for(
        tmp_path, data
    )


def test_missing_and_unknown_target_kinds(data, tmp_path):
    del data["response_targets"]["foi"]
    data["response_targets"]["whenever"] = {"hours": 1}
    message = error_for(tmp_path, data)
    assert "response_targets.whenever.[key]: Input should be 'customer_service'" in message


def test_missing_target_kind(data, tmp_path):
    del data["response_targets"]["foi"]
    assert "response_targets: missing targets for: foi" in error_for(tmp_path, data)


def test_field_range_errors(data, tmp_path):
    data["channels"]["twitter"]["page_size"] = 500
    data["channels"]["twitter"]["endpoints"] = ["mentions", "likes"]
    data["topics"][0]["weight"] = 1.5
    data["topics"][1]["keywords"] = []
    data["validation"]["language_pattern"] = "([a-z"
    message = error_for(tmp_path, data)
    assert "channels.twitter.page_size: Input should be less than or equal to 100" in message
    assert "channels.twitter.endpoints.1: Input should be 'mentions' or 'tweets'" in message
    assert "topics.0.weight: Input should be less than or equal to 1" in message
    assert "topics.1.keywords: List should have at least 1 item" in message
    assert "validation.language_pattern: not a valid regular expression" in message


def test_bad_cron_and_naive_datetime(data, tmp_path):
    data["channels"]["twitter"]["schedule"] = "every 15 minutes"
    data["validation"]["earliest_created_at"] = "2006-03-21T00:00:00"
    message = error_for(tmp_path, data)
    assert "channels.twitter.schedule: 'every 15 minutes' is not a 5-field cron" in message
    assert "validation.earliest_created_at: Input should have timezone info" in message


@pytest.mark.parametrize(
    ("content", "reason"),
    [
        ("- just\n- a list\n", "top level must be a mapping of sections, got a list"),
        ("", "top level must be a mapping of sections, got empty"),
        ("plain string\n", "top level must be a mapping of sections, got a str"),
    ],
)
def test_non_mapping_yaml(tmp_path, content, reason):
    assert reason in error_for(tmp_path, content)


def test_yaml_syntax_error_names_the_line(tmp_path):
    content = "council:\n  name: Brent\n  short_name: [unclosed\nteams: []\n"
    message = error_for(tmp_path, content)
    assert "invalid YAML at line 4" in message


def test_missing_file(tmp_path):
    with pytest.raises(ConfigError, match=r"nope\.yaml: config file not found"):
        load_config(tmp_path / "nope.yaml")


def test_every_problem_is_reported_on_its_own_line(data, tmp_path):
    data["council"]["timezone"] = "Nowhere/Town"
    data["accounts"][2]["platform"] = "myspace"
    data["simulator"]["mentions_per_hour"] = 0
    lines = error_for(tmp_path, data).splitlines()
    assert lines[0].endswith("3 problem(s) in council configuration")
    assert len(lines) == 4
    assert any("simulator.mentions_per_hour: Input should be greater than 0" in ln for ln in lines)


def test_importing_does_no_io():
    # A fresh interpreter, so reloading cannot disturb other tests' class identities.
    code = (
        "import sys\n"
        "opened = []\n"
        "sys.addaudithook(lambda e, a: opened.append(str(a[0])) if e == 'open' else None)\n"
        "import council_social.config\n"
        "bad = [p for p in opened if p.endswith(('.yaml', '.yml'))]\n"
        "assert not bad, bad\n"
        "assert council_social.config.load_config().council.short_name == 'Brent'\n"
        "assert any(p.endswith('council.yaml') for p in opened)\n"
    )
    env = {k: v for k, v in os.environ.items() if k != CONFIG_ENV_VAR}
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env)
    assert result.returncode == 0, result.stderr
