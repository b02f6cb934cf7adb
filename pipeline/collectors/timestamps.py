"""Collector-log timestamps parsed the way Snowplow's loaders do: joda `DateTime.parse("<date>T<time>+00:00")`.

The loaders hand joda's exception text to the bad row ("could not convert timestamp: <message>"), so this
parser follows the shape of joda's ISO parser (year[-month[-day]]['T'hour[:minute[:second[.fraction]]]][offset],
1–2 digit fields, fraction truncated to milliseconds) and phrases its errors like joda does. Years outside
1–9999 are rejected because Python's datetime cannot hold them.
"""

from __future__ import annotations

import calendar
import functools
import re
from datetime import datetime, timedelta

_YEAR = re.compile(r"[+-]?[0-9]{1,9}")
_TWO = re.compile(r"[0-9]{1,2}")
_FRACTION = re.compile(r"[.,]([0-9]{1,9})")
_OFFSET = re.compile(r"Z|[+-]([0-9]{1,2})(?::?([0-9]{1,2}))?")


@functools.lru_cache(maxsize=1 << 16)
def parse_joda_timestamp(text: str) -> tuple[datetime | None, str | None]:
    """(UTC naive datetime with millisecond precision, None) or (None, joda-style error message).

    Cached: log lines of the same second share their timestamp text, and parsing is the costly step per line.
    """
    parts: dict[str, int] = {}
    pos = 0

    def take(pattern: re.Pattern[str], name: str | None = None) -> re.Match[str] | None:
        nonlocal pos
        match = pattern.match(text, pos)
        if match is not None:
            pos = match.end()
            if name is not None:
                parts[name] = int(match.group(0))
        return match

    def literal(char: str) -> bool:
        nonlocal pos
        if text.startswith(char, pos):
            pos += 1
            return True
        return False

    def malformed() -> tuple[None, str]:
        if pos >= len(text):
            return None, f'Invalid format: "{text}" is too short'
        return None, f'Invalid format: "{text}" is malformed at "{text[pos:]}"'

    if take(_YEAR, "year") is None:
        return malformed()
    for name in ("month", "day"):
        mark = pos
        if not literal("-"):
            break
        if take(_TWO, name) is None:
            pos = mark
            break
    offset = timedelta()
    if literal("T"):
        if take(_TWO, "hour") is not None:
            for name in ("minute", "second"):
                mark = pos
                if not (literal(":") and take(_TWO, name)):
                    pos = mark
                    break
            fraction = take(_FRACTION)
            if fraction is not None:
                parts["millisecond"] = int(fraction.group(1)[:3].ljust(3, "0"))
        zone = take(_OFFSET)
        if zone is not None and zone.group(0) != "Z":
            sign = -1 if zone.group(0).startswith("-") else 1
            offset = sign * timedelta(hours=int(zone.group(1)), minutes=int(zone.group(2) or 0))
    if pos != len(text):
        return malformed()
    problem = _out_of_range(parts)
    if problem is not None:
        return None, f'Cannot parse "{text}": {problem}'
    value = datetime(parts["year"], parts.get("month", 1), parts.get("day", 1), parts.get("hour", 0),
                     parts.get("minute", 0), parts.get("second", 0), parts.get("millisecond", 0) * 1000)
    return value - offset, None


def _out_of_range(parts: dict[str, int]) -> str | None:
    year = parts["year"]
    if not 1 <= year <= 9999:
        return f"Value {year} for year must be in the range [1,9999]"
    month = parts.get("month", 1)
    last_day = calendar.monthrange(year, month)[1] if 1 <= month <= 12 else 31
    limits = (("month", "monthOfYear", 1, 12), ("day", "dayOfMonth", 1, last_day), ("hour", "hourOfDay", 0, 23),
              ("minute", "minuteOfHour", 0, 59), ("second", "secondOfMinute", 0, 59))
    for name, joda_name, low, high in limits:
        value = parts.get(name, low)
        if not low <= value <= high:
            return f"Value {value} for {joda_name} must be in the range [{low},{high}]"
    return None
