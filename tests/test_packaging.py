"""Each connector installs on its own, the way users install connectors.

A user's meltano.yml says `pip_url: git+https://...#subdirectory=<connector>`, or they give that URL to
pipx: pip clones the repository, builds the connector's folder, and takes everything else from the
package index. Nothing else of ours is there to be found, so a connector that named `singer-lite-core`
(published nowhere) would not install, or would install whatever stranger registered that name first.

The test does what pip does, on this checkout as it stands: the working tree, uncommitted changes
included, becomes the one commit of a scratch repository (this checkout's own .git is only read). Each
connector's sdist and wheel are built from a clone of it, the wheel from the unpacked sdist alone, and
must carry singer_lite_core and name nothing of ours. Then each connector is installed alone from a
git+file:// URL of that repository into a fresh virtualenv, and run from there: `--about`, and the
installed tap's sample data loaded through each installed target.
"""

from __future__ import annotations

import email
import json
import os
import subprocess
import sys
import tarfile
import tempfile
import tomllib
import zipfile
from collections import Counter
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

from tests.support.backend import Backend
from tests.support.memory_disk import memory_backed_dir
from tests.support.singer_process import run_connector, write_json

pytestmark = pytest.mark.packaging

REPO_ROOT = Path(__file__).resolve().parents[1]
TAP = "tap-nyc-taxi"
CONNECTORS = (TAP, "target-postgres-lite", "target-bigquery-lite")
OUR_DISTRIBUTIONS = frozenset({"singer-lite-core", "local-servers", *CONNECTORS})
OUR_PACKAGES = ("singer_lite_core", "local_servers", *(c.replace("-", "_") for c in CONNECTORS))
CORE = Path("singer-lite-core")
CORE_PACKAGE = CORE / "src" / "singer_lite_core"
SAMPLE_ROWS = 200
STEP_TIMEOUT_SECONDS = 240
# Room the scratch folder needs: three virtualenvs, the clones and the built distributions.
SCRATCH_BYTES = 3 << 30
# Prints, for each of our top-level packages, the file the interpreter would import it from (or null).
WHERE_FROM = (
    "import importlib.util, json, sys\n"
    "print(json.dumps({n: (s.origin if (s := importlib.util.find_spec(n)) else None) for n in sys.argv[1:]}))"
)

InstallConnector = Callable[[str], Path]


def _run(command: list[str | Path], cwd: Path, stdin: str | None = None) -> str:
    """One step's standard output; a failing step fails the test with the command and the end of its output.

    PYTHONPATH and VIRTUAL_ENV are withheld so that nothing of the development venv leaks into the
    virtualenvs under test."""
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV")}
    completed = subprocess.run(
        [str(part) for part in command],
        input=stdin,
        capture_output=True,
        text=True,
        cwd=cwd,
        env=env,
        timeout=STEP_TIMEOUT_SECONDS,
        check=False,
    )
    if completed.returncode != 0:
        tail = "\n".join((completed.stdout + completed.stderr).strip().splitlines()[-30:])
        pytest.fail(f"{' '.join(map(str, command))} exited {completed.returncode}:\n{tail}", pytrace=False)
    return completed.stdout


@pytest.fixture(scope="module")
def scratch() -> Iterator[Path]:
    """Deleted at the end: the three virtualenvs take about a gigabyte, which pytest's own temporary
    folders would keep for the next three runs. In memory where there is room (tests/support/memory_disk.py)."""
    with tempfile.TemporaryDirectory(prefix="test-packaging-", dir=memory_backed_dir(SCRATCH_BYTES)) as path:
        yield Path(path)


@pytest.fixture(scope="module")
def repository(scratch: Path) -> Path:
    """A bare repository whose one commit is this checkout's working tree, as .gitignore filters it."""
    git_dir = scratch / "repository.git"
    git: list[str | Path] = [
        "git",
        f"--git-dir={git_dir}",
        f"--work-tree={REPO_ROOT}",
        "-c",
        "user.name=test_packaging",
        "-c",
        "user.email=test_packaging@localhost",
        "-c",
        "commit.gpgsign=false",
    ]
    _run(["git", "init", "--quiet", "--bare", git_dir], cwd=scratch)
    _run([*git, "add", "--all"], cwd=scratch)
    _run([*git, "commit", "--quiet", "--no-verify", "--message", "the working tree under test"], cwd=scratch)
    return git_dir


@pytest.fixture(scope="module")
def checkout(scratch: Path, repository: Path) -> Path:
    """What a user's clone holds: links as git stores them, no build output, no .venv."""
    _run(["git", "clone", "--quiet", repository, scratch / "checkout"], cwd=scratch)
    return scratch / "checkout"


@pytest.fixture(scope="module")
def install(scratch: Path, repository: Path) -> InstallConnector:
    """`install(connector)`: the bin folder of a fresh virtualenv holding that connector alone, installed
    by pip from a git URL of `repository`; made once per connector.

    The virtualenv is made without pip and filled by the development venv's pip (`--python`): ensurepip
    would add seconds per virtualenv and change nothing that gets installed, and one pip shares one cache.
    `--no-compile`: byte-compiling every installed module took most of the install's time, and the runs
    below compile what they import anyway.
    """
    made: dict[str, Path] = {}

    def install(connector: str) -> Path:
        if connector not in made:
            venv = scratch / f"venv-{connector}"
            _run([sys.executable, "-m", "venv", "--without-pip", venv], cwd=scratch)
            pip: list[str | Path] = [sys.executable, "-m", "pip", "--python", venv / "bin" / "python"]
            _run(
                [*pip, "install", "--quiet", "--no-compile", f"git+file://{repository}#subdirectory={connector}"],
                cwd=scratch,
            )
            made[connector] = venv / "bin"
        return made[connector]

    return install


def _core_modules(checkout: Path) -> list[str]:
    package = checkout / CORE_PACKAGE
    return sorted(path.relative_to(package).as_posix() for path in package.rglob("*.py"))


def _core_requirements(checkout: Path) -> set[str]:
    project = tomllib.loads((checkout / CORE / "pyproject.toml").read_text())["project"]
    return {canonicalize_name(Requirement(text).name) for text in project["dependencies"]}


@pytest.mark.parametrize("connector", CONNECTORS)
def test_sdist_and_wheel_carry_the_core_and_name_nothing_of_ours(connector: str, checkout: Path, scratch: Path) -> None:
    out = scratch / "dist" / connector
    # With neither --sdist nor --wheel, build makes the sdist and then the wheel from the unpacked sdist
    # alone, away from the repository: so the sdist is installable on its own.
    _run([sys.executable, "-m", "build", "--outdir", out, checkout / connector], cwd=scratch)
    [sdist] = out.glob("*.tar.gz")
    [wheel] = out.glob("*.whl")
    core = _core_modules(checkout)
    assert core, "the core's modules were not found in the checkout"

    with tarfile.open(sdist) as archive:
        members = {m.name.split("/", 1)[1]: m for m in archive.getmembers() if "/" in m.name}
    prefix = "src/singer_lite_core/"
    shipped = {
        name.removeprefix(prefix): m for name, m in members.items() if name.startswith(prefix) and name.endswith(".py")
    }
    assert sorted(shipped) == core
    assert [name for name, m in shipped.items() if not m.isfile()] == [], "the sdist must hold copies, not links"

    with zipfile.ZipFile(wheel) as archive:
        names = archive.namelist()
        [metadata_path] = [n for n in names if n.endswith(".dist-info/METADATA")]
        metadata = email.message_from_bytes(archive.read(metadata_path))
    assert sorted(n.removeprefix("singer_lite_core/") for n in names if n.startswith("singer_lite_core/")) == core
    assert metadata["Name"] == connector
    required = {canonicalize_name(Requirement(text).name) for text in metadata.get_all("Requires-Dist", [])}
    assert sorted(required & OUR_DISTRIBUTIONS) == []
    assert sorted(_core_requirements(checkout) - required) == [], "the core's dependencies must be the connector's too"


@pytest.mark.parametrize("connector", CONNECTORS)
def test_installs_alone_from_a_git_url_and_runs(connector: str, install: InstallConnector, scratch: Path) -> None:
    bin_dir = install(connector)
    _run([sys.executable, "-m", "pip", "--python", bin_dir / "python", "check"], cwd=scratch)

    origins = json.loads(_run([bin_dir / "python", "-c", WHERE_FROM, *OUR_PACKAGES], cwd=scratch))
    found = {name: Path(origin).resolve() for name, origin in origins.items() if origin is not None}
    assert set(found) == {"singer_lite_core", connector.replace("-", "_")}, origins
    assert all(path.is_relative_to(bin_dir.parent.resolve()) for path in found.values()), origins

    about = json.loads(_run([bin_dir / connector, "--about"], cwd=scratch))
    developed = run_connector(connector, "--about", singer_output=False)
    assert developed.returncode == 0, developed.stderr
    assert about == json.loads(developed.stdout)


def test_installed_tap_loads_through_the_installed_target(
    backend: Backend, install: InstallConnector, tmp_path: Path
) -> None:
    tap_bin = install(TAP)
    target_bin = install(backend.program)
    sample = tmp_path / "sample"
    sample_args = ["--months", "2021-01", "--rows-per-month", str(SAMPLE_ROWS), "--taxi-types", "yellow"]
    _run([tap_bin / "tap-nyc-taxi-sample", "--out", sample, *sample_args], cwd=tmp_path)
    tap_config = {
        "source": str(sample),
        "taxi_types": ["yellow"],
        "zone_lookup": str(sample / "taxi_zone_lookup.csv"),
        "cache_dir": str(tmp_path / "cache"),
    }
    output = _run([tap_bin / TAP, "--config", write_json(tmp_path / "tap.json", tap_config)], cwd=tmp_path)

    messages = [json.loads(line) for line in output.splitlines()]
    records = [m for m in messages if m["type"] == "RECORD"]
    emitted = Counter(m["stream"] for m in records)
    assert set(emitted) == {"yellow_trips", "taxi_zones"}
    assert emitted["yellow_trips"] == SAMPLE_ROWS

    echoed = _run([target_bin / backend.program, "--config", backend.write_config()], cwd=tmp_path, stdin=output)
    assert {stream: backend.count(stream) for stream in emitted} == emitted
    trip_rows = sorted(m["record"]["source_row"] for m in records if m["stream"] == "yellow_trips")
    assert [row for (row,) in backend.rows("yellow_trips", ["source_row"], order_by="source_row")] == trip_rows
    assert json.loads(echoed.splitlines()[-1]) == [m["value"] for m in messages if m["type"] == "STATE"][-1]
