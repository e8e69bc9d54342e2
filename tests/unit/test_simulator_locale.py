"""The simulator's residents live in the configured council's borough."""

from __future__ import annotations

import os
import re
from datetime import UTC, datetime, timedelta
from pathlib import Path

from council_social.config import load_config
from council_social.simulator.channels_content import posts_between
from council_social.simulator.locale import BRENT, BRENT_PLACES, Locale
from council_social.simulator.traffic import TrafficModel

CAMDEN = Path(__file__).resolve().parents[1] / "data" / "camden" / "camden.yaml"
T = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)
BRENTISH = re.compile(r"brent|\bNW10\b|" + "|".join(rf"\b{p}\b" for p in BRENT_PLACES), re.I)


def test_brents_file_keeps_the_hand_made_brent_world(config):
    assert Locale.from_config(config) == BRENT


def test_another_council_gets_its_own_places_and_name():
    camden = load_config(CAMDEN)
    locale = Locale.from_config(camden)
    assert set(locale.places) <= set(camden.places) and locale.area == "Camden"
    model = TrafficModel(camden.accounts_for("twitter"), seed=1, mentions_per_hour=60,
                         locale=locale)
    tweets = model.tweets_between(T - timedelta(days=1), T)
    users = model.users()
    texts = [t.text for t in tweets] + [f"{u.username} {u.name} {u.description} {u.location}"
                                        for u in users]
    assert len(tweets) > 200
    assert [s for s in texts if BRENTISH.search(s)] == []
    assert sum(any(p in s for p in camden.places) for s in texts) > 100
    assert any(u.username == "CamdenCounci1" for u in users)  # impersonators copy Camden
    posts = posts_between(1, "fb:1", T - timedelta(days=3), T, T, by_residents=True,
                          locale=locale)
    assert posts and not any(BRENTISH.search(p.text) for p in posts)


def test_the_config_flag_reaches_everything_that_reads_the_environment(monkeypatch):
    from council_social import airflow as adapter
    from council_social.cli import _config_for_everything
    from council_social.config import CONFIG_ENV_VAR

    monkeypatch.delenv(CONFIG_ENV_VAR, raising=False)
    adapter.config.cache_clear()
    assert adapter.config().council.short_name == "Brent"
    with _config_for_everything(str(CAMDEN)):
        assert adapter.config().council.short_name == "Camden"  # what the DAGs' tasks load
        assert load_config().council.short_name == "Camden"     # the simulator, child processes
    assert CONFIG_ENV_VAR not in os.environ
    assert adapter.config().council.short_name == "Brent"
