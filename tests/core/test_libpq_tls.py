"""TLS settings to libpq parameters: modes, PEM text written to private files, contradictions.

The process-level tests (tests/target_postgres/test_tls.py, tests/tap/test_course_database_tls.py)
show these work against a TLS-only server; these pin what the server cannot show.
"""

from __future__ import annotations

import stat
from pathlib import Path

import pytest

from singer_lite_core.errors import ConfigError
from singer_lite_core.libpq_tls import TlsOptions, tls_settings

PEM = "-----BEGIN CERTIFICATE-----\nMIIBszCCAVmgAwIBAgIU\n-----END CERTIFICATE-----\n"


def test_nothing_set_adds_nothing_and_ssl_enable_means_verify_full() -> None:
    assert TlsOptions.from_config({}).libpq_parameters() == {}
    assert not TlsOptions.from_config({"ssl_enable": False}).is_set
    assert TlsOptions.from_config({"ssl_enable": True}).libpq_parameters() == {"sslmode": "verify-full"}
    explicit = TlsOptions.from_config({"ssl_enable": True, "ssl_mode": "require"})
    assert explicit.libpq_parameters() == {"sslmode": "require"}


def test_pem_text_goes_to_a_private_file_and_a_path_is_used_as_it_is(tmp_path: Path) -> None:
    key_file = tmp_path / "client.key"
    key_file.write_text(PEM)
    options = TlsOptions.from_config(
        {
            "ssl_certificate_authority": PEM.replace("\n", "\\n"),
            "ssl_client_certificate": PEM,
            "ssl_client_private_key": str(key_file),
        }
    )
    parameters = options.libpq_parameters()
    assert parameters["sslkey"] == str(key_file)
    for keyword in ("sslrootcert", "sslcert"):
        written = Path(parameters[keyword])
        assert written.read_text() == PEM
        assert stat.S_IMODE(written.stat().st_mode) == 0o600
        assert stat.S_IMODE(written.parent.stat().st_mode) == 0o700


def test_system_roots_pass_through() -> None:
    options = TlsOptions.from_config({"ssl_mode": "verify-full", "ssl_certificate_authority": "system"})
    assert options.libpq_parameters() == {"sslmode": "verify-full", "sslrootcert": "system"}


def test_a_parameter_the_url_spells_differently_is_a_contradiction() -> None:
    options = TlsOptions.from_config({"ssl_mode": "verify-full"})
    assert options.libpq_parameters({"sslmode": "verify-full", "host": "db"}) == {"sslmode": "verify-full"}
    with pytest.raises(ConfigError, match="sslmode is set both in the connection URL and by setting 'ssl_mode'"):
        options.libpq_parameters({"sslmode": "require"})


def test_prefixed_settings_name_themselves_in_errors(tmp_path: Path) -> None:
    prefix = "course_rating_database_"
    assert [s.name for s in tls_settings(prefix)] == [
        f"{prefix}ssl_{part}"
        for part in ("enable", "mode", "certificate_authority", "client_certificate", "client_private_key")
    ]
    with pytest.raises(
        ConfigError, match=f"setting '{prefix}ssl_client_private_key' needs '{prefix}ssl_client_certificate' too"
    ):
        TlsOptions.from_config({f"{prefix}ssl_client_private_key": PEM}, prefix)
    with pytest.raises(ConfigError) as missing:
        TlsOptions.from_config({f"{prefix}ssl_certificate_authority": str(tmp_path / "secret-name.pem")}, prefix)
    assert "secret-name" not in str(missing.value)
