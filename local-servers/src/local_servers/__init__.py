"""Local stand-ins for the services the connectors talk to: a PostgreSQL
server, a BigQuery API emulator and a misbehaving HTTP file server.

The demo, the benchmarks and the tests all need them, so they live on the
product side; the tests import them, never the other way round. Nothing
here imports pytest.
"""
