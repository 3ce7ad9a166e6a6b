"""The Singer command-line contract shared by the tap and both targets."""

from __future__ import annotations

import argparse
from typing import Literal


def connector_argument_parser(
    program: str, description: str, role: Literal["tap", "target"]
) -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog=program, description=description)
    parser.add_argument(
        "--config",
        action="append",
        default=[],
        metavar="FILE",
        help="JSON settings file; repeatable, later files override earlier ones",
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
    else:
        parser.add_argument("--input", metavar="FILE", help="read Singer messages from FILE instead of stdin")
    return parser
