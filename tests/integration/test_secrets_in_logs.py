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



# A DAG whose task builds a connector with the token, as the channel DAGs do; the token
# comes from the environment, not a Connection, so only our code could hand it to Airflow.
PROBE_DAG = '''
import os
from datetime import datetime
from airflow.sdk import DAG, task

with DAG("secret_probe", schedule=None, start_date=datetime(2026, 1, 1), catchup=False):
    @task
    def probe():
        from council_social.channels.twitter import TwitterConnector
        TwitterConnector(os.environ["PROBE_TOKEN"], "http://127.0.0.1:9", sleep=lambda s: None)
    probe()
'''
RUN_PROBE = '''
import sys
from council_social.airflow import load_dags
run = load_dags(sys.argv[1])["secret_probe"].test()
print("probe run", run.state)
'''


def test_no_token_in_the_task_supervisors_debug_output(tmp_path):
    """Airflow's task supervisor logs, at DEBUG, each message a task sends it: a task that
    passed the token to Airflow's mask_secret sent the token itself (issue 24)."""
    import os
    import subprocess

    home, dags = tmp_path / "airflow", tmp_path / "dags"
    dags.mkdir()
    (dags / "probe.py").write_text(PROBE_DAG)
    env = {**os.environ, "AIRFLOW_HOME": str(home), "AIRFLOW__CORE__DAGS_FOLDER": str(dags),
           "AIRFLOW__CORE__LOAD_EXAMPLES": "False", "AIRFLOW__CORE__UNIT_TEST_MODE": "False",
           "AIRFLOW__DATABASE__SQL_ALCHEMY_CONN": f"sqlite:///{home / 'airflow.db'}",
           "AIRFLOW__LOGGING__LOGGING_LEVEL": "DEBUG", "PROBE_TOKEN": SECRET}
    home.mkdir()
    migrate = subprocess.run([sys.executable, "-m", "airflow", "db", "migrate"], env=env,
                             capture_output=True, text=True, timeout=300)
    assert migrate.returncode == 0, migrate.stderr[-2000:]
    done = subprocess.run([sys.executable, "-c", RUN_PROBE, str(dags)], env=env,
                          capture_output=True, text=True, timeout=300)
    output = done.stdout + done.stderr
    assert "probe run success" in done.stdout, output[-3000:]
    # The supervisor's DEBUG lines were captured (so the grep below can fail) ...
    assert "Sending request" in output
    # ... and none holds the token.
    assert SECRET not in output, [line for line in output.splitlines() if SECRET in line][:3]
