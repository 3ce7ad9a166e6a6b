"""Singer target for BigQuery: the BigQuery side of the shared target core."""

from singer_lite_core.about import installed_version

__version__ = installed_version("target-bigquery-lite")
