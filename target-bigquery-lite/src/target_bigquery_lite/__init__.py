"""Singer target for BigQuery: the BigQuery side of the shared target core."""

__version__ = "0.1.0"
