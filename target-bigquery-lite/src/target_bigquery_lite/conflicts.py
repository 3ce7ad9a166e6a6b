"""Telling another writer's concurrent change from a real error, and retrying through it.

Several target processes (one per tap shard) may load the same streams into
one dataset at once. Two kinds of collision are then expected, and neither
means the data or the statement is wrong:

- A mutating DML statement (the upsert's MERGE, ACTIVATE_VERSION's UPDATE or
  DELETE) that conflicts with another job's update of the same table fails
  with BigQuery's 400 "Could not serialize access to table P:D.T due to
  concurrent update", or, in a transaction, "Transaction is aborted due to
  concurrent update against table ...". Its reason, invalidQuery, is the
  one SQL errors have too, so only the message tells it apart. On the
  local emulator, a MERGE whose commit loses to another process's DDL on
  the table fails as 400 "cannot rollback - no transaction is active" (the
  failed commit ended the transaction its error path then rolls back). A
  failed statement changed nothing, so it is submitted again (jobs.py).
- DDL racing another process's DDL: 409 Conflict when the dataset or table
  exists already, 412 Precondition Failed when the table changed since it
  was read (update_table sends the etag it read), and, on the local
  emulator, whose catalog commits DDL optimistically, 400 "Failed to commit
  DuckLake transaction." for every loser of a race. Each is answered by
  reading the dataset or table again and doing only what is still missing
  (ddl.py).

Both retry with full-jitter exponential backoff: processes that collided
once would collide again in lockstep if they waited alike.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable

from google.api_core import exceptions as api
from tenacity import RetryCallState, Retrying, retry_if_exception, stop_after_attempt, wait_random_exponential

log = logging.getLogger(__name__)

CONCURRENT_UPDATE_MESSAGES = (
    "could not serialize access to table",
    "transaction is aborted due to concurrent update",
    "cannot rollback - no transaction is active",  # the emulator's
)
EMULATOR_DDL_CONFLICT_MESSAGE = "failed to commit ducklake transaction"

# A conflicting MERGE waits for others' DML on the table, which may take a
# while on BigQuery: 8 attempts, waiting up to 1, 2, 4, 8, 16, 30 and 30 s
# between them (half that on average).
CONCURRENT_UPDATE_ATTEMPTS = 8
CONCURRENT_UPDATE_WAIT = wait_random_exponential(multiplier=1, max=30)
# DDL is quick; the race is over once one writer committed.
DDL_CONFLICT_ATTEMPTS = 6
DDL_CONFLICT_WAIT = wait_random_exponential(multiplier=0.25, max=5)


def is_concurrent_update(error: BaseException) -> bool:
    """BigQuery's answer to a DML statement that lost to another job's update of its table."""
    return isinstance(error, api.BadRequest) and _says(error, CONCURRENT_UPDATE_MESSAGES)


def is_ddl_conflict(error: BaseException) -> bool:
    """Another writer's DDL got there first: the thing exists, or changed since it was read."""
    if isinstance(error, api.Conflict | api.PreconditionFailed):
        return True
    return isinstance(error, api.BadRequest) and _says(error, (EMULATOR_DDL_CONFLICT_MESSAGE,))


def concurrent_update_retrying(job: str) -> Retrying:
    """Retrying a job (`job` names it in the log) that may lose to a concurrent update of its table."""
    return _retrying(
        is_concurrent_update,
        CONCURRENT_UPDATE_ATTEMPTS,
        CONCURRENT_UPDATE_WAIT,
        f"job {job} conflicted with another job's concurrent update of its table",
    )


def ddl_conflict_retrying(subject: str) -> Retrying:
    """Retrying DDL on `subject` (a dataset or table id) that may race another writer's."""
    return _retrying(
        is_ddl_conflict, DDL_CONFLICT_ATTEMPTS, DDL_CONFLICT_WAIT, f"DDL on {subject} raced another writer's"
    )


def _retrying(
    retried: Callable[[BaseException], bool], attempts: int, wait: wait_random_exponential, what: str
) -> Retrying:
    def log_retry(state: RetryCallState) -> None:
        error = state.outcome.exception() if state.outcome is not None else None
        seconds = state.next_action.sleep if state.next_action is not None else 0.0
        detail = _messages(error)[0] if error is not None else ""
        log.warning(
            "%s (attempt %d of %d); retrying in %.1f s: %s", what, state.attempt_number, attempts, seconds, detail
        )

    return Retrying(
        retry=retry_if_exception(retried),
        stop=stop_after_attempt(attempts),
        wait=wait,
        before_sleep=log_retry,
        reraise=True,
    )


def _says(error: api.GoogleAPICallError, texts: Iterable[str]) -> bool:
    return any(text in message.lower() for message in _messages(error) for text in texts)


def _messages(error: BaseException) -> list[str]:
    """The API's messages: each error item's, then the exception's own."""
    if not isinstance(error, api.GoogleAPICallError):
        return [str(error)]
    items = [str(e["message"]) for e in error.errors or [] if isinstance(e, dict) and e.get("message")]
    return [*items, str(error.message)]
