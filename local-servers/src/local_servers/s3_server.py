"""A local S3 API (moto's server) for the tap's `s3://` sources.

moto answers the real S3 protocol, so s3fs and boto3 talk to it unchanged
through AWS_ENDPOINT_URL; the credentials it takes are dummies. Its buckets
live in this process and are shared by every S3Server in it.
"""

from __future__ import annotations

import logging
from typing import Any

from moto.server import ThreadedMotoServer

from local_servers.local_server import EmbeddedServer

REGION = "us-east-1"


class S3Server(EmbeddedServer[ThreadedMotoServer]):
    """moto's S3 on 127.0.0.1 at a free port; use as a context manager."""

    def _make(self) -> ThreadedMotoServer:
        logging.getLogger("werkzeug").setLevel(logging.WARNING)
        return ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)

    @property
    def endpoint_url(self) -> str:
        host, port = self._running().get_host_and_port()
        return f"http://{host}:{port}"

    @property
    def client_env(self) -> dict[str, str]:
        """What a client process needs in its environment to reach this server (dummy credentials)."""
        return {
            "AWS_ENDPOINT_URL": self.endpoint_url,
            "AWS_ACCESS_KEY_ID": "testing",
            "AWS_SECRET_ACCESS_KEY": "testing",
            "AWS_DEFAULT_REGION": REGION,
        }

    def client(self) -> Any:
        """A boto3 S3 client of this server (boto3 ships no types)."""
        import boto3  # noqa: PLC0415 - boto3 takes a while to import; only S3 tests need it

        env = self.client_env
        return boto3.client(
            "s3",
            endpoint_url=env["AWS_ENDPOINT_URL"],
            aws_access_key_id=env["AWS_ACCESS_KEY_ID"],
            aws_secret_access_key=env["AWS_SECRET_ACCESS_KEY"],
            region_name=REGION,
        )
