"""One lazily (re)opened connection, with the session settings loads rely on.

After a transient failure the committer retries the whole job; dropping a
broken connection here makes the retry start from a fresh one. A connection
the server or libpq refuses for who we are or how we speak (TLS, certificates,
authentication) is no outage: retrying cannot fix it, so it ends the run at
once, as one line.
"""

from __future__ import annotations

import psycopg2
import psycopg2.errors
from psycopg2.extensions import connection as PgConnection

from singer_lite_core.errors import ConnectorError, one_line
from singer_lite_core.libpq_tls import tls_hint

CONNECT_TIMEOUT_SECONDS = 10

# libpq's and the server's words for a connection refused for a reason no
# retry changes. Matched in the message because libpq reports connection
# failures without an SQLSTATE; anything not listed stays transient.
REFUSED_CONNECTION_MARKERS = (
    # TLS: the server's certificate, the handshake, the client's own files.
    "certificate verify failed",
    "does not match host name",
    "SSL was required",
    "alert unknown ca",
    "alert bad certificate",
    "alert certificate required",
    "alert handshake failure",
    "alert protocol version",
    "certificate file",
    "private key file",
    # Authentication: who we are, or the server's rules for where we connect from.
    "authentication failed for user",
    "no password supplied",
    "no pg_hba.conf entry",
    "pg_hba.conf rejects connection",
    "requires a valid client certificate",
)


class Connection:
    def __init__(self, dsn: str) -> None:
        self._dsn = dsn
        self._conn: PgConnection | None = None
        # Which session get() returns: a new number for each new connection,
        # for what a session holds and loses with it (session advisory locks).
        self.session = 0

    def get(self) -> PgConnection:
        if self._conn is None or self._conn.closed:
            try:
                conn = psycopg2.connect(
                    self._dsn, connect_timeout=CONNECT_TIMEOUT_SECONDS, application_name="target-postgres-lite"
                )
            except psycopg2.OperationalError as error:
                if is_refused_connection(error):
                    message = one_line(str(error))
                    raise ConnectorError(f"cannot connect to PostgreSQL: {message}{tls_hint(message)}") from None
                raise
            with conn.cursor() as cur:
                # Timestamps without an offset are UTC by Singer convention.
                cur.execute("SET TIME ZONE 'UTC'")
            conn.commit()
            self._conn = conn
            self.session += 1
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
    """Connection-level failures, and transactions the server aborted for meeting
    another run's (deadlock_detected 40P01, serialization_failure 40001: psycopg2's
    TransactionRollbackError is an OperationalError), which succeed when run
    again; data errors are never retried, nor is a refused connection
    (Connection.get raises that as a ConnectorError)."""
    return isinstance(error, (psycopg2.OperationalError, psycopg2.InterfaceError)) and not isinstance(
        error, psycopg2.errors.QueryCanceled
    )


def is_refused_connection(error: BaseException) -> bool:
    """A connection that the server, or libpq itself, refused for TLS or
    authentication (REFUSED_CONNECTION_MARKERS)."""
    message = str(error)
    return any(marker in message for marker in REFUSED_CONNECTION_MARKERS)
