"""What an existing column becomes when a new SCHEMA declares its property again.

One rule for every target: the column takes the join of what it holds and
what is declared (logical_types.join), so it only ever widens and both the
rows already loaded and the new ones fit without loss. A schema that
declares a narrower type leaves the column as it is; records are then
decoded to the column's type, which holds theirs.

That includes a schema that says string for a JSON column: the column stays
JSON and the strings are stored as JSON strings. Turning the column into
text instead would rewrite the table (a full rewrite in both databases)
only to lose the JSON type of every value already there, and a later
schema that says object again could not bring the objects back: they would
come back as JSON strings holding their text.
"""

from __future__ import annotations

from singer_lite_core.target_driver.logical_types import LogicalType, join


def evolved_type(existing: LogicalType | None, declared: LogicalType) -> LogicalType:
    """The type a column must have to hold its `existing` values and `declared`
    ones; `existing` is None for a type the targets never create (uuid,
    GEOGRAPHY, ...), whose column is left alone and given values as declared,
    for the database to convert."""
    return declared if existing is None else join(existing, declared)
