"""One-line failures for command-line connectors.

A data engineer reading a scheduler log needs one line naming the stream, the
line or row, and the column at fault; a Python traceback buries that line and
may leak values. Connectors raise ConnectorError with such a line and let
run_main turn it into a non-zero exit.
"""

from __future__ import annotations

import logging
import os
import signal
import sys
from collections.abc import Callable
from typing import NoReturn

from singer_lite_core.stop_request import Stopped, StopRequest, install
from singer_lite_core.url_credentials import without_url_credentials

EXIT_FAILURE = 2


class ConnectorError(Exception):
    """A failure whose message is fit to show the user as it is."""


class ConfigError(ConnectorError):
    """A setting is missing, malformed or contradicts another."""


class InputError(ConnectorError):
    """Input data (a file, a message, a value) cannot be used."""


class LoadError(Exception):
    """A loader refused a batch because of its data, or a table change.

    A loader knows the batch row, not the input line, so it raises this with
    `row` (an index into Batch.table, when known); the target driver's
    committer turns it into an InputError that names the stream and the input
    line (the row's, else the batch's lines or the SCHEMA's line).
    """

    def __init__(self, message: str, row: int | None = None) -> None:
        super().__init__(message)
        self.row = row


def where(
    stream: str | None = None,
    *,
    line: int | None = None,
    lines: tuple[int, int] | None = None,
    source: str | None = None,
    row: int | None = None,
    column: str | None = None,
) -> str:
    """The one spelling of an error's location, for tap and targets alike:
    `stream 'yellow_trips': yellow_tripdata_2021-02.csv row 150: column 'passenger_count'`,
    `stream 'people': line 3`, `stream 'people': lines 3-9`. Parts that are not
    given are left out. `lines` (first and last) names a batch, and is spelled
    as a range even when the batch is one line, so that a failed batch never
    reads as a failed record."""
    parts = []
    if stream is not None:
        parts.append(f"stream {stream!r}")
    if line is not None:
        parts.append(f"line {line}")
    if lines is not None:
        parts.append(f"lines {lines[0]}-{lines[1]}")
    if source is not None:
        parts.append(source if row is None else f"{source} row {row}")
    elif row is not None:
        parts.append(f"row {row}")
    if column is not None:
        parts.append(f"column {column!r}")
    return ": ".join(parts)


def one_line(text: str) -> str:
    """Fold a message onto one line so that log scrapers see it whole."""
    return " ".join(str(text).split())


def run_main(program: str, entry: Callable[[StopRequest], int | None]) -> NoReturn:
    """Run a connector's entry point and map every outcome to an exit code.

    SIGTERM and SIGINT only ask `entry` to stop (stop_request.py); it stops
    at a safe point by raising Stopped, which ends in one line and exit code
    128 + the signal's number. A reader that goes away after a stop was asked
    is part of that stop (Ctrl-C stops both ends of a pipe), not news.
    Unexpected exceptions still end in one line; the traceback is logged only
    at DEBUG level (LOG_LEVEL=DEBUG), since it can carry record values.
    """
    log = logging.getLogger(program)
    stop = install()
    try:
        code = entry(stop) or 0
    except Stopped as stopped:
        code = _stopped(program, stopped)
    except ConnectorError as error:
        _report(program, str(error))
        code = EXIT_FAILURE
    except KeyboardInterrupt:
        code = _stopped(program, Stopped(signal.SIGINT))
    except BrokenPipeError:
        _silence_stdout()
        if stop.signal is not None:
            code = _stopped(program, Stopped(stop.signal))
        else:
            _report(program, "stdout closed by the reader; stopping")
            code = EXIT_FAILURE
    except Exception as error:
        log.debug("unexpected failure", exc_info=True)
        _report(program, f"internal error: {type(error).__name__}: {error}")
        code = EXIT_FAILURE
    try:
        sys.stdout.flush()
    except BrokenPipeError:
        _silence_stdout()
        code = code or EXIT_FAILURE
    sys.exit(code)


def _stopped(program: str, stopped: Stopped) -> int:
    _report(program, str(stopped))
    return stopped.exit_code


def _report(program: str, message: str) -> None:
    sys.stderr.write(f"{program}: error: {without_url_credentials(one_line(message))}\n")
    sys.stderr.flush()


def _silence_stdout() -> None:
    """Point stdout at /dev/null so the interpreter's final flush cannot raise again."""
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, sys.stdout.fileno())
