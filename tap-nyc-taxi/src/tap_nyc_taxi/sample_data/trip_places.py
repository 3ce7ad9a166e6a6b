"""Where trips start and end: per taxi type, how pickups and drop-offs spread over the zones.

Yellow cabs live in Manhattan and at the airports, green cabs may only pick up
street hails in upper Manhattan and the outer boroughs, for-hire vehicles go
everywhere. Reproducing that mix keeps zone joins and airport fees realistic.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from tap_nyc_taxi.taxi_types import FHV, GREEN, YELLOW

from .zones import ZONES, location_ids_where

_UPPER_MANHATTAN = (41, 42, 74, 75, 116, 127, 152, 166, 243, 244)
_BUSY_MIDTOWN_AND_UPPER_EAST = (48, 68, 79, 107, 140, 141, 142, 161, 162, 163, 170, 186, 230, 234, 236, 237, 239)


@dataclass(frozen=True)
class ZoneMix:
    """Share of trips per service zone, with some zones busier than their neighbours."""

    service_zone_shares: dict[str, float]
    busier_zones: tuple[int, ...] = ()
    busier_factor: float = 1.0
    location_weights: np.ndarray = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        weights = np.zeros(len(ZONES) + 1)
        for service_zone, share in self.service_zone_shares.items():
            ids = location_ids_where(service_zone)
            weights[ids] = share / len(ids)
        weights[list(self.busier_zones)] *= self.busier_factor
        object.__setattr__(self, "location_weights", weights[1:] / weights.sum())

    def sample(self, rows: int, rng: np.random.Generator) -> np.ndarray:
        return rng.choice(np.arange(1, len(ZONES) + 1), size=rows, p=self.location_weights)


@dataclass(frozen=True)
class TripEnds:
    pickups: ZoneMix
    dropoffs: ZoneMix


TRIP_ENDS: dict[str, TripEnds] = {
    YELLOW.name: TripEnds(
        pickups=ZoneMix(
            {"Yellow Zone": 0.88, "Airports": 0.07, "Boro Zone": 0.044, "EWR": 0.0005, "N/A": 0.0055},
            _BUSY_MIDTOWN_AND_UPPER_EAST,
            4.0,
        ),
        dropoffs=ZoneMix(
            {"Yellow Zone": 0.83, "Airports": 0.04, "Boro Zone": 0.12, "EWR": 0.003, "N/A": 0.007},
            _BUSY_MIDTOWN_AND_UPPER_EAST,
            3.0,
        ),
    ),
    GREEN.name: TripEnds(
        pickups=ZoneMix(
            {"Yellow Zone": 0.42, "Airports": 0.01, "Boro Zone": 0.55, "N/A": 0.02},
            _UPPER_MANHATTAN,
            25.0,
        ),
        dropoffs=ZoneMix(
            {"Yellow Zone": 0.35, "Airports": 0.02, "Boro Zone": 0.61, "EWR": 0.001, "N/A": 0.019},
            _UPPER_MANHATTAN,
            6.0,
        ),
    ),
    FHV.name: TripEnds(
        pickups=ZoneMix({"Yellow Zone": 0.3, "Airports": 0.06, "Boro Zone": 0.6, "EWR": 0.005, "N/A": 0.035}),
        dropoffs=ZoneMix({"Yellow Zone": 0.28, "Airports": 0.05, "Boro Zone": 0.62, "EWR": 0.01, "N/A": 0.04}),
    ),
}
