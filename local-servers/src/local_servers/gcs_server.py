"""A local Google Cloud Storage JSON API (gcp-storage-emulator) for `gs://` sources and GCS staging.

The emulator speaks the JSON API that google-cloud-storage and gcsfs use, so
both reach it unchanged through STORAGE_EMULATOR_HOST, without credentials.
Objects are kept in memory, per server.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from gcp_storage_emulator.server import Server

from local_servers.local_server import EmbeddedServer
from local_servers.postgres_cluster import free_port

if TYPE_CHECKING:
    from google.cloud.storage import Client

PROJECT = "test-project"


class GcsServer(EmbeddedServer[Server]):
    """gcp-storage-emulator on 127.0.0.1 at a free port; use as a context manager."""

    _port: int
    """Chosen by each start: the emulator does not say which port it listens on."""

    def _make(self) -> Server:
        logging.getLogger("gcp_storage_emulator").setLevel(logging.WARNING)
        self._port = free_port()
        return Server("127.0.0.1", self._port, in_memory=True)

    @property
    def endpoint_url(self) -> str:
        self._running()
        return f"http://127.0.0.1:{self._port}"

    @property
    def client_env(self) -> dict[str, str]:
        """What a client process needs in its environment to reach this server."""
        return {"STORAGE_EMULATOR_HOST": self.endpoint_url}

    def client(self) -> Client:
        """A google-cloud-storage client of this server, as target-bigquery-lite's GCS staging would make."""
        from google.auth.credentials import AnonymousCredentials  # noqa: PLC0415 - only GCS users need it
        from google.cloud.storage import Client  # noqa: PLC0415 - only GCS users need it

        return Client(
            project=PROJECT,
            credentials=AnonymousCredentials(),  # type: ignore[no-untyped-call]
            client_options={"api_endpoint": self.endpoint_url},
        )
