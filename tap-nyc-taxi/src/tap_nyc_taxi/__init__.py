"""Singer tap for NYC TLC trip records, the taxi zone lookup and course ratings."""

from singer_lite_core.arrow_memory import JEMALLOC_RELEASING_AT_ONCE, load_pyarrow

# The tap frees a batch of decoded columns many times a second: on a 1M-row
# high-volume FHV month its peak RSS was 300 MB on Arrow's defaults, 245 MB
# with freed pages returned at once. Polars' own jemalloc is left alone: the
# same option there costs a fifth of the tap's speed.
load_pyarrow(JEMALLOC_RELEASING_AT_ONCE)

from singer_lite_core.about import installed_version  # noqa: E402 - pyarrow must load first

__version__ = installed_version("tap-nyc-taxi")
