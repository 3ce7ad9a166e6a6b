"""Hiding the user and password a URL may carry, in every line the connectors write to stderr.

A source, a mirror or a DSN given as `https://user:token@host/...` names the
secret in the URL itself, and URLs end up in log lines and error lines (the
file that failed, the month that is missing). Rather than trust every such
line to remember, the two writers of stderr (the log formatters and the final
error line) pass their text through here.
"""

from __future__ import annotations

import re

# scheme://user:password@ or scheme://token@ : the user name is kept, since it says who connected
# and is no secret; a password, or a lone token, is hidden.
_USERINFO = re.compile(r"(?P<scheme>\b[a-zA-Z][a-zA-Z0-9+.-]*://)(?:(?P<user>[^/\s@:\"'<>]*):)?[^/\s@\"'<>]+@")


def without_url_credentials(text: str) -> str:
    return _USERINFO.sub(lambda m: f"{m['scheme']}{m['user'] + ':' if m['user'] is not None else ''}***@", text)
