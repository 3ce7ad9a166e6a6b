"""The command line every target shares: --about, --version, config, input, STATE out."""

from __future__ import annotations

import json
import sys
from collections.abc import Callable, Mapping, Sequence
from contextlib import AbstractContextManager, nullcontext
from decimal import Decimal
from typing import Any, BinaryIO, NoReturn

from singer_lite_core.about import about_document, render_about
from singer_lite_core.cli_args import connector_argument_parser
from singer_lite_core.errors import ConfigError, run_main
from singer_lite_core.logs import configure_logging
from singer_lite_core.settings import Setting, load_config, redacted
from singer_lite_core.stop_request import StopRequest
from singer_lite_core.target_driver.loader import Loader
from singer_lite_core.target_driver.messages import read_messages
from singer_lite_core.target_driver.read_ahead import read_ahead
from singer_lite_core.target_driver.runner import TargetRunner
from singer_lite_core.target_driver.target_settings import COMMON_SETTINGS, TargetSettings
from singer_lite_core.whole_write import write_whole

CAPABILITIES = (
    "about",
    "activate-version",
    "hard-delete",
    "validation",
    "structured-logging",
    "stream-maps",
    "schema-flattening",
    "batch",
)

LoaderFactory = Callable[[Mapping[str, Any]], Loader]


def target_main(
    program: str,
    version: str,
    description: str,
    own_settings: Sequence[Setting],
    make_loader: LoaderFactory,
) -> NoReturn:
    """Run a target whose database side is `make_loader(config)`."""
    settings = (*own_settings, *COMMON_SETTINGS)
    env_prefix = program.upper().replace("-", "_")

    def entry(stop: StopRequest) -> int:
        args = connector_argument_parser(program, description, "target").parse_args()
        if args.version:
            sys.stdout.write(f"{program} {version}\n")
            return 0
        if args.about:
            document = about_document(program, version, description, CAPABILITIES, settings)
            sys.stdout.write(render_about(document, args.format))
            return 0
        log = configure_logging(program)
        config = load_config(args.config, env_prefix, settings)
        log.info("settings: %s", redacted(config, settings))
        target_settings = TargetSettings.from_config(config)
        with _open_input(args.input) as source:
            runner = TargetRunner(make_loader(config), target_settings, _write_state, stop)
            runner.run(read_ahead(read_messages(source)))
        return 0

    run_main(program, entry)


def _open_input(path: str | None) -> AbstractContextManager[BinaryIO]:
    """The input, to use in a with statement; stdin is left open, since the
    reading thread may still be blocked in it when a stopped target exits."""
    if path is None:
        return nullcontext(sys.stdin.buffer)
    try:
        return open(path, "rb")
    except OSError as error:
        raise ConfigError(f"cannot read --input {path}: {error.strerror}") from None


def _write_state(value: Any) -> None:
    """Write the STATE value alone on a line, as singer-sdk targets do, for the
    orchestrator to store and hand back to the tap. Numbers the lenient parser
    kept as Decimal are written as JSON numbers again."""
    write_whole(sys.stdout.buffer, (json.dumps(value, default=_number) + "\n").encode())
    sys.stdout.buffer.flush()


def _number(value: Any) -> int | float:
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    raise TypeError(f"{type(value).__name__} is not JSON serializable")
