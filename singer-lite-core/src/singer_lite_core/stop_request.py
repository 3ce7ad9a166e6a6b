"""Stopping at a safe point when a scheduler or a person asks (SIGTERM, SIGINT).

Meltano, Airflow and Kubernetes stop a job with SIGTERM; Ctrl-C sends SIGINT
to every process of a pipe. Python's own reactions are wrong for a
connector: SIGTERM kills it wherever it is, often inside a write, leaving
half a line; SIGINT raises KeyboardInterrupt wherever the main thread
happens to be, inside native code or an error handler too, and ends in a
traceback. So the handlers here only record that a stop was asked, and by
which signal. The tap and the target look at the request where stopping
loses nothing (between batches, between messages) and raise Stopped there,
which run_main turns into one line and exit code 128 + the signal's number.

The first signal decides; later ones change nothing. The
stop is already on its way at the earliest safe point, and anything faster
would tear a line or leave a committed load without its STATE. SIGKILL
remains the way to stop at once, and it is safe as well: a target only ever
confirms committed records.
"""

from __future__ import annotations

import signal
from types import FrameType

STOP_SIGNALS = (signal.SIGTERM, signal.SIGINT)


class Stopped(Exception):
    """Raised at a safe point once a stop was asked: no failure of the data."""

    def __init__(self, signum: signal.Signals) -> None:
        super().__init__(f"stopped by {signum.name}")
        self.signal = signum

    @property
    def exit_code(self) -> int:
        """What a shell reports for a process the signal ended: 143 for SIGTERM, 130 for SIGINT."""
        return 128 + int(self.signal)


class StopRequest:
    """Whether, and by which signal, this process was asked to stop.

    A run that nobody can signal (a test, a library call) holds one that is
    never asked."""

    def __init__(self) -> None:
        self._first: signal.Signals | None = None

    def ask(self, signum: int) -> None:
        """Record a request: all a signal handler does, so that it can run anywhere."""
        if self._first is None:
            self._first = signal.Signals(signum)

    @property
    def signal(self) -> signal.Signals | None:
        """The signal that asked first, or None."""
        return self._first

    def check(self) -> None:
        """Raise Stopped if a stop was asked; call it only where stopping loses nothing."""
        if self._first is not None:
            raise Stopped(self._first)


def install() -> StopRequest:
    """Route this process's SIGTERM and SIGINT to a new StopRequest (from the main thread).

    pyarrow's own interruption of long reads (pyarrow.csv.read_csv and the
    like) is turned off: it would cancel the read and fail it instead of
    letting it finish to the next safe point."""
    stop = StopRequest()

    def handle(signum: int, frame: FrameType | None) -> None:
        stop.ask(signum)

    for signum in STOP_SIGNALS:
        signal.signal(signum, handle)
    # Imported here: every module that imports errors imports this one, and
    # pyarrow takes 60 ms or more to import, which --about need not wait for.
    import pyarrow  # noqa: PLC0415 - see above

    pyarrow.enable_signal_handlers(False)
    return stop
