"""`--about` and `--version` output, generated from the settings declaration and
the installed package.

Meltano reads the JSON form to learn a plugin's settings and capabilities;
people read the markdown form in the README. Both come from the one list of
Setting objects so they cannot drift, and secrets show only their name.
"""

from __future__ import annotations

from collections.abc import Sequence
from importlib import metadata
from typing import Any, Literal

import orjson

from singer_lite_core.settings import Setting

UNKNOWN_VERSION = "0.0.0"


def installed_version(distribution: str) -> str:
    """The version the package was installed with, so `--version` and `--about`
    follow its pyproject.toml; a source tree that was never installed says 0.0.0."""
    try:
        return metadata.version(distribution)
    except metadata.PackageNotFoundError:
        return UNKNOWN_VERSION


def about_document(
    name: str,
    version: str,
    description: str,
    capabilities: Sequence[str],
    settings: Sequence[Setting],
) -> dict[str, Any]:
    properties: dict[str, Any] = {}
    for setting in settings:
        entry: dict[str, Any] = {"type": [setting.kind, "null"], "description": setting.description}
        if setting.default is not None and not setting.secret:
            entry["default"] = setting.default
        if setting.choices:
            entry["enum"] = list(setting.choices)
        if setting.secret:
            entry["secret"] = True
            entry["writeOnly"] = True
        properties[setting.name] = entry
    return {
        "name": name,
        "version": version,
        "description": description,
        "capabilities": list(capabilities),
        "settings": {
            "type": "object",
            "properties": properties,
            "required": [s.name for s in settings if s.required],
        },
    }


def render_about(document: dict[str, Any], fmt: Literal["json", "markdown"]) -> str:
    if fmt == "json":
        return orjson.dumps(document, option=orjson.OPT_INDENT_2).decode() + "\n"
    lines = [
        f"# {document['name']} {document['version']}",
        "",
        document["description"],
        "",
        f"Capabilities: {', '.join(document['capabilities'])}",
        "",
        "| Setting | Type | Default | Description |",
        "|---|---|---|---|",
    ]
    for name, entry in document["settings"]["properties"].items():
        default = entry.get("default")
        shown = "" if default is None else f"`{orjson.dumps(default).decode()}`"
        kind = entry["type"][0] + (" (secret)" if entry.get("secret") else "")
        description = entry["description"].replace("|", "\\|")
        lines.append(f"| `{name}` | {kind} | {shown} | {description} |")
    return "\n".join(lines) + "\n"
