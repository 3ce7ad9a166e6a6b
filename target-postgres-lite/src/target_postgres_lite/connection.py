"""One lazily (re)opened connection, with the session settings loads rely on.

After a transient failure the committer retries the whole job; dropping a
broken connection here makes the retry start from a fresh one.
"""

from __future__ import annotations

import psycopg2
import psycopg2.errors
from psycopg2.extensions import connection as PgConnection

CONNECT_TIMEOUT_SECONDS = 10


class Connection:
    def __init__(self, dsn: str) -> None:
        self._dsn = dsn
        self._conn: PgConnection | None = None

    def get(self) -> PgConnection:
        if self._conn is None or self._conn.closed:
            conn = psycopg2.connect(
                self._dsn, connect_timeout=CONNECT_TIMEOUT_SECONDS, application_name="target-postgres-lite"
            )
            with conn.cursor() as cur:
                # Timestamps without an offset are UTC by Singer convention.
                cur.execute("SET TIME ZONE 'UTC'")
            conn.commit()
            self._conn = conn
        return self._conn

    def discard(self) -> None:
        """Roll back and, if the connection is broken, drop it for the next get()."""
        if self._conn is None:
            return
        try:
            self._conn.rollback()
        except psycopg2.Error:
            self._conn.close()
            self._conn = None

    def close(self) -> None:
        if self._conn is not None and not self._conn.closed:
            self._conn.close()
        self._conn = None


def is_transient(error: BaseException) -> bool:
    """Connection-level failures; data errors are never retried."""
    return isinstance(error, (psycopg2.OperationalError, psycopg2.InterfaceError)) and not isinstance(
        error, psycopg2.errors.QueryCanceled
    )
