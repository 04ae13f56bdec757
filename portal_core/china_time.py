"""The community's clock: dates and times in the data are Beijing time (Asia/Shanghai)."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

TZ = ZoneInfo("Asia/Shanghai")


def at(date: dt.date, clock: str | None = None) -> dt.datetime:
    """The moment ``clock`` (``"19:00"``; midnight if none) on ``date``, in Beijing time.

    >>> at(dt.date(2024, 3, 10), "19:00").isoformat(), at(dt.date(2024, 3, 10)).isoformat()
    ('2024-03-10T19:00:00+08:00', '2024-03-10T00:00:00+08:00')
    """
    hour, minute = map(int, clock.split(":")) if clock else (0, 0)
    return dt.datetime(date.year, date.month, date.day, hour, minute, tzinfo=TZ)


def start_date(date: dt.date, clock: str | None) -> str:
    """ISO 8601 with the Beijing offset when the time is known.

    >>> start_date(dt.date(2024, 3, 10), "19:00"), start_date(dt.date(2024, 3, 10), None)
    ('2024-03-10T19:00:00+08:00', '2024-03-10')
    """
    if not clock:
        return date.isoformat()
    return at(date, clock).isoformat()
