"""The Singer command-line contract shared by the tap and both targets.

`--config ENV` is singer-sdk's way to say "settings from environment
variables": it names no file. The environment (<PROGRAM>_<SETTING>) is read
whether or not it is given, so ENV alone is a run with no config file at all.
"""

from __future__ import annotations

import argparse
from collections.abc import Sequence
from typing import Any, Literal

ENV_CONFIG = "ENV"
TEST_RECORDS, TEST_SCHEMA = "all", "schema"


def connector_argument_parser(
    program: str, description: str, role: Literal["tap", "target"]
) -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog=program, description=description)
    parser.add_argument(
        "--config",
        action=_ConfigFiles,
        default=[],
        metavar="FILE",
        help=f"JSON settings file, or {ENV_CONFIG} for environment variables only; repeatable, later files override"
        " earlier ones",
    )
    parser.add_argument("--about", action="store_true", help="print the settings and capabilities, then exit")
    parser.add_argument("--format", choices=("json", "markdown"), default="json", help="format of --about")
    parser.add_argument("--version", action="store_true", help="print the version, then exit")
    if role == "tap":
        parser.add_argument(
            "--state", metavar="FILE", help="resume from this STATE value (the last one a target echoed)"
        )
        parser.add_argument("--catalog", metavar="FILE", help="stream and property selection")
        parser.add_argument("--properties", metavar="FILE", help="legacy name of --catalog")
        parser.add_argument("--discover", action="store_true", help="print the catalog, then exit")
        parser.add_argument(
            "--test",
            nargs="?",
            const=TEST_RECORDS,
            choices=(TEST_RECORDS, TEST_SCHEMA),
            help="sync one record per stream (--test), or write only the SCHEMA messages (--test=schema); "
            "the catalog and the state are not read, as in singer-sdk",
        )
    else:
        parser.add_argument("--input", metavar="FILE", help="read Singer messages from FILE instead of stdin")
    return parser


class _ConfigFiles(argparse.Action):
    """Collects --config files in order, leaving out ENV, which names none."""

    def __call__(
        self,
        parser: argparse.ArgumentParser,
        namespace: argparse.Namespace,
        values: str | Sequence[Any] | None,
        option_string: str | None = None,
    ) -> None:
        files = [*getattr(namespace, self.dest), *([] if values == ENV_CONFIG else [values])]
        setattr(namespace, self.dest, files)
