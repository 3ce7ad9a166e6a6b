"""TLS settings for a libpq connection, shared by target-postgres-lite and the tap's course database.

Managed PostgreSQL (RDS, Cloud SQL, Azure) wants TLS, and libpq takes it as
connection parameters that name files (sslmode, sslrootcert, sslcert,
sslkey). People hold certificates as files, or as PEM text in a secret store
or an environment variable, so each setting takes either: text that holds a
PEM block is written to a private temporary directory (0700, files 0600)
that is removed when the process exits, because libpq reads only files.

The setting names and meanings follow MeltanoLabs target-postgres and
tap-postgres (`ssl_enable`, `ssl_mode`, `ssl_certificate_authority`,
`ssl_client_certificate`, `ssl_client_private_key`), with a prefix where a
connector has more than one thing that could speak TLS. Only PostgreSQL
needs this and it is the same for the tap and the target, whose one shared
package is this core; the module imports no database driver and returns plain
libpq keywords, so the target driver still holds no switch for a database.
"""

from __future__ import annotations

import functools
import os
import tempfile
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, NamedTuple

from singer_lite_core.errors import ConfigError
from singer_lite_core.settings import Setting

TLS_MODES = ("disable", "allow", "prefer", "require", "verify-ca", "verify-full")
ENABLED_MODE = "verify-full"
SYSTEM_ROOTS = "system"
_PEM_BEGIN = "-----BEGIN "


class _Names(NamedTuple):
    enable: str
    mode: str
    certificate_authority: str
    client_certificate: str
    client_private_key: str


def _names(prefix: str) -> _Names:
    parts = ("enable", "mode", "certificate_authority", "client_certificate", "client_private_key")
    return _Names(*(f"{prefix}ssl_{part}" for part in parts))


def tls_settings(prefix: str = "") -> tuple[Setting, ...]:
    """The five TLS settings, named `<prefix>ssl_...`. The certificates are
    secret too: given inline they are whole PEM documents, and no part of
    them belongs in --about or a log."""
    names = _names(prefix)
    either = "a file path or the PEM text itself"
    return (
        Setting(
            names.enable,
            "boolean",
            f"Use TLS and verify the server: short for {names.mode} {ENABLED_MODE}.",
            False,
        ),
        Setting(
            names.mode,
            "string",
            f"libpq sslmode; when set it wins over {names.enable}. Unset, with {names.enable} false: "
            "libpq's default (PGSSLMODE, else prefer).",
            choices=TLS_MODES,
        ),
        Setting(
            names.certificate_authority,
            "string",
            f"Root certificate(s) the server's certificate must chain to: {either}, or 'system' for the "
            "operating system's trusted roots.",
            secret=True,
        ),
        Setting(
            names.client_certificate,
            "string",
            f"Client certificate, for servers that authenticate clients by certificate: {either}.",
            secret=True,
        ),
        Setting(
            names.client_private_key,
            "string",
            f"Private key of {names.client_certificate}: {either}. A file must be private (chmod 600).",
            secret=True,
        ),
    )


@dataclass(frozen=True)
class TlsOptions:
    """What the settings ask of TLS, checked at start-up; the libpq parameters
    (and the files they name) are made only when a connection needs them."""

    mode: str | None = None
    certificate_authority: str | None = None
    client_certificate: str | None = None
    client_private_key: str | None = None
    prefix: str = ""

    @classmethod
    def from_config(cls, config: Mapping[str, Any], prefix: str = "") -> TlsOptions:
        names = _names(prefix)
        certificate, key = config.get(names.client_certificate), config.get(names.client_private_key)
        if bool(certificate) != bool(key):
            given, missing = (
                (names.client_certificate, names.client_private_key)
                if certificate
                else (names.client_private_key, names.client_certificate)
            )
            raise ConfigError(f"setting {given!r} needs {missing!r} too")
        options = cls(
            mode=config.get(names.mode) or (ENABLED_MODE if config.get(names.enable) else None),
            certificate_authority=config.get(names.certificate_authority) or None,
            client_certificate=certificate or None,
            client_private_key=key or None,
            prefix=prefix,
        )
        for name, value in options._material():
            if not _is_pem(value) and not (name == names.certificate_authority and value == SYSTEM_ROOTS):
                _existing_file(name, value)
        return options

    @property
    def is_set(self) -> bool:
        return self.mode is not None or any(value for _, value in self._material())

    def setting_names(self) -> str:
        """How an error names these settings: `ssl_*`, or `course_rating_database_ssl_*`."""
        return f"{self.prefix}ssl_*"

    def libpq_parameters(self, already_set: Mapping[str, str] | None = None) -> dict[str, str]:
        """sslmode, sslrootcert, sslcert and sslkey for what is set, PEM text
        written to private files. `already_set` is what the connection URL or
        DSN spells itself; the same parameter given both ways with different
        values is a contradiction the user must resolve, not one to guess at."""
        names = _names(self.prefix)
        wanted = {
            "sslmode": (names.mode, self.mode),
            "sslrootcert": (names.certificate_authority, self.certificate_authority),
            "sslcert": (names.client_certificate, self.client_certificate),
            "sslkey": (names.client_private_key, self.client_private_key),
        }
        parameters: dict[str, str] = {}
        for keyword, (setting, value) in wanted.items():
            if value is None:
                continue
            if keyword != "sslmode" and value != SYSTEM_ROOTS:
                value = _private_file(value, setting) if _is_pem(value) else str(Path(value).expanduser())
            parameters[keyword] = value
        for keyword, value in parameters.items():
            if already_set and keyword in already_set and already_set[keyword] != value:
                raise ConfigError(
                    f"libpq parameter {keyword} is set both in the connection URL and by setting "
                    f"{wanted[keyword][0]!r}; keep one"
                )
        return parameters

    def added_to_dsn(self, dsn: str, setting: str) -> str:
        """A libpq URL or DSN with these settings' parameters added to what it
        spells itself; `setting` names where the DSN came from, for the error
        (which never quotes the DSN: it may hold the password)."""
        if not self.is_set:
            return dsn
        # Imported here so that modules declaring settings import no driver.
        from psycopg2 import ProgrammingError  # noqa: PLC0415 - only a connection needs the driver
        from psycopg2.extensions import make_dsn, parse_dsn  # noqa: PLC0415 - as above

        try:
            spelled = parse_dsn(dsn)
        except ProgrammingError:
            raise ConfigError(f"{setting} is not a libpq URL or DSN") from None
        return str(make_dsn(dsn, **self.libpq_parameters(spelled)))

    def _material(self) -> list[tuple[str, str]]:
        names = _names(self.prefix)
        given = (
            (names.certificate_authority, self.certificate_authority),
            (names.client_certificate, self.client_certificate),
            (names.client_private_key, self.client_private_key),
        )
        return [(name, value) for name, value in given if value]


def tls_hint(message: str, prefix: str = "") -> str:
    """What to change, for the libpq failures people meet first with a managed
    server, as a suffix to the error line ("" when there is nothing to add)."""
    names = _names(prefix)
    if "no encryption" in message:
        hint = (
            f"the server takes TLS connections only: set {names.mode} to verify-full"
            f" and {names.certificate_authority} to the server's CA"
        )
    elif "certificate verify failed" in message:
        hint = f"the server's certificate does not chain to {names.certificate_authority}"
    elif "does not match host name" in message:
        hint = f"connect by a name the server's certificate holds, or set {names.mode} verify-ca"
    else:
        return ""
    return f" (hint: {hint})"


def _is_pem(value: str) -> bool:
    """PEM text, as opposed to a path: no file name holds a PEM header, and
    telling them apart by the text (not by whether a file exists, as
    MeltanoLabs does) turns a mistyped path into an error, not a bogus
    certificate file."""
    return _PEM_BEGIN in value


def _existing_file(setting: str, value: str) -> None:
    """The value is secret, so the error names the setting, never the value."""
    if not Path(value).expanduser().is_file():
        raise ConfigError(f"setting {setting!r} is neither PEM text (-----BEGIN ...) nor the path of an existing file")


@functools.cache
def _private_directory() -> tempfile.TemporaryDirectory[str]:
    """One 0700 directory per process, kept until exit, when the
    TemporaryDirectory finalizer removes it with everything in it."""
    return tempfile.TemporaryDirectory(prefix="libpq-tls-")


@functools.cache
def _private_file(pem: str, setting: str) -> str:
    """PEM text as a file only this user can read (libpq refuses a key
    anyone else can), written once per process however many connections
    use it. A value pasted into an environment variable often
    carries its line breaks as literal \\n; PEM needs real ones."""
    if "\n" not in pem.strip():
        pem = pem.replace("\\n", "\n")
    descriptor, path = tempfile.mkstemp(dir=_private_directory().name, prefix=f"{setting}-", suffix=".pem")
    with os.fdopen(descriptor, "w") as handle:
        handle.write(pem.strip() + "\n")
    return path
