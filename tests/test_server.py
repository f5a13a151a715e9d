"""`precedent serve` as a real process, queried over HTTP."""

import json
import os
import signal
import threading
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from pathlib import Path

import pytest

from indexer.build import build_index

from .conftest import make_settings, write

PRECEDENT = Path(sys.executable).with_name("precedent")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextmanager
def serving(index_dir: Path, log: Path, *options: str, started: list | None = None, env: dict | None = None):
    """A `precedent serve` process on a free port, with ``env`` added to the environment; yields its base URL
    once it answers (and appends the process to ``started``)."""
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    with open(log, "w") as output:
        process = subprocess.Popen([str(PRECEDENT), "serve", "--port", str(port), "--index-dir", str(index_dir),
                                    *options], stdout=output, stderr=subprocess.STDOUT,
                                   env={**os.environ, **(env or {})})
    if started is not None:
        started.append(process)
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
    assert f"serving {index_dir} at {base}/" in log.read_text()


@pytest.fixture(scope="module")
def server(settings, index, tmp_path_factory):
    with serving(settings.index_dir, tmp_path_factory.mktemp("server") / "serve.log") as base:
        yield base


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


def test_new_generations_are_served_without_a_restart_or_a_failed_request(tmp_path):
    docs = tmp_path / "docs"
    write(docs, "a.txt", "The custody suite was inspected in 2021 and found wanting.")
    settings = make_settings(tmp_path / "ix", corpus=str(docs))
    build_index(settings, progress=False)
    statuses, stop = [], threading.Event()

    def hammer(base):
        while not stop.is_set():
            statuses.append(get(base + "/api/search?q=custody+suite&k=3")[0])

    with serving(settings.index_dir, tmp_path / "serve.log") as base:
        worker = threading.Thread(target=hammer, args=(base,))
        worker.start()
        try:
            for n in range(1, 4):
                write(docs, f"new-{n}.txt", f"Document number {n} mentions the zebra crossing{n} outside the station.")
                before = len(statuses)
                build_index(settings, progress=False)
                deadline = time.monotonic() + 30
                while f"new-{n}" not in get(base + f"/api/search?q=crossing{n}&mode=keyword")[2] \
                        or len(statuses) < before + 3:
                    assert time.monotonic() < deadline, f"generation {n + 1} was not picked up"
                    time.sleep(0.2)
        finally:
            stop.set()
            worker.join()
        status = json.loads(get(base + "/api/status")[2])
    assert status["generation"] == 4 and status["counts"]["documents"] == 4
    assert len(statuses) >= 9 and set(statuses) == {200}


def children(pid: int) -> set[int]:
    return {int(child) for child in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()}


def test_server_processes_share_the_port_and_a_dead_one_is_replaced(settings, index, tmp_path):
    started = []
    with serving(settings.index_dir, tmp_path / "serve.log", "--workers", "2", started=started) as base:
        parent = started[0]
        workers = children(parent.pid)
        assert len(workers) == 2
        pool = ThreadPoolExecutor(8)
        assert set(pool.map(lambda n: get(base + f"/api/search?q=custody+{n}&k=3")[0], range(24))) == {200}
        os.kill(min(workers), signal.SIGKILL)
        deadline = time.monotonic() + 30
        while len(children(parent.pid) - {min(workers)}) < 2:
            assert time.monotonic() < deadline, "the killed server process was not replaced"
            time.sleep(0.2)
        assert set(pool.map(lambda n: get(base + f"/?q=knife+crime+{n}")[0], range(24))) == {200}
        workers = children(parent.pid)
    assert parent.returncode == 0, (tmp_path / "serve.log").read_text()
    assert not [pid for pid in workers if Path(f"/proc/{pid}").exists()], "server processes outlived the server"
    assert "a server process exited (killed by signal 9); starting another" in (tmp_path / "serve.log").read_text()
