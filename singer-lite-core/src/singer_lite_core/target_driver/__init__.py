"""The shared core of the lite targets: everything except the database.

A target is `cli.target_main(...)` plus a `loader.Loader`, which declares
what its database takes (capabilities); the core's choices follow from
those facts, never from the database's name. The core reads and frames
messages (messages, read_ahead, json_values), buffers and flushes them per
stream (batching), decodes blocks to Arrow (arrow_decode, record_values,
record_fields for fields the SCHEMA does not declare, decimal_columns),
counts the values it loads otherwise than sent (lost_values), maps JSON Schema to logical types (logical_types,
stream_schema), names and evolves tables alike for every database
(identifiers, evolution, tables), adds `_sdc_*` columns (metadata_columns),
keeps the last record per key (dedupe), runs database work on a worker
thread with retries (committer), releases STATE only after commit
(state_ledger), and ties it together (runner, target_settings, cli). A
value that needs a wider column, or a record field that needs a new one,
raises logical_types.WiderTypeNeeded, which the runner alone handles; a loader reports bad data with errors.LoadError,
which the committer alone turns into the line the user sees.
"""
