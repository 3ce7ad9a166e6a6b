"""When each surcharge began, shared by the tariff and the file layouts.

A surcharge column appears in the files when the surcharge starts, so the
charged amounts and the published columns must agree on these dates.
"""

from __future__ import annotations

from tap_nyc_taxi.months import Month

CONGESTION_SURCHARGE_START = Month(2019, 1)
AIRPORT_FEE_COLUMN_START = Month(2021, 1)
AIRPORT_FEE_START = Month(2021, 3)
CBD_CONGESTION_FEE_START = Month(2025, 1)
