"""Singer tap for NYC TLC trip records, the taxi zone lookup and course ratings."""

from singer_lite_core.about import installed_version

__version__ = installed_version("tap-nyc-taxi")
