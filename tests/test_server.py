"""`precedent serve` as a real process, queried over HTTP."""

import json
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

PRECEDENT = Path(sys.executable).with_name("precedent")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def server(settings, index, tmp_path_factory):
    port = free_port()
    log = tmp_path_factory.mktemp("server") / "serve.log"
    base = f"http://127.0.0.1:{port}"
    with open(log, "w") as output:
        process = subprocess.Popen(
            [str(PRECEDENT), "serve", "--port", str(port), "--index-dir", str(settings.index_dir)],
            stdout=output, stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + 120
        while True:
            try:
                urllib.request.urlopen(base + "/api/status", timeout=2).close()
                break
            except (urllib.error.URLError, ConnectionError):
                assert process.poll() is None, f"precedent serve exited: {log.read_text()}"
                assert time.monotonic() < deadline, f"precedent serve did not answer in 120 s: {log.read_text()}"
                time.sleep(0.3)
        yield base
    finally:
        process.terminate()
        process.wait(timeout=20)
    assert f"serving {settings.index_dir} at {base}/" in log.read_text()


def get(url):
    try:
        with urllib.request.urlopen(url, timeout=30) as response:
            return response.status, response.headers, response.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, error.headers, error.read().decode()


def test_real_server_answers_search_over_http(server):
    status, headers, body = get(server + "/api/search?q=what+did+we+say+about+custody+detention&k=5")
    assert status == 200 and headers["Content-Type"] == "application/json"
    top = {(r["doc_id"][:7], r["paragraph"]) for r in json.loads(body)["results"]}
    assert ("2020-04", 5) in top and ("2023-06", 10) in top


def test_real_server_pages_and_errors(server):
    status, headers, body = get(server + "/?q=knife+crime")
    assert status == 200 and "<mark>knife</mark> <mark>crime</mark>" in body
    assert "frame-ancestors 'none'" in headers["Content-Security-Policy"]
    status, _, body = get(server + "/api/search?q=custody&k=1000")
    assert status == 400 and json.loads(body)["error"]["message"].startswith("k: must be from 1 to 100")
    assert get(server + "/doc/nothing")[0] == 404


def test_server_binds_loopback_by_default(server):
    assert server.startswith("http://127.0.0.1:")
