"""User ratings of courses: a few thousand unique (user, course) pairs with 1-5 stars.

Popular courses collect most ratings and each course has its own typical score,
so aggregates computed downstream look like those of the real data set.
"""

from __future__ import annotations

import numpy as np
import pyarrow as pa

_USERS = 900
_HIGHEST_USER_ID = 20_000
_MEAN_RATINGS_PER_USER = 4.5
_MAX_RATINGS_PER_USER = 30
_COURSE_POPULARITY_EXPONENT = 0.9


def generate_ratings(course_ids: np.ndarray, rng: np.random.Generator) -> pa.Table:
    user_ids = np.sort(rng.choice(np.arange(1, _HIGHEST_USER_ID), size=_USERS, replace=False))
    per_user = rng.geometric(1.0 / _MEAN_RATINGS_PER_USER, size=_USERS).clip(1, _MAX_RATINGS_PER_USER)
    raters = np.repeat(user_ids, per_user)

    popularity = 1.0 / rng.permutation(np.arange(1, course_ids.size + 1)) ** _COURSE_POPULARITY_EXPONENT
    rated = rng.choice(course_ids, size=raters.size, p=popularity / popularity.sum())

    # A user rates a course at most once: keep the first draw of every pair.
    pair_keys = raters.astype(np.int64) * (int(course_ids.max()) + 1) + rated
    _, first = np.unique(pair_keys, return_index=True)
    first.sort()
    raters, rated = raters[first], rated[first]

    typical_by_course = rng.uniform(3.2, 4.6, size=course_ids.size)
    typical = typical_by_course[np.searchsorted(np.sort(course_ids), rated)]
    stars = np.rint(rng.normal(typical, 0.9)).clip(1, 5).astype(np.int64)
    return pa.table(
        {
            "user_id": pa.array(raters, pa.int64()),
            "course_id": pa.array(rated, pa.int64()),
            "rating": pa.array(stars, pa.int64()),
        }
    )
