"""Singer target for PostgreSQL: the PostgreSQL side of the shared target core."""

from singer_lite_core.arrow_memory import JEMALLOC, load_pyarrow

# Peak RSS on 1M yellow rows, at the same CPU time: 317-334 MB on the system
# allocator and 322-331 MB on mimalloc (Arrow's default) from parquet BATCH
# files, 258-265 MB on jemalloc; 267 MB against 245 MB from RECORD lines.
load_pyarrow(JEMALLOC)

from singer_lite_core.about import installed_version  # noqa: E402 - pyarrow must load first

__version__ = installed_version("target-postgres-lite")
