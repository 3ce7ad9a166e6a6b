"""A PostgreSQL server that speaks only TLS, with a CA and certificates made for the test.

Managed servers (RDS with rds.force_ssl, Cloud SQL with "require SSL")
refuse plain connections; this one does the same through pg_hba.conf:
`hostssl` entries only, `host ... reject` for everything else, and a `cert`
entry for a role that logs in by client certificate alone. The server
certificate names `localhost` only, so connecting to 127.0.0.1 with
verify-full is a host-name mismatch. The test's own connections use the Unix
socket, which the TLS rules do not touch.
"""

from __future__ import annotations

import contextlib
import datetime
import os
import secrets
import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import psycopg2
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID
from psycopg2 import sql
from psycopg2.extensions import make_dsn

from local_servers.postgres_cluster import (
    SERVICE_USER,
    PostgresCluster,
    debian_binaries,
    throwaway_cluster,
    wait_ready,
)
from local_servers.postgres_server import PostgresServer
from tests.support.prerequisites import missing_prerequisite

CERT_USER = "certuser"
TLS_HOST = "localhost"

PG_HBA = f"""\
local all all scram-sha-256
hostssl all {CERT_USER} 127.0.0.1/32 cert
hostssl all all 127.0.0.1/32 scram-sha-256
host all all 0.0.0.0/0 reject
"""


@dataclass(frozen=True)
class Pem:
    """A certificate or key as a file and as the text a secret store would hold."""

    path: Path

    @property
    def text(self) -> str:
        return self.path.read_text()


@dataclass(frozen=True)
class Certificates:
    ca: Pem
    client_certificate: Pem
    client_key: Pem
    unrelated_ca: Pem
    server_certificate: Pem
    server_key: Pem


@dataclass(frozen=True)
class TlsPostgres:
    cluster: PostgresCluster
    password: str
    certificates: Certificates

    @property
    def port(self) -> int:
        return self.cluster.port

    @property
    def server(self) -> PostgresServer:
        """The superuser's way in for the test itself: the Unix socket, which the TLS rules leave alone."""
        socket = make_dsn(host=str(self.cluster.root), port=self.port, user="postgres", password=self.password)
        return PostgresServer(make_dsn(socket, dbname="postgres"), self.cluster.bin_dir)


@contextlib.contextmanager
def tls_postgres(directory: Path) -> Iterator[TlsPostgres]:
    """A throwaway cluster switched to TLS-only by a configuration reload."""
    binaries = debian_binaries()
    if binaries is None:
        missing_prerequisite("a TLS-only server needs Debian's PostgreSQL binaries (apt-get install postgresql)")
    certificates = make_certificates(directory)
    password = secrets.token_hex(8)
    with throwaway_cluster(binaries, fast=True, password=password) as cluster:
        server = TlsPostgres(cluster, password, certificates)
        _switch_to_tls(server)
        yield server


def _switch_to_tls(server: TlsPostgres) -> None:
    tls_dir = server.cluster.root / "tls"
    tls_dir.mkdir()
    certificates = server.certificates
    placed = {}
    for name, pem in (("server.crt", certificates.server_certificate), ("server.key", certificates.server_key)):
        placed[name] = tls_dir / name
        shutil.copyfile(pem.path, placed[name])
        placed[name].chmod(0o600)
    placed["root.crt"] = tls_dir / "root.crt"
    shutil.copyfile(certificates.ca.path, placed["root.crt"])
    (server.cluster.data / "pg_hba.conf").write_text(PG_HBA)
    if os.geteuid() == 0:
        for path in (tls_dir, *placed.values()):
            shutil.chown(path, SERVICE_USER)
    with contextlib.closing(psycopg2.connect(server.cluster.dsn())) as conn, conn.cursor() as cur:
        conn.autocommit = True
        cur.execute("ALTER SYSTEM SET ssl = on")
        for setting, name in (
            ("ssl_cert_file", "server.crt"),
            ("ssl_key_file", "server.key"),
            ("ssl_ca_file", "root.crt"),
        ):
            cur.execute(
                sql.SQL("ALTER SYSTEM SET {} = {}").format(sql.Identifier(setting), sql.Literal(str(placed[name])))
            )
        cur.execute(sql.SQL("CREATE ROLE {} LOGIN").format(sql.Identifier(CERT_USER)))
        cur.execute(sql.SQL("GRANT CREATE ON DATABASE postgres TO {}").format(sql.Identifier(CERT_USER)))
        cur.execute("SELECT pg_reload_conf()")
    _wait_for_tls(server)


def _wait_for_tls(server: TlsPostgres) -> None:
    """The reload is asynchronous: wait until a verified TLS connection works."""
    dsn = make_dsn(
        host=TLS_HOST,
        port=server.port,
        user="postgres",
        password=server.password,
        dbname="postgres",
        sslmode="verify-full",
        sslrootcert=str(server.certificates.ca.path),
    )
    wait_ready(dsn)


def make_certificates(directory: Path) -> Certificates:
    """A CA; a server certificate for `localhost` and a client certificate for
    CERT_USER, both signed by it; and a CA that signed neither."""
    directory.mkdir(parents=True, exist_ok=True)
    ca_key, ca = _certificate("test root CA", None, is_ca=True)
    server_key, server = _certificate(TLS_HOST, (ca_key, ca), names=[x509.DNSName(TLS_HOST)])
    client_key, client = _certificate(CERT_USER, (ca_key, ca))
    _, unrelated = _certificate("unrelated root CA", None, is_ca=True)

    def write(name: str, data: bytes) -> Pem:
        path = directory / name
        path.write_bytes(data)
        path.chmod(0o600)
        return Pem(path)

    return Certificates(
        ca=write("root.crt", _pem(ca)),
        client_certificate=write("client.crt", _pem(client)),
        client_key=write("client.key", _key_pem(client_key)),
        unrelated_ca=write("unrelated.crt", _pem(unrelated)),
        server_certificate=write("server.crt", _pem(server)),
        server_key=write("server.key", _key_pem(server_key)),
    )


def _certificate(
    common_name: str,
    issuer: tuple[ec.EllipticCurvePrivateKey, x509.Certificate] | None,
    *,
    is_ca: bool = False,
    names: list[x509.GeneralName] | None = None,
) -> tuple[ec.EllipticCurvePrivateKey, x509.Certificate]:
    key = ec.generate_private_key(ec.SECP256R1())
    subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common_name)])
    signing_key, issuer_name = (key, subject) if issuer is None else (issuer[0], issuer[1].subject)
    now = datetime.datetime.now(datetime.UTC)
    builder = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(issuer_name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(now + datetime.timedelta(days=1))
        .add_extension(x509.BasicConstraints(ca=is_ca, path_length=None), critical=True)
    )
    if is_ca:
        builder = builder.add_extension(
            x509.KeyUsage(False, False, False, False, False, True, True, False, False), critical=True
        )
    if names:
        builder = builder.add_extension(x509.SubjectAlternativeName(names), critical=False)
    return key, builder.sign(signing_key, hashes.SHA256())


def _pem(certificate: x509.Certificate) -> bytes:
    return certificate.public_bytes(serialization.Encoding.PEM)


def _key_pem(key: ec.EllipticCurvePrivateKey) -> bytes:
    return key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
