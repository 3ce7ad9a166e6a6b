"""Hiding the user and password a URL may carry, in every line the connectors write to stderr.

A source, a mirror or a DSN given as `https://user:token@host/...` names the
secret in the URL itself, and URLs end up in log lines and error lines (the
file that failed, the month that is missing). Rather than trust every such
line to remember, the two writers of stderr (the log formatters and the final
error line) pass their text through here.
"""

from __future__ import annotations

import re

# scheme://userinfo@ : userinfo is everything up to the first '@' before the host part ends.
_USERINFO = re.compile(r"(?P<scheme>\b[a-zA-Z][a-zA-Z0-9+.-]*://)[^/\s@\"'<>]+@")


def without_url_credentials(text: str) -> str:
    return _USERINFO.sub(r"\g<scheme>***@", text)
