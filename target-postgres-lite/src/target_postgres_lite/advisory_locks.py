"""Advisory locks that let several runs (one per tap shard) share one schema.

A definition change (creating the schema or a table, adding or widening a
column, changing a key) is serialised per table by a lock held until the
transaction ends, taken only once a run has found something to change;
under it the run looks at the table again and applies only what another
run has not. Writes that change no definition take none, so COPYs into one
table still run side by side.

Replacing a table's rows (an overwrite, or retiring older versions on
ACTIVATE_VERSION) is one run's at a time: an overwrite's table aside has a
fixed name, so a second run would drop the first one's, and a run retiring
its older versions would retire rows the other has just written. The run
claims the table with a lock of its session, which outlives transactions
(and even a rollback) and which the server releases if the run dies, so the
next overwrite can tell a live run's table aside from a dead one's leftover.

Keys are 64-bit digests of the names, in a space of their own ("ddl",
"sole-writer") so that other users of advisory locks on the server do not meet
these except by a 2^-64 chance.
"""

from __future__ import annotations

import hashlib

from psycopg2.extensions import cursor as PgCursor

_KEY_BYTES = 8


def lock_definition(cur: PgCursor, schema: str, table: str | None = None) -> None:
    """Wait for, and hold until the transaction ends, the right to change the
    definition of `table` (or, without one, to create `schema`)."""
    cur.execute("SELECT pg_advisory_xact_lock(%s)", (_key("ddl", schema, table),))


def claim(cur: PgCursor, schema: str, table: str) -> bool:
    """Claim `table` as this session's alone to replace rows of; False (at once)
    while another session holds it."""
    cur.execute("SELECT pg_try_advisory_lock(%s)", (_key("sole-writer", schema, table),))
    [(granted,)] = cur.fetchall()
    return bool(granted)


def release(cur: PgCursor, schema: str, table: str) -> None:
    cur.execute("SELECT pg_advisory_unlock(%s)", (_key("sole-writer", schema, table),))


def _key(space: str, schema: str, table: str | None) -> int:
    """A bigint for the names; NUL cannot occur in a PostgreSQL name, so the joined text is unambiguous."""
    text = "\0".join(("target-postgres-lite", space, schema, table or ""))
    return int.from_bytes(hashlib.blake2b(text.encode(), digest_size=_KEY_BYTES).digest(), "big", signed=True)
