"""Calendar months as the TLC names its files (YYYY-MM): one trip file per taxi type and month."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

import numpy as np

_MONTH_PATTERN = re.compile(r"^(\d{4})-(\d{2})$")


@dataclass(frozen=True, order=True)
class Month:
    """A calendar month; ordering and equality follow the calendar."""

    year: int
    month: int

    def __post_init__(self) -> None:
        if not 1 <= self.month <= 12:
            raise ValueError(f"month must be 1..12, got {self.month}")

    @classmethod
    def parse(cls, text: str) -> Month:
        match = _MONTH_PATTERN.match(text.strip())
        if match is None:
            raise ValueError(f"expected a month as YYYY-MM, got {text!r}")
        return cls(int(match.group(1)), int(match.group(2)))

    def __str__(self) -> str:
        return f"{self.year:04d}-{self.month:02d}"

    @property
    def ordinal(self) -> int:
        """Months since January of year 0: what the publication lag counts in,
        and what shards divide."""
        return self.year * 12 + self.month - 1

    def next(self) -> Month:
        if self.month == 12:
            return Month(self.year + 1, 1)
        return Month(self.year, self.month + 1)

    @property
    def start(self) -> np.datetime64:
        """First second of the month, as naive New York wall-clock time like the TLC files."""
        return np.datetime64(str(self), "s")

    @property
    def end(self) -> np.datetime64:
        """First second of the following month (exclusive bound)."""
        return self.next().start

    @property
    def days(self) -> int:
        return int((self.end - self.start) // np.timedelta64(1, "D"))


def to_month(value: str | Month) -> Month:
    return value if isinstance(value, Month) else Month.parse(value)


def parse_month_range(text: str) -> list[Month]:
    """Expand `YYYY-MM` or an inclusive `YYYY-MM:YYYY-MM` into the months it covers."""
    first_text, separator, last_text = text.partition(":")
    first = Month.parse(first_text)
    last = Month.parse(last_text) if separator else first
    if last < first:
        raise ValueError(f"month range {text!r} ends before it starts")
    return months_between(first, last)


def months_between(first: Month, last: Month) -> list[Month]:
    """Every month from first to last, both included."""
    months = [first]
    while months[-1] < last:
        months.append(months[-1].next())
    return months


def this_month() -> Month:
    today = date.today()
    return Month(today.year, today.month)
