"""`tap-nyc-taxi`: the Singer command line."""

from __future__ import annotations

import sys

import orjson

from singer_lite_core.about import about_document, render_about
from singer_lite_core.cli_args import TEST_SCHEMA, connector_argument_parser
from singer_lite_core.errors import ConfigError, run_main
from singer_lite_core.logs import configure_logging
from singer_lite_core.settings import redacted
from singer_lite_core.stop_request import StopRequest
from singer_lite_core.tap_driver.singer_writer import SingerWriter
from tap_nyc_taxi import __version__
from tap_nyc_taxi.bookmarks import Bookmarks, read_state
from tap_nyc_taxi.catalog import default_selection, discover, read_catalog
from tap_nyc_taxi.settings import SETTINGS, TapConfig, read_tap_config
from tap_nyc_taxi.streams import all_streams
from tap_nyc_taxi.sync import Sync
from tap_nyc_taxi.taxi_types import TAXI_TYPES

PROGRAM = "tap-nyc-taxi"
DESCRIPTION = (
    f"Singer tap for NYC TLC trip records ({', '.join(t.label for t in TAXI_TYPES)}),"
    " the taxi zone lookup and course ratings."
)
CAPABILITIES = ("catalog", "discover", "state", "test", "about", "batch", "structured-logging", "stream-maps")


def main() -> None:
    run_main(PROGRAM, _run)


def _run(stop: StopRequest) -> int:
    args = connector_argument_parser(PROGRAM, DESCRIPTION, "tap").parse_args()
    if args.version:
        print(f"{PROGRAM} {__version__}")
        return 0
    if args.about:
        sys.stdout.write(
            render_about(about_document(PROGRAM, __version__, DESCRIPTION, CAPABILITIES, SETTINGS), args.format)
        )
        return 0
    log = configure_logging(PROGRAM)
    config = read_tap_config(args.config)
    streams = all_streams()
    if args.discover:
        configured = {stream.name for stream in streams.values() if stream.is_configured(config)}
        sys.stdout.buffer.write(orjson.dumps(discover(streams, configured), option=orjson.OPT_INDENT_2) + b"\n")
        return 0
    log.debug("settings: %s", redacted(vars(config), SETTINGS))
    if args.test:
        _dry_run(args.test, config, stop)
        return 0
    if args.catalog and args.properties:
        raise ConfigError("give either --catalog or --properties, not both")
    catalog_path = args.catalog or args.properties
    selections = read_catalog(catalog_path, streams) if catalog_path else default_selection(streams)
    Sync(config, Bookmarks(read_state(args.state)), SingerWriter(), stop).run(selections)
    return 0


def _dry_run(mode: str, config: TapConfig, stop: StopRequest) -> None:
    """singer-sdk's --test: every stream, neither catalog nor state read; one
    record per stream (then the STATE that says so), or the SCHEMAs alone."""
    sync = Sync(config, Bookmarks({}), SingerWriter(), stop, record_limit=1)
    selections = default_selection(all_streams())
    if mode == TEST_SCHEMA:
        sync.write_schemas(selections)
    else:
        sync.run(selections)
