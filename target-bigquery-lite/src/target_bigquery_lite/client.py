"""Building the BigQuery client from settings, without ever echoing a key.

The same code talks to Google Cloud (service-account file or Application
Default Credentials) and to a local emulator (api_endpoint, anonymous), so
the tests exercise the exact path production uses.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import google.auth
import google.auth.exceptions
from google.api_core.client_options import ClientOptions
from google.auth.credentials import AnonymousCredentials, Credentials
from google.cloud import bigquery
from google.oauth2 import service_account

from singer_lite_core.errors import ConfigError

SCOPES = ("https://www.googleapis.com/auth/bigquery",)


def make_client(config: Mapping[str, Any]) -> bigquery.Client:
    endpoint = config.get("api_endpoint")
    options = ClientOptions(api_endpoint=endpoint) if endpoint else None
    return bigquery.Client(
        project=config["project"],
        credentials=AnonymousCredentials() if endpoint else _credentials(config.get("credentials_path")),
        location=config.get("location"),
        client_options=options,
    )


def _credentials(path: str | None) -> Credentials:
    """Load credentials; errors name the file or the ADC lookup, never the key's content."""
    if path:
        try:
            return service_account.Credentials.from_service_account_file(path, scopes=SCOPES)
        except FileNotFoundError:
            raise ConfigError(f"setting 'credentials_path': {path} does not exist") from None
        except (ValueError, KeyError, OSError) as error:
            raise ConfigError(
                f"setting 'credentials_path': {path} is not a service-account JSON key ({type(error).__name__})"
            ) from None
    try:
        credentials, _ = google.auth.default(scopes=SCOPES)
    except google.auth.exceptions.DefaultCredentialsError:
        raise ConfigError(
            "no credentials: set 'credentials_path' or configure Application Default Credentials"
        ) from None
    return credentials
