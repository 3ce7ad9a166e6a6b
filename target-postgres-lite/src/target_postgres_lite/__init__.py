"""Singer target for PostgreSQL: the PostgreSQL side of the shared target core."""

__version__ = "0.1.0"
