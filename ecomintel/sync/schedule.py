"""Schedules: "every 6h" (an interval) or a cron expression ("0 3 * * *"), and when a source is due.

Why both: a nightly orders feed is naturally a cron time ("at 03:00"), competitor prices an interval
("every 4h"). The same parsed `Schedule` feeds rq's CronScheduler (interval= or cron=) and the
in-process scheduler, so a schedule means the same with and without Redis.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timedelta

from croniter import croniter

from ecomintel.errors import InputError

_EVERY = re.compile(r"^(?:every\s+)?(\d+)\s*(s|sec|secs|seconds?|m|min|mins|minutes?|h|hours?|d|days?)$", re.I)
_UNIT_S = {"s": 1, "m": 60, "h": 3600, "d": 86400}
_TIME_OF_DAY = re.compile(r"^([01]?\d|2[0-3]):([0-5]\d)$")
MIN_INTERVAL_S = 60


@dataclass(frozen=True)
class Schedule:
    """Exactly one of `interval_s` and `cron` is set."""

    interval_s: int | None = None
    cron: str | None = None

    def next_after(self, last: datetime | None, now: datetime) -> datetime:
        """When the source is next due, given when it last started (None: never → due now for intervals)."""
        if self.interval_s is not None:
            return now if last is None else last + timedelta(seconds=self.interval_s)
        base = last or now - timedelta(seconds=1)
        return croniter(str(self.cron), base).get_next(datetime)

    def is_due(self, last: datetime | None, now: datetime) -> bool:
        if self.cron is not None and last is None:
            return False  # a cron source waits for its first slot; run it on demand if you cannot wait
        return self.next_after(last, now) <= now


def parse_schedule(text: str | None, *, min_interval_s: int = MIN_INTERVAL_S) -> Schedule | None:
    """None for an empty text (not scheduled); InputError with the accepted forms for anything unreadable."""
    text = (text or "").strip()
    if not text:
        return None
    match = _EVERY.match(text)
    if match:
        seconds = int(match.group(1)) * _UNIT_S[match.group(2)[0].lower()]
        if seconds < min_interval_s:
            raise InputError(f"Schedule {text!r} is too frequent.", f"Use at least every {min_interval_s} s.")
        return Schedule(interval_s=seconds)
    if len(text.split()) == 5 and croniter.is_valid(text):
        return Schedule(cron=text)
    raise InputError(f"Cannot read the schedule {text!r}.",
                     "Write an interval like `every 6h` / `every 30m` / `every 1d`, or a cron expression like "
                     "`0 3 * * *` (03:00 every day, the scheduler's local time).")


def daily_cron(time_of_day: str) -> str | None:
    """`HH:MM` → the cron expression of that time every day; None for `off`/empty (not scheduled).

    Ops jobs (the retention purge) are scheduled by a time-of-day setting rather than a free schedule: a
    purge runs once a day, and a time is what an operator chooses ("at night, after the backups")."""
    text = (time_of_day or "").strip().lower()
    if text in {"", "off", "none", "0"}:
        return None
    match = _TIME_OF_DAY.match(text)
    if not match:
        raise InputError(f"Cannot read the time of day {time_of_day!r}.", "Write HH:MM (24 h), e.g. 03:30, or off.")
    return f"{int(match.group(2))} {int(match.group(1))} * * *"
