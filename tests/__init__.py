"""The test suite (`make test`), a folder per thing under test.

    conftest.py        the session's PostgreSQL server and BigQuery emulator, and `backend`
    support/           what suites share: connectors run as processes, Singer text,
                       one Backend interface over PostgreSQL and BigQuery, Meltano, prerequisites
    targets/           behaviour every target must have, run once per back end
    target_postgres/   what only target-postgres-lite has
    target_bigquery/   what only target-bigquery-lite has
    e2e/               tap | target end to end: shell pipes, crashes and restarts, Meltano
    test_*.py          the local servers, the singer-python fixture tap, the README

The tap and the shared core have folders of their own beside these.
"""
