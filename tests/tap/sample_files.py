"""The shape of the session's sample data set (see conftest's `sample_dir`), for
tests that assert counts against it."""

MONTHS = "2021-01:2021-02"
ROWS = 1_500
SEED = 7
