"""Singer target for PostgreSQL: the PostgreSQL side of the shared target core."""

from singer_lite_core.about import installed_version

__version__ = installed_version("target-postgres-lite")
