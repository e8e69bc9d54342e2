"""No credential in any log line: every platform ingested against the simulator with
DEBUG logging everywhere and a known token, then every captured line grepped."""

from __future__ import annotations

import logging
import sys
from datetime import timedelta

import pytest

from council_social.channels.twitter import TwitterConnector
from council_social.pipeline.ingest import ingest_account
from council_social.simulator.server import start_simulator
from tests.conftest import SIM_NOW
from tests.integration.test_channel_connectors import CHANNELS, connector

SECRET = "k3y-7f2a9c-SECRET-e41b"  # the same credential for every platform


@pytest.fixture
def loud_logs():
    """DEBUG on the root logger, printed to stderr (so capfd sees it) as well as caplog."""
    root = logging.getLogger()
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter("%(name)s %(levelname)s %(message)s"))
    old_level = root.level
    root.addHandler(handler)
    root.setLevel(logging.DEBUG)
    yield
    root.removeHandler(handler)
    root.setLevel(old_level)


def test_no_token_in_any_log_line_for_any_platform(config, clean_db, caplog, capfd, loud_logs):
    from council_social.channels.youtube import YouTubeAuthError, YouTubeConnector

    caplog.set_level(logging.DEBUG)
    window = {"interval_start": SIM_NOW - timedelta(hours=1), "interval_end": SIM_NOW,
              "initial_lookback": timedelta(hours=48)}
    with start_simulator(config.accounts_for("twitter"), seed=config.simulator.seed,
                         mentions_per_hour=12, bearer_token=SECRET, now=SIM_NOW) as sim:
        for platform, (endpoints, _) in sorted(CHANNELS.items()):
            conn = connector(platform, sim.base_url, token=SECRET)
            for source in config.sources_for(platform)[:1]:
                summary = ingest_account(clean_db, conn, source, endpoints=endpoints, **window)
                assert summary["pages"] > 0, (platform, summary)
        x = TwitterConnector(SECRET, sim.base_url, sleep=lambda s: None)
        summary = ingest_account(clean_db, x, config.accounts_for("twitter")[0],
                                 endpoints=["mentions"], **window)
        assert summary["pages"] > 0
        # YouTube with an API key sends it as `key` in the query string (the simulator only
        # takes OAuth, so it is refused, after urllib3 has logged the request line).
        keyed = YouTubeConnector(SECRET, sim.base_url, use_api_key=True, sleep=lambda s: None)
        with pytest.raises(YouTubeAuthError):
            keyed.fetch(config.accounts_for("youtube")[0], "videos",
                        start_time=SIM_NOW - timedelta(hours=1), end_time=SIM_NOW)

    out, err = capfd.readouterr()
    messages = [r.getMessage() for r in caplog.records]
    # The request lines were logged (so the grep below can fail), with the keys masked.
    request_lines = [m for r, m in zip(caplog.records, messages, strict=True)
                     if r.name == "urllib3.connectionpool" and '"GET ' in m]
    assert any("api_key=***" in m for m in request_lines)   # Flickr
    assert any("&key=***" in m or "?key=***" in m for m in request_lines)  # YouTube
    assert any("/2/users/" in m for m in request_lines)  # X, through tweepy
    assert "api_key=***" in err
    for where, text in (("caplog", caplog.text), ("records", "\n".join(messages)),
                        ("stdout", out), ("stderr", err)):
        assert SECRET not in text, f"the token appears in {where}"

