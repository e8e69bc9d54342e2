"""The trigger that wakes send_replies when an officer queues a reply.

An AssetWatcher on the `council_social.case_replies` asset runs this in the
triggerer: every `poll_seconds` it marks queued replies not yet announced as
announced (cases.reply_send.announce_queued) and, if there were any, yields a
TriggerEvent, which Airflow turns into an asset event and a send_replies run.
Nothing has to call Airflow's API, and the reply goes out within a minute.
The database is the council database of the triggerer's environment
(COUNCIL_SOCIAL_DATABASE_URL / council.yaml), never a secret in the kwargs.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from typing import Any

from airflow.triggers.base import BaseEventTrigger, TriggerEvent

log = logging.getLogger(__name__)


def _announce() -> list[int]:
    from council_social.cases.reply_send import announce_queued
    from council_social.config import load_config
    from council_social.store.engine import get_engine

    return announce_queued(get_engine(None, load_config()), datetime.now(UTC))


class QueuedRepliesTrigger(BaseEventTrigger):
    def __init__(self, poll_seconds: float = 5.0):
        super().__init__()
        self.poll_seconds = float(poll_seconds)

    def serialize(self) -> tuple[str, dict[str, Any]]:
        return (f"{type(self).__module__}.{type(self).__qualname__}",
                {"poll_seconds": self.poll_seconds})

    async def run(self) -> AsyncIterator[TriggerEvent]:
        while True:
            try:
                ids = await asyncio.to_thread(_announce)
            except Exception as exc:  # the database is down or not migrated yet: keep polling
                log.warning("cannot look for queued replies: %s", type(exc).__name__)
                ids = []
            if ids:
                yield TriggerEvent({"replies": ids})
            await asyncio.sleep(self.poll_seconds)
