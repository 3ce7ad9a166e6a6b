"""Calendar months as the TLC names its files: YYYY-MM."""

from __future__ import annotations

import re
from datetime import date

from singer_lite_core.errors import ConfigError

_MONTH = re.compile(r"^(\d{4})-(0[1-9]|1[0-2])$")


def parse_month(text: str, setting: str) -> tuple[int, int]:
    match = _MONTH.match(text)
    if not match:
        raise ConfigError(f"setting {setting!r} must look like YYYY-MM, got {text!r}")
    return int(match.group(1)), int(match.group(2))


def month_range(start: tuple[int, int], end: tuple[int, int]) -> list[str]:
    """Every month from start to end inclusive, as YYYY-MM strings."""
    months = []
    year, month = start
    while (year, month) <= end:
        months.append(f"{year:04d}-{month:02d}")
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return months


def current_month() -> tuple[int, int]:
    today = date.today()
    return today.year, today.month
