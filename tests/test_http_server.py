"""The fault-injecting file server must behave like a CDN a resumable downloader can rely on."""

from __future__ import annotations

import http.client
import os
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests

from local_servers.http_server import FileServer, RecordedRequest

NAME = "yellow_tripdata_2021-01.parquet"
CONTENT = os.urandom(200_000)


@pytest.fixture
def served(tmp_path: Path) -> Path:
    (tmp_path / NAME).write_bytes(CONTENT)
    (tmp_path / "nested").mkdir()
    (tmp_path / "nested" / "taxi_zone_lookup.csv").write_text('"LocationID"\n1\n')
    return tmp_path


@pytest.fixture
def server(served: Path) -> Iterator[FileServer]:
    with FileServer(served) as running:
        yield running


def _get(server: FileServer, path: str, **headers: str) -> requests.Response:
    return requests.get(server.url_for(path), headers=headers, timeout=5)


def _statuses(server: FileServer) -> list[int]:
    return [request.status for request in server.requests]


def test_serves_the_whole_file_with_validators(server: FileServer) -> None:
    response = _get(server, NAME)
    assert response.status_code == 200
    assert response.content == CONTENT
    assert response.headers["Content-Length"] == str(len(CONTENT))
    assert response.headers["Accept-Ranges"] == "bytes"
    assert response.headers["ETag"].startswith('"')
    assert response.headers["Last-Modified"].endswith("GMT")


def test_url_is_local_and_serves_subdirectories(server: FileServer) -> None:
    assert server.url.startswith("http://127.0.0.1:")
    assert _get(server, "/nested/taxi_zone_lookup.csv").text == '"LocationID"\n1\n'


def test_head_returns_the_headers_without_a_body(server: FileServer) -> None:
    response = requests.head(server.url_for(NAME), timeout=5)
    assert response.status_code == 200
    assert response.headers["Content-Length"] == str(len(CONTENT))
    assert response.content == b""
    assert response.headers["ETag"] == _get(server, NAME).headers["ETag"]


@pytest.mark.parametrize(
    ("range_header", "first", "last"),
    [
        ("bytes=100-199", 100, 199),
        ("bytes=150000-", 150_000, 199_999),
        ("bytes=-10", 199_990, 199_999),
        ("bytes=199990-500000", 199_990, 199_999),
    ],
)
def test_ranged_get_returns_exactly_the_requested_bytes(
    server: FileServer, range_header: str, first: int, last: int
) -> None:
    response = _get(server, NAME, Range=range_header)
    assert response.status_code == 206
    assert response.content == CONTENT[first : last + 1]
    assert response.headers["Content-Range"] == f"bytes {first}-{last}/{len(CONTENT)}"
    assert response.headers["Content-Length"] == str(last - first + 1)
    assert server.requests[-1] == RecordedRequest("GET", f"/{NAME}", range_header, 206)


def test_range_beyond_the_end_is_not_satisfiable(server: FileServer) -> None:
    response = _get(server, NAME, Range=f"bytes={len(CONTENT)}-")
    assert response.status_code == 416
    assert response.headers["Content-Range"] == f"bytes */{len(CONTENT)}"


def test_if_range_resumes_only_the_same_version(server: FileServer) -> None:
    etag = _get(server, NAME).headers["ETag"]
    assert _get(server, NAME, Range="bytes=10-", **{"If-Range": etag}).status_code == 206
    stale = _get(server, NAME, Range="bytes=10-", **{"If-Range": '"an-older-version"'})
    assert stale.status_code == 200
    assert stale.content == CONTENT


def test_if_none_match_answers_not_modified(server: FileServer) -> None:
    etag = _get(server, NAME).headers["ETag"]
    response = _get(server, NAME, **{"If-None-Match": etag})
    assert response.status_code == 304
    assert response.content == b""


def test_injected_status_happens_exactly_n_times(server: FileServer) -> None:
    server.fail(NAME, status=503, times=2)
    assert [_get(server, NAME).status_code for _ in range(4)] == [503, 503, 200, 200]
    assert _statuses(server) == [503, 503, 200, 200]


def test_injected_status_also_answers_head_and_can_ask_to_retry_later(server: FileServer) -> None:
    server.fail(f"/{NAME}", status=429, times=1, retry_after=7)
    throttled = requests.head(server.url_for(NAME), timeout=5)
    assert throttled.status_code == 429
    assert throttled.headers["Retry-After"] == "7"
    assert requests.head(server.url_for(NAME), timeout=5).status_code == 200
    assert [(request.method, request.status) for request in server.requests] == [("HEAD", 429), ("HEAD", 200)]


def test_faults_are_per_path(server: FileServer) -> None:
    server.fail("/nested/taxi_zone_lookup.csv", status=500, times=1)
    assert _get(server, NAME).status_code == 200
    assert _get(server, "nested/taxi_zone_lookup.csv").status_code == 500


def test_cut_connection_delivers_fewer_bytes_than_announced(server: FileServer) -> None:
    server.cut(NAME, after_bytes=1000, times=1)
    connection = http.client.HTTPConnection("127.0.0.1", server.port, timeout=5)
    connection.request("GET", f"/{NAME}")
    response = connection.getresponse()
    assert response.status == 200
    assert response.getheader("Content-Length") == str(len(CONTENT))
    with pytest.raises(http.client.IncompleteRead) as short_read:
        response.read()
    assert short_read.value.partial == CONTENT[:1000]
    connection.close()
    assert _get(server, NAME).content == CONTENT
    assert [request.cut_after for request in server.requests] == [1000, None]


def test_cut_applies_to_the_first_m_attempts_and_to_ranged_bodies(server: FileServer) -> None:
    server.cut(NAME, after_bytes=500, times=2)
    for _ in range(2):
        with pytest.raises(requests.exceptions.ChunkedEncodingError):
            _get(server, NAME, Range="bytes=1000-")
    resumed = _get(server, NAME, Range="bytes=1000-")
    assert resumed.status_code == 206
    assert resumed.content == CONTENT[1000:]
    assert [(request.range, request.cut_after) for request in server.requests] == [
        ("bytes=1000-", 500),
        ("bytes=1000-", 500),
        ("bytes=1000-", None),
    ]


def test_missing_files_directories_and_escapes_are_404(server: FileServer) -> None:
    assert _get(server, "green_tripdata_2021-01.parquet").status_code == 404
    assert _get(server, "nested").status_code == 404
    connection = http.client.HTTPConnection("127.0.0.1", server.port, timeout=5)
    connection.request("GET", "/%2e%2e/%2e%2e/etc/passwd")
    assert connection.getresponse().status == 404
    connection.close()
    assert _statuses(server) == [404, 404, 404]


def test_a_missing_key_can_be_answered_as_cloudfront_does(served: Path) -> None:
    """403 with S3's AccessDenied XML, for GET; HEAD gets the status alone, as from CloudFront."""
    with FileServer(served, missing_as_access_denied=True) as server:
        response = _get(server, "green_tripdata_2021-01.parquet")
        head = requests.head(server.url_for("green_tripdata_2021-01.parquet"), timeout=5)
        assert _get(server, NAME).status_code == 200
    assert response.status_code == 403
    assert "<Error><Code>AccessDenied</Code>" in response.text
    assert (head.status_code, head.content) == (403, b"")


def test_a_redirect_sends_a_path_prefix_to_another_server(served: Path, server: FileServer) -> None:
    with FileServer(served / "nested") as github:
        github.redirect("/releases/download/", server.url_for("nested/"))
        response = requests.get(github.url_for("releases/download/taxi_zone_lookup.csv"), timeout=5)
        not_followed = requests.get(github.url_for("releases/download/x.csv"), timeout=5, allow_redirects=False)
        assert [r.status for r in github.requests] == [302, 302]
    assert response.text == '"LocationID"\n1\n'
    assert response.history[0].status_code == 302
    assert not_followed.headers["Location"] == server.url_for("nested/x.csv")


def test_requests_can_be_cleared(server: FileServer) -> None:
    _get(server, NAME)
    server.clear_requests()
    assert server.requests == []


def test_server_is_quiet(served: Path, capfd: pytest.CaptureFixture[str]) -> None:
    with FileServer(served) as server:
        server.cut(NAME, after_bytes=10)
        with pytest.raises(requests.exceptions.ChunkedEncodingError):
            _get(server, NAME)
        _get(server, NAME)
        _get(server, "missing.csv")
    captured = capfd.readouterr()
    assert captured.err == ""
    assert captured.out == ""


def test_stopped_server_refuses_connections(served: Path) -> None:
    with FileServer(served) as server:
        url = server.url_for(NAME)
    with pytest.raises(requests.exceptions.ConnectionError):
        requests.get(url, timeout=2)


def test_fault_arguments_are_validated(server: FileServer) -> None:
    with pytest.raises(ValueError, match="times must be at least 1, got 0"):
        server.fail(NAME, status=503, times=0)
    with pytest.raises(ValueError, match="999 is not a valid HTTPStatus"):
        server.fail(NAME, status=999)
    with pytest.raises(ValueError, match="after_bytes must be non-negative, got -1"):
        server.cut(NAME, after_bytes=-1)
