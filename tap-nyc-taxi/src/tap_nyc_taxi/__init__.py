"""Singer tap for NYC TLC trip records, the taxi zone lookup and course ratings."""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("tap-nyc-taxi")
except PackageNotFoundError:
    __version__ = "0.0.0"
