"""Running BigQuery jobs so that a retry never loads a batch twice.

The core's committer retries a whole load after a transient error (429,
5xx, a reset connection), and is the only retry layer: the client's own
retries are switched off, so `retry_attempts` means the same as for
PostgreSQL. A retried append must not append again when the first attempt's
job did run and only its answer was lost, so every job gets an id derived
from the batch; resubmitting it answers 409, and the job that already ran is
awaited instead. Only when that earlier job failed is a fresh id used.

A job that lost to another job's concurrent update of its table (another
shard's MERGE into the same table) changed nothing, so it is submitted
again under the next id after a jittered backoff (conflicts.py); this
retry stays inside the job's one step, so nothing else of the stream runs
in between: the MERGE reads the same staged rows again.
"""

from __future__ import annotations

import concurrent.futures
import itertools
import logging
from collections.abc import Callable, Iterator
from typing import IO

import requests.exceptions
from google.api_core import exceptions as api
from google.auth.exceptions import TransportError
from google.cloud import bigquery

from singer_lite_core.errors import LoadError
from target_bigquery_lite.conflicts import CONCURRENT_UPDATE_ATTEMPTS, concurrent_update_retrying, is_concurrent_update
from target_bigquery_lite.connection import NO_RETRY

log = logging.getLogger(__name__)

_TRANSIENT_API = (
    api.TooManyRequests,
    api.InternalServerError,
    api.BadGateway,
    api.ServiceUnavailable,
    api.GatewayTimeout,
)
_TRANSIENT_REASONS = {"backendError", "internalError", "rateLimitExceeded", "jobBackendError", "jobInternalError"}
_TRANSIENT_NETWORK = (
    requests.exceptions.ConnectionError,
    requests.exceptions.ChunkedEncodingError,
    requests.exceptions.Timeout,
    TransportError,
    ConnectionError,
)
# How many ids one job may go through: its conflict retries, and the earlier
# failed attempts a retry of the whole load finds again (each answers 409).
MAX_FRESH_IDS = 2 * CONCURRENT_UPDATE_ATTEMPTS

# What get_job may return for a job id this runner submitted.
Job = bigquery.LoadJob | bigquery.QueryJob | bigquery.CopyJob | bigquery.ExtractJob | bigquery.UnknownJob


def is_transient(error: BaseException) -> bool:
    """Rate limits, server errors and broken connections; a 400 or 403 (other
    than BigQuery's 403 rateLimitExceeded) fails at once."""
    if isinstance(error, _TRANSIENT_API + _TRANSIENT_NETWORK):
        return True
    return isinstance(error, api.GoogleAPICallError) and _reason(error) in _TRANSIENT_REASONS


class JobRunner:
    def __init__(self, client: bigquery.Client, run_id: str, timeout_seconds: int) -> None:
        self._client = client
        self._run_id = run_id
        self._timeout = timeout_seconds
        self._statements = itertools.count()

    def load(self, data: IO[bytes], destination: str, config: bigquery.LoadJobConfig, name: str) -> None:
        def submit(job_id: str) -> bigquery.LoadJob:
            data.seek(0)
            return self._client.load_table_from_file(
                data, destination, job_config=config, job_id=job_id, num_retries=0, timeout=self._timeout
            )

        config.job_timeout_ms = self._timeout * 1000
        self._run(name, submit)

    def load_uri(self, uri: str, destination: str, config: bigquery.LoadJobConfig, name: str) -> None:
        """Load one gs:// object; a refusal names the object (the API's own text
        may name it by an http URL, or not at all)."""

        def submit(job_id: str) -> bigquery.LoadJob:
            return self._client.load_table_from_uri(
                uri, destination, job_config=config, job_id=job_id, retry=NO_RETRY, timeout=self._timeout
            )

        config.job_timeout_ms = self._timeout * 1000
        try:
            self._run(name, submit)
        except LoadError as error:
            raise LoadError(f"{uri}: {error}", error.row) from None

    def query(self, sql: str, name: str | None = None) -> None:
        """Run a statement; `name` only for statements that must not run twice,
        others (DDL, idempotent DML) get a fresh id each time."""
        name = name or f"statement{next(self._statements)}"
        config = bigquery.QueryJobConfig(job_timeout_ms=self._timeout * 1000)

        def submit(job_id: str) -> bigquery.QueryJob:
            return self._client.query(
                sql, job_config=config, job_id=job_id, retry=NO_RETRY, job_retry=None, timeout=self._timeout
            )

        self._run(name, submit)

    def _run(self, name: str, submit: Callable[[str], Job]) -> None:
        """Submit under the batch's job id (or reattach to the job that already has
        it) and wait, again under the next id while the job loses to concurrent
        updates; `name` must be unique per batch and step within the run."""
        attempts = itertools.count()
        try:
            concurrent_update_retrying(name)(self._submit_and_wait, name, submit, attempts)
        except api.BadRequest as error:
            if not is_concurrent_update(error):
                raise
            raise LoadError(f"{api_message(error)} (on each of {CONCURRENT_UPDATE_ATTEMPTS} attempts)") from None

    def _submit_and_wait(self, name: str, submit: Callable[[str], Job], attempts: Iterator[int]) -> None:
        job: Job
        for attempt in attempts:
            job_id = f"target_bigquery_lite_{self._run_id}_{name}_{attempt}"
            try:
                job = submit(job_id)
            except api.Conflict:
                job = self._client.get_job(job_id, retry=NO_RETRY)
                if job.state == "DONE" and job.error_result is not None and attempt + 1 < MAX_FRESH_IDS:
                    log.info("job %s failed in an earlier attempt; submitting it again", job_id)
                    continue
                log.info("job %s was already submitted; waiting for it", job_id)
            except api.GoogleAPICallError as error:
                raise self._failure(error) from None
            self._wait(job)
            return
        raise AssertionError("the attempts never run out")

    def _wait(self, job: Job) -> None:
        no_job_retry = {"job_retry": None} if isinstance(job, bigquery.QueryJob) else {}
        try:
            job.result(timeout=self._timeout, retry=NO_RETRY, **no_job_retry)
        except concurrent.futures.TimeoutError:
            job.cancel(retry=NO_RETRY)
            raise LoadError(f"job {job.job_id} did not finish within {self._timeout} s and was cancelled") from None
        except api.GoogleAPICallError as error:
            raise self._failure(error) from None

    @staticmethod
    def _failure(error: api.GoogleAPICallError) -> Exception:
        """Transient errors go back to the committer for a retry, a concurrent
        update to _run's; the others become a LoadError carrying the API's own message."""
        if is_transient(error) or is_concurrent_update(error):
            return error
        return LoadError(api_message(error))


def api_message(error: api.GoogleAPICallError) -> str:
    """The API's message without the request URL the client prefixes it with."""
    details = [e.get("message") for e in (error.errors or []) if isinstance(e, dict) and e.get("message")]
    message = details[0] if details else error.message
    return f"BigQuery {error.code}: {message}" if error.code else f"BigQuery: {message}"


def _reason(error: api.GoogleAPICallError) -> str | None:
    for item in error.errors or []:
        if isinstance(item, dict) and item.get("reason"):
            return str(item["reason"])
    return None
