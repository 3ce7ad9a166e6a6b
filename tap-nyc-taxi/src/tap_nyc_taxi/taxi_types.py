"""The TLC trip-file families the tap reads: the one list of taxi types.

A taxi type is at once a `taxi_types` setting value, a trip stream and a
family of files named `<type>_tripdata_YYYY-MM.<format>`. Everything that
enumerates taxi types (the setting's choices, the trip streams, the file-name
pattern, the sample generator) derives from this list, so a new family of
files is one entry here plus its JSON Schema in schemas/.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class TaxiType:
    """One family of trip files; `label` is how prose names it (the TLC writes FHV in capitals)."""

    name: str
    label: str

    @property
    def stream(self) -> str:
        """The trip stream, whose JSON Schema is schemas/<stream>.json."""
        return f"{self.name}_trips"

    @property
    def file_prefix(self) -> str:
        """What the TLC's file names start with, before `_YYYY-MM`."""
        return f"{self.name}_tripdata"


YELLOW = TaxiType("yellow", "yellow")
GREEN = TaxiType("green", "green")
FHV = TaxiType("fhv", "FHV")

TAXI_TYPES: tuple[TaxiType, ...] = (YELLOW, GREEN, FHV)
TAXI_TYPE_NAMES: tuple[str, ...] = tuple(taxi_type.name for taxi_type in TAXI_TYPES)


def taxi_type_named(name: str) -> TaxiType:
    for taxi_type in TAXI_TYPES:
        if taxi_type.name == name:
            return taxi_type
    raise ValueError(f"unknown taxi type {name!r}; expected one of {', '.join(TAXI_TYPE_NAMES)}")
