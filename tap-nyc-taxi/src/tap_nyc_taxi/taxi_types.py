"""The TLC trip-file families the tap reads: the one list of taxi types.

A taxi type is at once a `taxi_types` setting value, a trip stream and a
family of files named `<type>_tripdata_YYYY-MM.<format>`. Everything that
enumerates taxi types (the setting's choices, the trip streams, the file-name
pattern, the sample generator) derives from this list, so a new family of
files is one entry here plus its JSON Schema in schemas/.
"""

from __future__ import annotations

from dataclasses import dataclass

from tap_nyc_taxi.months import Month


@dataclass(frozen=True)
class TaxiType:
    """One family of trip files; `label` is how prose names it (the TLC writes FHV in capitals).

    `first_month` is the first month the TLC published, for a family that started later
    than the others: no file is requested or generated for the months before it.
    """

    name: str
    label: str
    first_month: Month | None = None

    @property
    def stream(self) -> str:
        """The trip stream, whose JSON Schema is schemas/<stream>.json."""
        return f"{self.name}_trips"

    @property
    def file_prefix(self) -> str:
        """What the TLC's file names start with, before `_YYYY-MM`."""
        return f"{self.name}_tripdata"

    def is_published(self, month: Month) -> bool:
        return self.first_month is None or month >= self.first_month


YELLOW = TaxiType("yellow", "yellow")
GREEN = TaxiType("green", "green")
FHV = TaxiType("fhv", "FHV")
# Local Law 149 of 2018 licensed the high-volume services (Uber, Lyft, Via, Juno) from 2019-02.
FHVHV = TaxiType("fhvhv", "high-volume FHV", first_month=Month(2019, 2))

TAXI_TYPES: tuple[TaxiType, ...] = (YELLOW, GREEN, FHV, FHVHV)
TAXI_TYPE_NAMES: tuple[str, ...] = tuple(taxi_type.name for taxi_type in TAXI_TYPES)


def taxi_type_named(name: str) -> TaxiType:
    for taxi_type in TAXI_TYPES:
        if taxi_type.name == name:
            return taxi_type
    raise ValueError(f"unknown taxi type {name!r}; expected one of {', '.join(TAXI_TYPE_NAMES)}")
