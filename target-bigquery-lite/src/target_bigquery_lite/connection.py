"""Building the BigQuery client from settings, without ever echoing a key.

The same code talks to Google Cloud (service-account file or Application
Default Credentials) and to a local emulator (api_endpoint, anonymous), so
the tests exercise the exact path production uses.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, cast

import google.auth
import google.auth.exceptions
from google.api_core.client_options import ClientOptions
from google.api_core.retry import Retry
from google.auth.credentials import AnonymousCredentials, Credentials
from google.cloud import bigquery, storage
from google.oauth2 import service_account

from singer_lite_core.errors import ConfigError

SCOPES = ("https://www.googleapis.com/auth/bigquery",)
STORAGE_SCOPES = ("https://www.googleapis.com/auth/devstorage.read_write",)

# The client's own retries stay off: the core's committer is the one retry
# layer. The client documents retry=None for that, but its signatures type
# the argument as Retry, so None is cast once here.
NO_RETRY = cast(Retry, None)


def make_client(config: Mapping[str, Any]) -> bigquery.Client:
    endpoint = config.get("api_endpoint")
    options = ClientOptions(api_endpoint=endpoint) if endpoint else None
    return bigquery.Client(
        project=config["project"],
        credentials=_anonymous() if endpoint else _credentials(config.get("credentials_path")),
        location=config.get("location"),
        client_options=options,
    )


def make_storage_client(config: Mapping[str, Any]) -> storage.Client:
    """The client of the staging bucket, with the BigQuery client's credentials and
    project; with an emulator (api_endpoint) anonymous, the GCS API then being
    the one STORAGE_EMULATOR_HOST names, which the storage client reads itself."""
    endpoint = config.get("api_endpoint")
    return storage.Client(
        project=config["project"],
        credentials=_anonymous() if endpoint else _credentials(config.get("credentials_path"), STORAGE_SCOPES),
    )


def _anonymous() -> Credentials:
    return AnonymousCredentials()  # type: ignore[no-untyped-call]  # google-auth leaves its __init__ unannotated


def _credentials(path: str | None, scopes: tuple[str, ...] = SCOPES) -> Credentials:
    """Load credentials; errors name the file or the ADC lookup, never the key's content."""
    if path:
        try:
            # google-auth leaves this factory unannotated; it returns service-account Credentials.
            loaded: Credentials = service_account.Credentials.from_service_account_file(  # type: ignore[no-untyped-call]
                path, scopes=scopes
            )
            return loaded
        except FileNotFoundError:
            raise ConfigError(f"setting 'credentials_path': {path} does not exist") from None
        except (ValueError, KeyError, OSError) as error:
            raise ConfigError(
                f"setting 'credentials_path': {path} is not a service-account JSON key ({type(error).__name__})"
            ) from None
    try:
        credentials, _ = google.auth.default(scopes=scopes)
    except google.auth.exceptions.DefaultCredentialsError:
        raise ConfigError(
            "no credentials: set 'credentials_path' or configure Application Default Credentials"
        ) from None
    return credentials
