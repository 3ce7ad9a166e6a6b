"""Local stand-ins for the services the connectors talk to: a PostgreSQL
server, a BigQuery API emulator, a misbehaving HTTP file server (which can
answer as the TLC's CloudFront and redirect as GitHub releases do), an S3 API
(moto) and a GCS JSON API (gcp-storage-emulator). Each but PostgreSQL is a
local_server.LocalServer: a `with` block starts it and stops it.

The demo, the benchmarks and the tests all need them, so they live on the
product side; the tests import them, never the other way round. Nothing
here imports pytest.
"""
