"""The shared core of the lite targets: everything except the database.

A target is `cli.target_main(...)` plus a `loader.Loader`. The core reads
and frames messages (messages, read_ahead, json_values), buffers and
flushes them per stream (batching), decodes blocks to Arrow (arrow_decode,
record_values), maps JSON Schema to logical types (logical_types,
stream_schema), adds `_sdc_*` columns (metadata_columns), keeps the last
record per key (dedupe), runs database work on a worker thread with
retries (committer), releases STATE only after commit (state_ledger), and
ties it together (runner, target_settings, cli). A loader reports bad data
with errors.LoadError.
"""
