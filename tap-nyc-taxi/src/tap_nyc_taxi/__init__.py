"""Singer tap for NYC TLC trip records, the taxi zone lookup and course ratings."""

from tap_nyc_taxi.allocator_settings import load_pyarrow_releasing_memory

load_pyarrow_releasing_memory()

from singer_lite_core.about import installed_version  # noqa: E402 - pyarrow must load first

__version__ = installed_version("tap-nyc-taxi")
