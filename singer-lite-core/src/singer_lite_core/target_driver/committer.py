"""A worker thread that runs database work in order, overlapping it with decoding.

While the database copies one batch, the main thread reads and decodes the
next; Arrow and the database driver release the GIL, so both cores work.
The queue holds one waiting job, which bounds memory to about two batches.
A job that fails on a transient error is retried with backoff; any other
failure stops the worker, and the main thread re-raises it at its next call,
so nothing after a failed commit is ever reported as committed. A failure
is re-raised as the one line the user sees, naming the stream and the input
line(s) the job stands for (Committer._explained, the only place that does).

Once a stop is asked (stop_request.py), the job in flight may finish, but
no job waiting starts and no retry is made: the worker fails with Stopped
instead, by the same path as any failure.
"""

from __future__ import annotations

import logging
import queue
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

from tenacity import RetryCallState, Retrying, retry_if_exception, stop_after_attempt, wait_exponential

from singer_lite_core.errors import ConnectorError, InputError, LoadError, one_line, where
from singer_lite_core.stop_request import StopRequest
from singer_lite_core.target_driver.loader import Batch

log = logging.getLogger(__name__)

STOP_POLL_SECONDS = 0.1


@dataclass(frozen=True)
class Job:
    """Work for one stream; when it returns, the first `upto` records of the
    stream are durable. It stands for the message at input `line`, or for
    the `batch` it loads."""

    stream: str
    upto: int
    run: Callable[[], None]
    line: int | None = None
    batch: Batch | None = None

    def location(self, row: int | None = None) -> str:
        """Where the batch's `row` came from, else where the batch did, else the message's line."""
        if self.batch is None:
            return where(self.stream, line=self.line)
        return self.batch.location(row)


def _log_retry(state: RetryCallState) -> None:
    error = state.outcome.exception() if state.outcome is not None else None
    log.warning("transient database error, retrying (attempt %d): %s", state.attempt_number, one_line(str(error)))


class Committer:
    def __init__(
        self,
        is_transient: Callable[[BaseException], bool],
        attempts: int,
        max_wait: float = 10.0,
        stop: StopRequest | None = None,
    ) -> None:
        self._is_transient = is_transient
        self._attempts = attempts
        self._stop = stop or StopRequest()
        self._retrying = Retrying(
            retry=retry_if_exception(is_transient),
            stop=stop_after_attempt(attempts),
            wait=wait_exponential(multiplier=0.5, max=max_wait),
            sleep=self._wait_to_retry,
            before_sleep=_log_retry,
            reraise=True,
        )
        self._jobs: queue.Queue[Job | None] = queue.Queue(maxsize=1)
        self._done: queue.Queue[Job] = queue.Queue()
        self._error: BaseException | None = None
        self._thread = threading.Thread(target=self._work, name="committer", daemon=True)
        self._thread.start()

    def submit(self, job: Job) -> None:
        self._raise_failure()
        self._jobs.put(job)

    def completed(self) -> list[Job]:
        """Jobs finished since the last call, in the order they were submitted."""
        done = []
        while True:
            try:
                done.append(self._done.get_nowait())
            except queue.Empty:
                return done

    def wait_idle(self) -> None:
        self._jobs.join()
        self._raise_failure()

    def stop(self) -> None:
        self._jobs.put(None)
        self._thread.join()

    def _raise_failure(self) -> None:
        if self._error is not None:
            raise self._error

    def _wait_to_retry(self, seconds: float) -> None:
        """Sleep before a retry, giving the job up (Stopped) once a stop is asked."""
        deadline = time.monotonic() + seconds
        while (left := deadline - time.monotonic()) > 0:
            self._stop.check()
            time.sleep(min(left, STOP_POLL_SECONDS))
        self._stop.check()

    def _explained(self, job: Job | None, error: BaseException) -> BaseException:
        """A loader's refusal (LoadError) or a transient error that outlasted
        every retry, as one line naming the job's location; anything else
        (a ConnectorError already explained, a bug) as it is."""
        if job is None:
            return error
        if isinstance(error, LoadError):
            return InputError(f"{job.location(error.row)}: {error}")
        if self._is_transient(error):
            return ConnectorError(
                f"{job.location()}: database unavailable after {self._attempts} attempts: {one_line(str(error))}"
            )
        return error

    def _work(self) -> None:
        while True:
            job = self._jobs.get()
            try:
                if job is None:
                    return
                if self._error is None:
                    self._stop.check()
                    self._retrying(job.run)
                    self._done.put(job)
            except BaseException as error:  # noqa: BLE001 - handed to the main thread
                self._error = self._explained(job, error)
            finally:
                self._jobs.task_done()
