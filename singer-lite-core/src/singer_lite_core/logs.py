"""Logging to stderr, because stdout belongs to the Singer stream."""

from __future__ import annotations

import logging
import os
import sys


def configure_logging(program: str) -> logging.Logger:
    """Send log lines to stderr at the level named by LOG_LEVEL (default INFO)."""
    level_name = os.environ.get("LOG_LEVEL", "INFO").upper()
    level = logging.getLevelName(level_name)
    if not isinstance(level, int):
        level = logging.INFO
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter("%(asctime)s %(name)s %(levelname)s %(message)s"))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
    return logging.getLogger(program)
