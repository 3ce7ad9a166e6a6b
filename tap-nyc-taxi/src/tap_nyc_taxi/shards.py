"""Which part of the trip files one of N parallel runs reads: the `shard` setting.

A month belongs to shard `(year*12 + month - 1) % count`. The rule looks at
the month alone, not at its place in the configured range, so a month always
falls to the same shard whatever start_month and end_month say: adding months
later never moves a file from one shard (and its state) to another, and every
family of one month goes to the same run. The streams that are not split by
month (the zone lookup, courses, ratings) are read by shard 0 only, so N runs
never load them N times.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from singer_lite_core.errors import ConfigError
from tap_nyc_taxi.months import Month

_KEYS = ("count", "index")


@dataclass(frozen=True)
class Shard:
    """Shard `index` (from 0) of `count`; the default, 0 of 1, reads everything."""

    count: int = 1
    index: int = 0

    @property
    def is_split(self) -> bool:
        return self.count > 1

    @property
    def reads_whole_streams(self) -> bool:
        """Whether this shard syncs the streams that are not split by month."""
        return self.index == 0

    def owns(self, month: Month) -> bool:
        return month.ordinal % self.count == self.index

    def __str__(self) -> str:
        return f"shard {self.index} of {self.count}"


def read_shard(value: dict[str, Any] | None) -> Shard:
    """The setting's value checked: exactly the two keys, integers, 0 <= index < count."""
    if value is None:
        return Shard()
    keys = sorted(value)
    if keys != sorted(_KEYS):
        raise ConfigError(f'setting \'shard\' must be {{"count": N, "index": i}}, got the keys {keys}')
    for key in _KEYS:
        if not isinstance(value[key], int) or isinstance(value[key], bool):
            raise ConfigError(f"setting 'shard.{key}' must be an integer, got {value[key]!r}")
    count, index = value["count"], value["index"]
    if count < 1:
        raise ConfigError(f"setting 'shard.count' must be at least 1, got {count}")
    if not 0 <= index < count:
        raise ConfigError(f"setting 'shard.index' must be from 0 to {count - 1} (shards count from 0), got {index}")
    return Shard(count, index)
