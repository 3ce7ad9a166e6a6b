"""Independent, reproducible random streams keyed by what is being generated.

Every file draws from its own stream derived from the user's seed plus labels
(taxi type, month, ...), so a file's content never depends on which other files
were generated in the same run or in what order.
"""

from __future__ import annotations

import numpy as np


def labelled_rng(seed: int, *labels: str) -> np.random.Generator:
    if seed < 0:
        raise ValueError(f"seed must be non-negative, got {seed}")
    label_key = int.from_bytes("/".join(labels).encode("utf-8"), "big")
    return np.random.default_rng(np.random.SeedSequence(entropy=seed, spawn_key=(label_key,)))
