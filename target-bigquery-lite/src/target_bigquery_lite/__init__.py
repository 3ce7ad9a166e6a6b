"""Singer target for BigQuery: the BigQuery side of the shared target core."""

from singer_lite_core.arrow_memory import JEMALLOC, load_pyarrow

# Peak RSS on 200k yellow RECORDs (bench.target_bigquery): 278-287 MB appended
# and 308-316 MB upserted on mimalloc (Arrow's default), 248 and 252 MB on jemalloc.
load_pyarrow(JEMALLOC)

from singer_lite_core.about import installed_version  # noqa: E402 - pyarrow must load first

__version__ = installed_version("target-bigquery-lite")
