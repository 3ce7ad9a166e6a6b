"""Signals only ask for a stop; the stop happens where the program checks, and
ends in one line and exit code 128 + the signal, however many signals come."""

from __future__ import annotations

import signal
import subprocess
import sys

import pytest

from singer_lite_core.stop_request import Stopped, StopRequest


def test_the_first_signal_decides_and_later_ones_change_nothing() -> None:
    stop = StopRequest()
    stop.check()  # nothing asked yet
    for signum in (signal.SIGTERM, signal.SIGINT, signal.SIGINT):
        stop.ask(signum)
    assert stop.signal == signal.SIGTERM
    with pytest.raises(Stopped) as raised:
        stop.check()
    assert (str(raised.value), raised.value.exit_code) == ("stopped by SIGTERM", 143)
    assert Stopped(signal.SIGINT).exit_code == 130


def run_program(body: str) -> subprocess.CompletedProcess[str]:
    """Run `body` (the inside of an entry point taking `stop`) under run_main, as a program named demo."""
    program = (
        "import os, signal, sys\n"
        "from singer_lite_core.errors import run_main\n"
        "def entry(stop):\n"
        + "".join(f"    {line}\n" for line in body.strip().splitlines())
        + 'run_main("demo", entry)\n'
    )
    return subprocess.run([sys.executable, "-c", program], capture_output=True, text=True, timeout=60, check=False)


def test_ctrl_c_three_times_interrupts_nothing_and_ends_in_one_line() -> None:
    done = run_program(
        """
for _ in range(3):
    os.kill(os.getpid(), signal.SIGINT)
print("still running")
stop.check()
print("never here")
"""
    )
    assert (done.returncode, done.stdout, done.stderr) == (130, "still running\n", "demo: error: stopped by SIGINT\n")


def test_a_reader_gone_after_a_stop_is_part_of_the_stop() -> None:
    """Ctrl-C stops both ends of a pipe: the write that finds its reader gone is no news."""
    program = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import os, signal, sys\n"
            "from singer_lite_core.errors import run_main\n"
            "def entry(stop):\n"
            "    os.kill(os.getpid(), signal.SIGTERM)\n"
            "    sys.stdout.buffer.write(b'x' * (1 << 20))\n"
            "    sys.stdout.buffer.flush()\n"
            'run_main("demo", entry)\n',
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    assert program.stdout is not None
    assert program.stderr is not None
    program.stdout.close()
    assert program.wait(timeout=60) == 143
    assert program.stderr.read() == "demo: error: stopped by SIGTERM\n"
