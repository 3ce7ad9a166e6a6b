"""A local BigQuery emulator (local-bigquery) for tests and benchmarks.

The emulator only runs on Python 3.13 while the project targets 3.11, so it
cannot be a dependency of the test venv. Instead it lives in its own venv at
``<repo>/.bqemu`` and is driven as a subprocess over HTTP, which also means the
real ``google-cloud-bigquery`` client is exercised end to end.
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import json
import os
import shutil
import socket
import subprocess
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, NoReturn, Self

from local_servers.local_server import LocalServer

if TYPE_CHECKING:
    from google.cloud import bigquery

# An editable install (make install) keeps this file in the repository, whose root holds .bqemu.
REPO_ROOT = Path(__file__).resolve().parents[3]
VENV_DIR = REPO_ROOT / ".bqemu"
PYTHON_VERSION = "3.13"
PYENV_VERSION = "3.13.0"
DEFAULT_PROJECT = "test-project"

# Newer releases (local-bigquery 0.4.0) do not run on this machine, and the
# DuckDB extensions must match the DuckDB build exactly, so every piece is pinned.
PINNED_PACKAGES = (
    "local-bigquery==0.3.2",
    "duckdb==1.5.5",
    "duckdb-extensions==1.5.5",
    "duckdb-extension-icu==1.5.5",
    "duckdb-extension-ducklake==1.5.5",
    "duckdb-extension-spatial==1.5.5",
    "duckdb-extension-httpfs==1.5.5",
)
# Without these installed locally DuckDB tries to download them on first attach
# (httpfs: on the first gs:// load), which fails offline and leaves the emulator
# unusable until it is restarted.
DUCKDB_EXTENSIONS = ("icu", "ducklake", "spatial", "httpfs")

STAMP_NAME = "bqemu-stamp.json"
# DuckDB installs extensions under $HOME/.duckdb; pointing HOME inside the venv
# keeps them alongside the venv so a rebuild or a cleaned home cannot desync them.
DUCKDB_HOME_NAME = "duckdb-home"
# Only these variables reach the emulator: it reads settings such as CALLER,
# GROUPS or DATA_DIR straight from the environment, which must not leak in.
PASSED_ENV = ("PATH", "LANG", "LC_ALL", "TMPDIR")

PIP_TIMEOUT_SECONDS = 900.0
PROBE_TIMEOUT_SECONDS = 30.0
STOP_TIMEOUT_SECONDS = 10.0
START_ATTEMPTS = 3
LOG_TAIL_LINES = 40


class EmulatorError(RuntimeError):
    """The emulator could not be installed or started; the message says why."""


class Python313NotFoundError(EmulatorError):
    """No usable Python 3.13 exists, so the emulator cannot run on this machine.

    Kept distinct from other failures so tests can skip on it (outside CI)
    while still failing loudly on anything that is actually broken.
    """


def _probe_python(candidate: str) -> str | None:
    """Return why ``candidate`` cannot host the venv, or None if it can.

    pyenv shims exist on PATH even when they fail to run, and Debian splits
    ``venv``/``ensurepip`` into a separate package, so only running the
    interpreter proves it is usable.
    """
    check = "import sys, venv, ensurepip; print('%d.%d' % sys.version_info[:2])"
    try:
        result = subprocess.run(
            [candidate, "-c", check],
            capture_output=True,
            text=True,
            timeout=PROBE_TIMEOUT_SECONDS,
        )
    except (OSError, subprocess.TimeoutExpired) as error:
        return f"does not run ({error})"
    if result.returncode != 0:
        return f"fails: {_headline(result.stderr)}"
    if result.stdout.strip() != PYTHON_VERSION:
        return f"is Python {result.stdout.strip()}, not {PYTHON_VERSION}"
    return None


def _headline(stderr: str) -> str:
    """Pick the informative line of a failure: a traceback's last, a shim's first."""
    lines = stderr.strip().splitlines() or ["no output"]
    return lines[-1] if lines[0].startswith("Traceback") else lines[0]


def _pyenv_executable() -> str | None:
    """Find pyenv even when only its root, not its bin dir, is configured."""
    found = shutil.which("pyenv")
    if found:
        return found
    root = Path(os.environ.get("PYENV_ROOT", Path.home() / ".pyenv"))
    candidate = root / "bin" / "pyenv"
    return str(candidate) if candidate.is_file() else None


def _pyenv_python() -> tuple[str | None, str]:
    """Return (interpreter, note) for pyenv's 3.13, bypassing its shims."""
    pyenv = _pyenv_executable()
    if pyenv is None:
        return None, "pyenv is not installed"
    try:
        result = subprocess.run(
            [pyenv, "prefix", PYENV_VERSION],
            capture_output=True,
            text=True,
            timeout=PROBE_TIMEOUT_SECONDS,
        )
    except (OSError, subprocess.TimeoutExpired) as error:
        return None, f"`pyenv prefix {PYENV_VERSION}` did not run ({error})"
    if result.returncode != 0:
        return None, f"pyenv has no {PYENV_VERSION} ({result.stderr.strip()})"
    prefix = Path(result.stdout.strip().splitlines()[0])
    return str(prefix / "bin" / f"python{PYTHON_VERSION}"), f"pyenv {PYENV_VERSION}"


def find_python313() -> str:
    """Locate a Python 3.13 that can create venvs, or explain what is missing.

    BQEMU_PYTHON wins when set and is never silently ignored: a wrong explicit
    setting is a mistake the user should hear about.
    """
    override = os.environ.get("BQEMU_PYTHON")
    if override:
        problem = _probe_python(override)
        if problem is None:
            return override
        raise Python313NotFoundError(
            f"BQEMU_PYTHON={override} {problem}; point it at a Python "
            f"{PYTHON_VERSION} interpreter that has the venv module, or unset it."
        )
    tried = ["BQEMU_PYTHON: not set"]
    pyenv_python, note = _pyenv_python()
    if pyenv_python is not None:
        problem = _probe_python(pyenv_python)
        if problem is None:
            return pyenv_python
        note = f"{pyenv_python} {problem}"
    tried.append(f"pyenv: {note}")
    on_path = shutil.which(f"python{PYTHON_VERSION}")
    if on_path is None:
        tried.append(f"PATH: no python{PYTHON_VERSION}")
    else:
        problem = _probe_python(on_path)
        if problem is None:
            return on_path
        tried.append(f"PATH: {on_path} {problem}")
    raise Python313NotFoundError(
        f"The BigQuery emulator needs Python {PYTHON_VERSION} with the venv module, "
        f"and none was found ({'; '.join(tried)}). Install it with "
        f"`pyenv install {PYENV_VERSION}` (Debian 12 ships no python{PYTHON_VERSION}; "
        f"elsewhere python{PYTHON_VERSION} plus python{PYTHON_VERSION}-venv from the "
        f"OS also works), or set BQEMU_PYTHON to a Python {PYTHON_VERSION} interpreter."
    )


def _venv_python(venv_dir: Path) -> Path:
    return venv_dir / "bin" / "python"


def _duckdb_home(venv_dir: Path) -> Path:
    return venv_dir / DUCKDB_HOME_NAME


def _expected_stamp() -> dict[str, list[str]]:
    return {"packages": list(PINNED_PACKAGES), "extensions": list(DUCKDB_EXTENSIONS)}


def _extensions_installed(venv_dir: Path) -> bool:
    extensions = _duckdb_home(venv_dir) / ".duckdb" / "extensions"
    return all(any(extensions.glob(f"*/*/{name}.duckdb_extension")) for name in DUCKDB_EXTENSIONS)


def _venv_is_current(venv_dir: Path) -> bool:
    """Trust the venv only if it was fully built with today's pins.

    The stamp is written last, so an interrupted build never looks current;
    a dangling interpreter symlink catches a removed base Python.
    """
    try:
        recorded = json.loads((venv_dir / STAMP_NAME).read_text())
    except (OSError, ValueError):
        return False
    return recorded == _expected_stamp() and _venv_python(venv_dir).exists() and _extensions_installed(venv_dir)


def _run_setup_step(command: list[str], what: str, env: dict[str, str] | None = None) -> None:
    """Run one build step, surfacing its output only when it fails."""
    try:
        result = subprocess.run(
            command,
            capture_output=True,
            text=True,
            timeout=PIP_TIMEOUT_SECONDS,
            env=env,
        )
    except (OSError, subprocess.TimeoutExpired) as error:
        raise EmulatorError(f"Could not {what}: {error}") from error
    if result.returncode != 0:
        output = (result.stdout + result.stderr).strip().splitlines()
        tail = "\n".join(output[-LOG_TAIL_LINES:])
        raise EmulatorError(f"Could not {what} (exit {result.returncode}):\n{tail}")


def _build_venv(venv_dir: Path, python: str) -> None:
    shutil.rmtree(venv_dir, ignore_errors=True)
    _run_setup_step([python, "-m", "venv", str(venv_dir)], f"create {venv_dir}")
    venv_python = str(_venv_python(venv_dir))
    _run_setup_step(
        # Byte-compiling all 3,000 modules up front costs seconds; the server compiles those it imports.
        [venv_python, "-m", "pip", "install", "--quiet", "--no-compile", *PINNED_PACKAGES],
        f"install {' '.join(PINNED_PACKAGES)} into {venv_dir}",
    )
    install_extensions = (
        "from duckdb_extensions import import_extension\n"
        f"for name in {DUCKDB_EXTENSIONS!r}:\n"
        "    import_extension(name)\n"
    )
    _duckdb_home(venv_dir).mkdir()
    _run_setup_step(
        [venv_python, "-c", install_extensions],
        "install the DuckDB extensions",
        env=os.environ | {"HOME": str(_duckdb_home(venv_dir))},
    )
    (venv_dir / STAMP_NAME).write_text(json.dumps(_expected_stamp(), indent=2))


@contextlib.contextmanager
def _build_lock(venv_dir: Path) -> Iterator[None]:
    """Serialise builds across processes (parallel test workers, benchmarks).

    The lock file lives in the temp dir rather than the repo so that it never
    shows up as an untracked file and survives the venv being wiped.
    """
    digest = hashlib.sha256(str(venv_dir).encode()).hexdigest()[:16]
    lock_path = Path(tempfile.gettempdir()) / f"bqemu-{digest}.lock"
    with lock_path.open("w") as lock_file:
        fcntl.flock(lock_file, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(lock_file, fcntl.LOCK_UN)


def ensure_venv(venv_dir: Path = VENV_DIR) -> Path:
    """Create the emulator venv unless an up-to-date one exists; return it.

    Python 3.13 is only looked up when a build is needed: a current venv
    already proves it is present.
    """
    if _venv_is_current(venv_dir):
        return venv_dir
    with _build_lock(venv_dir):
        if not _venv_is_current(venv_dir):
            _build_venv(venv_dir, find_python313())
    return venv_dir


def _free_port_pair() -> tuple[int, int]:
    """Two distinct free loopback ports (REST and gRPC).

    Both sockets stay open until both ports are chosen so they differ; the
    remaining race with other processes is handled by retrying the start.
    """
    with socket.socket() as first, socket.socket() as second:
        first.bind(("127.0.0.1", 0))
        second.bind(("127.0.0.1", 0))
        return first.getsockname()[1], second.getsockname()[1]


def _log_tail(log_path: Path) -> str:
    try:
        lines = log_path.read_text(errors="replace").splitlines()
    except OSError:
        return "(no emulator log)"
    return "\n".join(lines[-LOG_TAIL_LINES:]) or "(emulator log is empty)"


class BigQueryEmulator(LocalServer):
    """A private local-bigquery server on 127.0.0.1, for one ``with`` block.

    Each instance gets fresh ports and a fresh data dir, so tests never see
    each other's datasets and nothing persists after ``stop``.
    """

    def __init__(
        self,
        project: str = DEFAULT_PROJECT,
        startup_timeout: float = 60.0,
        venv_dir: Path = VENV_DIR,
        storage_emulator_host: str | None = None,
        data_parent: Path | None = None,
    ) -> None:
        """`storage_emulator_host`: the URL of a local GCS API (local_servers.gcs_server)
        that gs:// load sources are read from; without it the emulator reads them
        from its own data directory.

        `data_parent`: where the data directory is made (default: the system's temporary
        folder); tests give a tmpfs, since every job commits the emulator's catalog, and
        on a disk each commit waits for its flushes (up to half of a small job's time)."""
        self.project = project
        self.startup_timeout = startup_timeout
        self.venv_dir = venv_dir
        self.storage_emulator_host = storage_emulator_host
        self.data_parent = data_parent
        self.port = 0
        self.grpc_port = 0
        self._temp_dir: Path | None = None
        self._process: subprocess.Popen[bytes] | None = None

    @property
    def endpoint(self) -> str:
        """Base URL to pass as the client's ``api_endpoint``."""
        return f"http://127.0.0.1:{self.port}"

    @property
    def log_path(self) -> Path:
        """Where the emulator's own output goes; removed by ``stop``."""
        if self._temp_dir is None:
            raise EmulatorError("The emulator has not been started.")
        return self._temp_dir / "emulator.log"

    def client(self) -> bigquery.Client:
        """Return a new real BigQuery client bound to this emulator; the caller closes it.

        The client is imported here, not at the top: it is no dependency of
        this package (target-bigquery-lite brings it), and it costs 0.35 s and
        85 MB that a PostgreSQL-only run or a bench's measuring parent must not carry.
        """
        from google.auth.credentials import AnonymousCredentials  # noqa: PLC0415 - see the docstring
        from google.cloud import bigquery  # noqa: PLC0415 - see the docstring

        return bigquery.Client(
            project=self.project,
            credentials=AnonymousCredentials(),  # type: ignore[no-untyped-call]  # google-auth leaves it unannotated
            client_options={"api_endpoint": self.endpoint},
        )

    def start(self) -> Self:
        """Build the venv if needed, start the server and wait until it answers."""
        executable = ensure_venv(self.venv_dir) / "bin" / "local-bigquery"
        self._temp_dir = Path(tempfile.mkdtemp(prefix="bqemu-", dir=self.data_parent))
        try:
            self._start_with_retries(executable)
        except BaseException:
            self.stop()
            raise
        return self

    def stop(self) -> None:
        """Stop the server and delete its data; safe to call more than once."""
        if self._process is not None:
            self._terminate()
        if self._temp_dir is not None:
            shutil.rmtree(self._temp_dir, ignore_errors=True)
            self._temp_dir = None

    def _start_with_retries(self, executable: Path) -> None:
        """Retry only when a chosen port was grabbed by someone else meanwhile."""
        for attempt in range(1, START_ATTEMPTS + 1):
            self.port, self.grpc_port = _free_port_pair()
            self._spawn(executable)
            try:
                self._wait_until_ready()
                return
            except EmulatorError:
                self._terminate()
                log = _log_tail(self.log_path).lower()
                port_taken = "address already in use" in log or "failed to bind" in log
                if not port_taken or attempt == START_ATTEMPTS:
                    raise

    def _spawn(self, executable: Path) -> None:
        assert self._temp_dir is not None
        env = {key: os.environ[key] for key in PASSED_ENV if key in os.environ}
        env["HOME"] = str(_duckdb_home(self.venv_dir))
        if self.storage_emulator_host is not None:
            # The emulator's only way to this setting is its environment (no flag).
            env["STORAGE_EMULATOR_HOST"] = self.storage_emulator_host
        data_dir = self._temp_dir / "data"
        # A retry must not inherit the half-initialised catalog of a failed attempt.
        shutil.rmtree(data_dir, ignore_errors=True)
        command = [
            str(executable),
            "serve",
            "--host", "127.0.0.1",
            "--port", str(self.port),
            "--grpc-port", str(self.grpc_port),
            "--project", self.project,
            "--data-dir", str(data_dir),
        ]  # fmt: skip
        with self.log_path.open("wb") as log:
            self._process = subprocess.Popen(
                command,
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
                env=env,
            )

    def _wait_until_ready(self) -> None:
        """Poll the dataset list, which also forces the first database attach.

        An HTTP error here is fatal rather than retried: after a failed first
        attach the emulator never recovers without a restart.
        """
        assert self._process is not None
        url = f"{self.endpoint}/bigquery/v2/projects/{self.project}/datasets"
        deadline = time.monotonic() + self.startup_timeout
        while time.monotonic() < deadline:
            if self._process.poll() is not None:
                self._fail(f"exited with code {self._process.returncode}")
            try:
                with urllib.request.urlopen(url, timeout=5) as response:
                    if response.status == 200:
                        return
            except urllib.error.HTTPError as error:
                body = error.read().decode(errors="replace")[:500]
                self._fail(f"answered HTTP {error.code} to {url}: {body}")
            except (urllib.error.URLError, ConnectionError, TimeoutError):
                pass
            time.sleep(0.05)
        self._fail(f"was not ready after {self.startup_timeout:.0f}s")

    def _fail(self, reason: str) -> NoReturn:
        raise EmulatorError(f"local-bigquery {reason}. Last lines of its log:\n{_log_tail(self.log_path)}")

    def _terminate(self) -> None:
        process, self._process = self._process, None
        if process is None or process.poll() is not None:
            return
        process.terminate()
        try:
            process.wait(timeout=STOP_TIMEOUT_SECONDS)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
