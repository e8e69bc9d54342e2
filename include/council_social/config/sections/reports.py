"""Daily metrics, emerging-issue alerts and the weekly report."""

from __future__ import annotations

from pydantic import Field

from council_social.config.types import (
    ConfigModel,
    Email,
)


class ReportsSettings(ConfigModel):
    """Daily metrics, emerging-issue alerts and the weekly report (council_social.reports)."""

    output_dir: str | None = None  # None -> <storage.output_dir>/reports
    # Spikes: an hour's count per topic against the same hour of this many past weeks.
    baseline_weeks: int = Field(default=4, ge=1)
    spike_min_count: int = Field(default=5, ge=1)
    # Poisson tail probability below which an hour is a spike.
    spike_p_value: float = Field(default=0.001, gt=0, lt=1)
    # A hashtag trends when used this often in a day, at this multiple of its past daily mean.
    hashtag_min_count: int = Field(default=5, ge=1)
    hashtag_growth: float = Field(default=3.0, gt=1)
    hashtag_history_days: int = Field(default=7, ge=1)
    # Who hears about alerts and gets the weekly report (None -> the web team's address).
    recipients: list[Email] | None = None
    weekly_weeks_of_history: int = Field(default=8, ge=1)
