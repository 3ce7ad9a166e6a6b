"""Every file of singer-sdk's target test suite, checked by what landed in each back end."""

from __future__ import annotations

from pathlib import Path

import pytest
import singer_sdk.testing

from tests.support.backend import Backend
from tests.support.singer_text import states
from tests.targets.sdk_cases import SDK_CASES, Case

STREAMS = Path(singer_sdk.testing.__file__).parent / "target_test_streams"


def test_every_shipped_file_is_covered() -> None:
    shipped = {p.stem for p in STREAMS.glob("*.singer")}
    covered = {name for case in SDK_CASES for name in case.files}
    assert shipped <= covered, shipped - covered


@pytest.mark.parametrize("case", SDK_CASES, ids=str)
def test_sdk_stream(backend: Backend, case: Case) -> None:
    *earlier, last = case.files
    for name in earlier:
        run = backend.run((STREAMS / f"{name}.singer").read_bytes(), **case.settings)
        assert run.returncode == 0, run.stderr
    run = backend.run((STREAMS / f"{last}.singer").read_bytes(), **case.settings)
    emitted = states(run)
    if case.succeeds:
        assert run.returncode == 0, run.stderr
    else:
        assert run.returncode != 0
        [line] = run.error_lines()
        if case.error is not None:
            assert line == backend.error_line(case.error)
        for part in case.error_contains:
            assert part in line
    if case.no_tables:
        assert backend.tables() == set()
    for expected in case.rows:
        landed = backend.rows(expected.stream, list(expected.columns))
        assert sorted(landed, key=repr) == sorted(expected.rows, key=repr)
    for value in case.values:
        found = dict(backend.rows(value.stream, [value.key_column, value.column]))
        assert found[value.key] == value.expected, value
    for stream, count in case.counts.items():
        assert backend.count(stream) == count, stream
    for (stream, column), total in case.sums.items():
        assert sum(v for (v,) in backend.rows(stream, [column])) == total
    for stream, types in case.types.items():
        column_types = backend.column_types(stream)
        assert (column_types if case.every_column else {c: column_types[c] for c in types}) == types
    if case.states is not None:
        assert emitted == case.states
    if case.last_state is not None:
        assert emitted[-1] == case.last_state
    if case.states_within is not None:
        assert all(s in case.states_within for s in emitted)
    assert len(emitted) >= case.min_states
