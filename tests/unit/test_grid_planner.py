"""Forward planner import: the exact CSV header, YAML, channels, line-numbered errors."""

from __future__ import annotations

from datetime import date

import pytest

from council_social.grid.planner import (
    PlannerError,
    read_planner,
    read_planner_csv,
    read_planner_yaml,
)

HEADER = "title,message,channels,earliest,latest,owner,priority,status\n"


def test_sample_planner_reads_and_resolves_platform_names(config):
    entries = read_planner(config.project_root / "include/config/sample_planner.csv", config)
    assert len(entries) >= 15
    bins = next(e for e in entries if e.title == "Christmas bin collection changes")
    # "facebook" means the platform's main council account
    assert bins.channels == ("brent-council", "brent-environment", "brent-facebook")
    assert len({e.key for e in entries}) == len(entries)
    assert any(e.essential for e in entries)


def test_header_must_be_exact(config):
    with pytest.raises(PlannerError, match="line 1: the header must be exactly"):
        read_planner_csv("title,message,channels,earliest,latest,owner,status,priority\n", config)


def test_every_bad_row_is_reported_with_its_line(config):
    text = HEADER + (
        "Ok,Fine,twitter,2026-12-01,2026-12-02,Web,normal,approved\n"
        "Backwards,x,twitter,2026-12-05,2026-12-01,Web,normal,approved\n"
        "Nowhere,x,tiktok,2026-12-01,2026-12-02,Web,normal,approved\n"
        '"Multi\nline",x,brent-jobs,2026-12-01,not-a-date,Web,normal,approved\n'
        "Status,x,brent-jobs,2026-12-01,2026-12-02,Web,normal,sent\n"
    )
    with pytest.raises(PlannerError) as err:
        read_planner_csv(text, config, "p.csv")
    message = str(err.value)
    assert "4 problem(s) in p.csv" in message
    assert "p.csv line 3: latest 2026-12-01 is before earliest 2026-12-05" in message
    assert "p.csv line 4: channels: unknown channel 'tiktok'" in message
    assert "p.csv line 6: latest:" in message  # the quoted newline makes it end on line 6
    assert "p.csv line 7: status:" in message


def test_yaml_with_optional_fields_and_line_numbers(config):
    text = """entries:
  - title: Budget consultation
    message: Have your say
    channels: [brent-council, facebook]
    earliest: 2026-12-01
    latest: 2026-12-10
    owner: Communications
    priority: essential
    status: approved
    key: budget-2027
    press_release: https://www.brent.gov.uk/news/budget
    media: [budget.png]
  - title: Broken
    message: x
    channels: brent-council
    earliest: 2026-12-01
    latest: 2026-12-01
    owner: Web
    colour: red
"""
    with pytest.raises(PlannerError, match=r"line 13 \(entry 2\): colour: Extra inputs"):
        read_planner_yaml(text, config)
    entries = read_planner_yaml(text.split("  - title: Broken")[0], config)
    (e,) = entries
    assert e.key == "budget-2027" and e.essential and e.channels == ("brent-council",
                                                                     "brent-facebook")
    assert e.earliest == date(2026, 12, 1) and e.media == ("budget.png",)
