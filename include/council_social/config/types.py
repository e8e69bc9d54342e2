"""Field types of council.yaml: validated scalars, the platform and kind literals,
and the strict base model every section shares."""

from __future__ import annotations

import re
from datetime import time
from typing import Annotated, Any, Literal, get_args
from urllib.parse import urlparse
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    EmailStr,
    ValidationError,
)
from pydantic_core import InitErrorDetails, PydanticCustomError

Platform = Literal[
    "twitter", "facebook", "instagram", "youtube", "flickr", "linkedin", "feed", "eventbrite"
]
PLATFORMS: tuple[str, ...] = get_args(Platform)
TeamKind = Literal["web_team", "communications", "customer_services", "service"]
Weekday = Literal["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
WEEKDAYS: tuple[str, ...] = get_args(Weekday)
TargetKind = Literal[
    "customer_service",
    "foi",
    "webteam_respond",
    "service_conversation",
    "escalate_comms",
    "emergency",
]
RESPONSE_TARGET_KINDS: tuple[str, ...] = get_args(TargetKind)
# The kinds of response case: triage outcomes that promise a reply, and the flags foi/emergency.
CaseKind = Literal["customer_service", "service_conversation", "escalate_comms", "foi", "emergency"]
CASE_KINDS: tuple[str, ...] = get_args(CaseKind)


_SLUG_RE = re.compile(r"^[a-z0-9](?:[a-z0-9_-]*[a-z0-9])?$")
_HHMM_RE = re.compile(r"^(?:[01]\d|2[0-3]):[0-5]\d$")
_CRON_FIELD_RE = re.compile(r"^[0-9A-Za-z*/,\-?LW#]+$")
_CRON_PRESETS = {"@once", "@hourly", "@daily", "@weekly", "@monthly", "@quarterly", "@yearly"}


def _slug(value: str) -> str:
    if not _SLUG_RE.match(value):
        raise ValueError(
            f"{value!r} is not a slug (lower-case letters, digits, '-' or '_')"
        )
    return value


def _url(value: str) -> str:
    parsed = urlparse(value)
    if parsed.scheme not in ("http", "https") or not parsed.netloc:
        raise ValueError(f"{value!r} is not an http(s) URL")
    return value


def _timezone(value: str) -> str:
    try:
        ZoneInfo(value)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise ValueError(f"unknown IANA timezone {value!r}") from exc
    return value


def _hhmm(value: Any) -> time:
    if isinstance(value, time):
        return value
    if isinstance(value, int):
        # PyYAML reads unquoted 17:30 as the base-60 integer 1050.
        raise ValueError("write times as quoted 'HH:MM' strings (YAML reads 17:30 as a number)")
    if not isinstance(value, str) or not _HHMM_RE.match(value):
        raise ValueError(f"{value!r} is not a time in 24-hour HH:MM form")
    return time.fromisoformat(value)


def _non_blank(value: str) -> str:
    if not value.strip():
        raise ValueError("must not be blank")
    return value


def _cron(value: str) -> str:
    if value in _CRON_PRESETS:
        return value
    fields = value.split()
    if len(fields) != 5 or not all(_CRON_FIELD_RE.match(f) for f in fields):
        raise ValueError(f"{value!r} is not a 5-field cron expression or an @preset")
    return value


Slug = Annotated[str, AfterValidator(_slug)]
# pydantic's own (email-validator): syntax only, no DNS lookup.
Email = EmailStr
Url = Annotated[str, AfterValidator(_url)]
TimeZoneName = Annotated[str, AfterValidator(_timezone)]
HHMM = Annotated[time, BeforeValidator(_hhmm)]
NonBlank = Annotated[str, AfterValidator(_non_blank)]
Cron = Annotated[str, AfterValidator(_cron)]


class ConfigModel(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


def raise_at(title: str, problems: list[tuple[tuple[str | int, ...], str, Any]]) -> None:
    """Raise one ValidationError carrying every cross-field problem at its own path."""
    if problems:
        raise ValidationError.from_exception_data(
            title,
            [
                InitErrorDetails(
                    type=PydanticCustomError("config_reference", "{reason}", {"reason": reason}),
                    loc=loc,
                    input=value,
                )
                for loc, reason, value in problems
            ],
        )


def duplicates(values: list[str]) -> dict[int, str]:
    seen: set[str] = set()
    dupes: dict[int, str] = {}
    for i, v in enumerate(values):
        if v in seen:
            dupes[i] = v
        seen.add(v)
    return dupes
