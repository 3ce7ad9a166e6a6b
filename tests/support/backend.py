"""The one interface tests use to drive a target and see what landed.

A shared test (tests/targets, tests/e2e) must not know which database it
talks to, so everything it needs is here in neutral terms: settings that point
a target at a fresh schema or dataset, the real target process run on Singer
text, rows read back as Python values, column types as the core's logical type
names. Where the back ends legitimately differ (how a bad timestamp is
reported, how to make the service unreachable, which setting is secret), the
difference is data or a method of the back end, never a branch in a test.
"""

from __future__ import annotations

import json
from abc import ABC, abstractmethod
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, ClassVar

from tests.support.singer_process import Run, run_connector


@dataclass
class Backend(ABC):
    """One back end per test; `tmp_path` holds its config file.

    Subclasses name themselves in the class statement, e.g.
    `class X(Backend, name="x", bad_timestamp_error="...")`: `name` also
    gives the program, target-<name>-lite; `bad_timestamp_error` is the
    error text after "column 'c': " for a date-time value the target cannot
    read, with "{value!r}" filled in, and a trailing "..." when the error
    only starts so (the rest is the database's wording).
    """

    name: ClassVar[str]
    program: ClassVar[str]
    bad_timestamp_error: ClassVar[str]
    tmp_path: Path

    def __init_subclass__(cls, *, name: str, bad_timestamp_error: str, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        cls.name = name
        cls.program = f"target-{name}-lite"
        cls.bad_timestamp_error = bad_timestamp_error

    @abstractmethod
    def config(self, **overrides: Any) -> dict[str, Any]:
        """Settings that point the target at this test's own schema or dataset."""

    @abstractmethod
    def pipeline_config(self, **overrides: Any) -> dict[str, Any]:
        """The same place, set as a user sets up a scheduled pipeline (Meltano, cron): the
        connection setting by setting rather than as a URL, the target's defaults for the rest."""

    @abstractmethod
    def query(self, sql: str) -> list[tuple[Any, ...]]: ...

    @abstractmethod
    def quote(self, name: str) -> str: ...

    @abstractmethod
    def table(self, stream: str) -> str:
        """The stream's table as a quoted, qualified SQL name."""

    @abstractmethod
    def column_types(self, stream: str) -> dict[str, str]:
        """Column -> logical type name ("integer", "decimal", "json", ...)."""

    @abstractmethod
    def tables(self) -> set[str]: ...

    @abstractmethod
    def unreachable_settings(self) -> dict[str, Any]:
        """Settings under which every connection attempt fails the way an outage does."""

    @abstractmethod
    def secret_settings(self, secret: str) -> dict[str, Any]:
        """Settings that hand the target `secret` where a real password or key would go."""

    def run(self, stdin: bytes | str, env: dict[str, str] | None = None, **settings: Any) -> Run:
        data = stdin.encode() if isinstance(stdin, str) else stdin
        return run_connector(self.program, "--config", self.write_config(**settings), stdin=data, env=env)

    def write_config(self, **settings: Any) -> Path:
        path = self.tmp_path / "config.json"
        path.write_text(json.dumps(self.config(**settings)))
        return path

    def rows(self, stream: str, columns: Sequence[str], order_by: str | Sequence[str] = ()) -> list[tuple[Any, ...]]:
        """The columns' values, in database order unless `order_by` (a column or several) is given."""
        keys = [order_by] if isinstance(order_by, str) else order_by
        order = f" ORDER BY {', '.join(map(self.quote, keys))}" if keys else ""
        return self.query(f"SELECT {', '.join(map(self.quote, columns))} FROM {self.table(stream)}{order}")

    def count(self, stream: str) -> int:
        return int(self.query(f"SELECT COUNT(*) FROM {self.table(stream)}")[0][0])

    def error_line(self, message: str) -> str:
        return f"{self.program}: error: {message}"

    def __str__(self) -> str:
        return self.name
