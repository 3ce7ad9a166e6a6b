"""Object settings given in the environment the way Meltano exports them."""

from __future__ import annotations

import json
from pathlib import Path

from singer_lite_core.settings import Setting, load_config

SETTINGS = [
    Setting("batch_config", "object", "batch files"),
    Setting("stream_maps", "object", "maps"),
]


def test_meltanos_dotted_object_keys_are_nested_again(tmp_path: Path) -> None:
    """Meltano writes {"encoding": {"format": ...}} to the config file but
    {"encoding.format": ...} to TAP_X_BATCH_CONFIG, which overrides it."""
    nested = {
        "batch_config": {"encoding": {"format": "parquet", "compression": "none"}, "batch_size": 5},
        "stream_maps": {"courses": {"programming_language": "programming_language or 'r'"}},
    }
    config_file = tmp_path / "config.json"
    config_file.write_text(json.dumps(nested))
    environ = {
        "TAP_X_BATCH_CONFIG": json.dumps(
            {"encoding.format": "parquet", "encoding.compression": "none", "batch_size": 5}
        ),
        "TAP_X_STREAM_MAPS": json.dumps({"courses.programming_language": "programming_language or 'r'"}),
    }
    assert load_config([config_file], "TAP_X", SETTINGS, environ) == nested


def test_a_dotted_key_holding_an_object_is_a_name_not_a_path() -> None:
    environ = {"TAP_X_STREAM_MAPS": json.dumps({"public.users": {"email": "md5(email)"}, "zones.__alias__": "z"})}
    config = load_config([], "TAP_X", SETTINGS, environ)
    assert config["stream_maps"] == {"public.users": {"email": "md5(email)"}, "zones": {"__alias__": "z"}}
