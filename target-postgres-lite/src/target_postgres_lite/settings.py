"""Connection settings of target-postgres-lite; the shared ones live in the core."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any
from urllib.parse import urlsplit, urlunsplit

from psycopg2.extensions import make_dsn

from singer_lite_core.errors import ConfigError
from singer_lite_core.libpq_tls import TlsOptions, tls_settings
from singer_lite_core.settings import Setting

SETTINGS: tuple[Setting, ...] = (
    Setting("host", "string", "Server host name or address (or use sqlalchemy_url)."),
    Setting("port", "integer", "Server port.", 5432),
    Setting("user", "string", "User to connect as."),
    Setting("password", "string", "Password of user.", secret=True),
    Setting("database", "string", "Database to load into."),
    Setting(
        "sqlalchemy_url",
        "string",
        "A postgresql:// URL or libpq DSN used instead of host/port/user/password/database.",
        secret=True,
    ),
    Setting("default_target_schema", "string", "Schema the stream tables go to; created if missing.", "public"),
    *tls_settings(),
)


def connection_dsn(config: Mapping[str, Any]) -> str:
    """A libpq DSN from either the URL or the separate settings, with the
    TLS settings (ssl_*) added to either.

    SQLAlchemy-style driver suffixes (postgresql+psycopg2://) are removed,
    since libpq knows only the plain scheme.
    """
    return TlsOptions.from_config(config).added_to_dsn(_base_dsn(config), "setting 'sqlalchemy_url'")


def _base_dsn(config: Mapping[str, Any]) -> str:
    url: str | None = config.get("sqlalchemy_url")
    if url:
        parts = urlsplit(url)
        if "://" in url and parts.scheme.split("+")[0] in ("postgresql", "postgres"):
            return urlunsplit(parts._replace(scheme="postgresql"))
        if "://" in url:
            raise ConfigError("setting 'sqlalchemy_url' must use the postgresql:// scheme")
        return url
    if not config.get("host") and not config.get("database"):
        raise ConfigError("set 'host' and 'database' (with 'user' and 'password'), or 'sqlalchemy_url'")
    fields = {k: config.get(k) for k in ("host", "port", "user", "password")}
    fields["dbname"] = config.get("database")
    return make_dsn(None, **{k: v for k, v in fields.items() if v is not None})
