"""The `_sdc_*` columns that record where and when each row came from.

They follow the names singer-sdk and its targets use, so that downstream
models written for those targets keep working.
"""

from __future__ import annotations

from singer_lite_core.target_driver.logical_types import LogicalType
from singer_lite_core.target_driver.stream_schema import Column

EXTRACTED_AT = "_sdc_extracted_at"
RECEIVED_AT = "_sdc_received_at"
BATCHED_AT = "_sdc_batched_at"
DELETED_AT = "_sdc_deleted_at"
SEQUENCE = "_sdc_sequence"
TABLE_VERSION = "_sdc_table_version"

RECORD_METADATA = (
    Column(EXTRACTED_AT, LogicalType.TIMESTAMP),
    Column(RECEIVED_AT, LogicalType.TIMESTAMP),
    Column(BATCHED_AT, LogicalType.TIMESTAMP),
    Column(DELETED_AT, LogicalType.TIMESTAMP),
    Column(SEQUENCE, LogicalType.INTEGER),
    Column(TABLE_VERSION, LogicalType.INTEGER),
)

# ACTIVATE_VERSION needs these two even when record metadata is off: the
# version tells old rows from new ones, and soft deletes mark the old ones.
VERSION_METADATA = (
    Column(DELETED_AT, LogicalType.TIMESTAMP),
    Column(TABLE_VERSION, LogicalType.INTEGER),
)

# Filled from the RECORD envelope rather than from the record itself.
ENVELOPE_FILLED = frozenset({EXTRACTED_AT, RECEIVED_AT, BATCHED_AT, SEQUENCE, TABLE_VERSION})
