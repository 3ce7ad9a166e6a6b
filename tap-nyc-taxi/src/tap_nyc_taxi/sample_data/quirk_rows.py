"""Choosing which rows carry which data-quality defect.

Quirks get disjoint rows so one defect never masks another (a refund row is not
also an unreported row whose payment_type would be overwritten), and each quirk
gets at least one row whenever the file has room, so even the small files used
in tests show every defect a consumer has to cope with.
"""

from __future__ import annotations

import math
from collections.abc import Mapping

import numpy as np


def allocate_quirk_rows(rows: int, rates: Mapping[str, float], rng: np.random.Generator) -> dict[str, np.ndarray]:
    wanted = [min(rows, math.ceil(rows * rate)) for rate in rates.values()]
    total = min(rows, sum(wanted))
    chosen = rng.choice(rows, size=total, replace=False)
    allocated: dict[str, np.ndarray] = {}
    start = 0
    for name, count in zip(rates, wanted, strict=True):
        end = min(total, start + count)
        allocated[name] = np.sort(chosen[start:end])
        start = end
    return allocated
