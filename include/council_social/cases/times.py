"""Times typed by people (a reply's `at`, a request's `received`), checked before use.

A time without a UTC offset is refused rather than guessed (01:30 on the
night the clocks go forward does not exist in London); a time in the future,
beyond a small clock skew, or before the case it belongs to opened, is refused
too, since each would falsify response-time reports.
"""

from __future__ import annotations

from datetime import datetime, timedelta

# Clocks of the officer's device and the server may differ this much.
SKEW = timedelta(minutes=5)


class TimeRefused(ValueError):
    """A person's time that cannot be right; the message says why, in their terms."""


def parse_aware(value: str, what: str) -> datetime:
    """An ISO 8601 timestamp with its UTC offset (`Z` or `+01:00`)."""
    text = value.strip()
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        raise TimeRefused(f"{what} {text[:40]!r} is not an ISO 8601 timestamp "
                          "(e.g. 2026-12-21T16:30:00+00:00)") from None
    return check_aware(moment, what)


def check_aware(moment: datetime, what: str) -> datetime:
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise TimeRefused(f"{what} {moment.isoformat()} has no UTC offset; add one, "
                          f"e.g. {moment.isoformat()}Z or {moment.isoformat()}+01:00")
    return moment


def check_time(moment: datetime, *, now: datetime, what: str,
               not_before: datetime | None = None, not_before_what: str = "the case opened") -> datetime:
    """`moment` if it is aware, not after now + SKEW and not before `not_before`."""
    check_aware(moment, what)
    if moment > now + SKEW:
        raise TimeRefused(f"{what} {moment.isoformat()} is in the future "
                          f"(now is {now.isoformat(timespec='seconds')})")
    if not_before is not None and moment < not_before:
        raise TimeRefused(f"{what} {moment.isoformat()} is before {not_before_what} "
                          f"({not_before.isoformat(timespec='seconds')})")
    return moment
