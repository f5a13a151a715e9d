"""`precedent serve` as a real process, queried over HTTP."""

import json
import os
import random
import signal
import statistics
import threading
import socket
import subprocess
import sys
import textwrap
import time
import urllib.error
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from pathlib import Path

import pytest

from indexer.build import build_index
from webui.headers import HEADERS
from webui.limits import MAX_BODY, MAX_URL, SERVER_LIMITS

from .conftest import REPO, make_settings, write

PRECEDENT = Path(sys.executable).with_name("precedent")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextmanager
def serving(index_dir: Path, log: Path, *options: str, started: list | None = None, env: dict | None = None):
    """A `precedent serve` process on a free port, with no rate limit unless ``env`` sets one; yields its base
    URL once it answers, even with an error such as 503 (and appends the process to ``started``)."""
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    with open(log, "w") as output:
        process = subprocess.Popen([str(PRECEDENT), "serve", "--port", str(port), "--index-dir", str(index_dir),
                                    *options], stdout=output, stderr=subprocess.STDOUT,
                                   env={**os.environ, "PRECEDENT_RATE_LIMIT": "0", **(env or {})})
    if started is not None:
        started.append(process)
    try:
        deadline = time.monotonic() + 120
        while True:
            try:
                urllib.request.urlopen(base + "/api/status", timeout=2).close()
                break
            except urllib.error.HTTPError:
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


def raw(base: str, request: bytes) -> tuple[int, dict, str]:
    """Send bytes as they are (urllib would check and normalise them) and read the answer to the end."""
    host, port = base.removeprefix("http://").split(":")
    with socket.create_connection((host, int(port)), timeout=30) as sock:
        sock.sendall(request)
        data = b""
        while chunk := sock.recv(65536):
            data += chunk
    head, _, body = data.partition(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    headers = dict(line.split(": ", 1) for line in lines[1:])
    return int(lines[0].split()[1]), headers, body.decode("utf-8", "replace")


def request_line(target: str, *headers: str, body: bytes = b"") -> bytes:
    return "\r\n".join([f"GET {target} HTTP/1.1", "Host: localhost", "Connection: close", *headers, "", ""]).encode() + body


def test_real_server_security_headers_on_every_response(server):
    for url in ("/", "/?q=custody", "/api/search?q=custody", "/static/style.css", "/static/app.js", "/nothing",
                "/api/nothing", "/doc/nothing", "/api/search?q=", "/?q=custody&k=0", "/export.csv?q=custody",
                "/export.md?q=custody", "/ledger", "/ledger.csv", "/api/ledger", "/?q=" + "a" * MAX_URL):
        status, headers, _ = get(server + url)
        assert {name: headers[name] for name in HEADERS} == HEADERS, (url, status)
    status, headers, _ = raw(server, request_line("/api/search?q=custody").replace(b"GET", b"POST", 1))
    assert status == 405 and set(headers["Allow"].split(", ")) == {"GET", "HEAD", "OPTIONS"}
    assert headers["X-Frame-Options"] == "DENY"


def test_real_server_bounds_what_a_request_may_be(server):
    status, headers, body = raw(server, request_line("/api/search?q=" + "a" * MAX_URL))
    message = json.loads(body)["error"]["message"]
    assert status == 414 and message.startswith(f"The address is {len('/api/search') + 2 + MAX_URL:,} characters long")
    assert headers["Content-Security-Policy"] == HEADERS["Content-Security-Policy"]
    status, headers, body = raw(server, request_line("/?q=custody", f"Content-Length: {MAX_BODY + 1}",
                                                     body=b"x" * (MAX_BODY + 1)))
    assert status == 413 and "its pages and API need none" in body and headers["X-Content-Type-Options"] == "nosniff"
    # waitress's own, before it reads a byte more: a request line and headers of its limit without their end (sent
    # to the byte, so that it reads all it was sent and closes cleanly), or a body it would have to buffer
    header_size, body_size = SERVER_LIMITS["max_request_header_size"], SERVER_LIMITS["max_request_body_size"]
    line, header = b"GET /?q=", request_line("/").removesuffix(b"\r\n") + b"X-Padding: "
    for request, refused in [(line.ljust(header_size, b"a"), 431), (header.ljust(header_size, b"a"), 431),
                             (request_line("/", f"Content-Length: {body_size}"), 413)]:
        status, headers, body = raw(server, request)
        assert status == refused and headers["Content-Type"] == "text/plain; charset=utf-8"
        assert body.endswith("(generated by Precedent)") and "aaaa" not in body
    assert get(server + "/api/status")[0] == 200  # and it serves on


def test_real_server_finds_nothing_outside_the_index_and_static(server):
    for target in ("/static/../pyproject.toml", "/static/%2e%2e/%2e%2e/pyproject.toml", "/static/..%2f..%2fpyproject.toml",
                   "/static/%2e%2e%2f__init__.py", "/static//etc/passwd", "/static/%00", "/static/style.css%00",
                   "/static/%c0%ae%c0%ae/pyproject.toml", "/static/..\\..\\pyproject.toml", "/../../etc/passwd",
                   "/%2e%2e/%2e%2e/etc/passwd", "/doc/..%2f..%2fetc%2fpasswd", "/doc/%00", "/doc/%ff",
                   "/api/doc/%2e%2e", "/similar/..%2f..%2fetc/1", "/doc/" + "a" * 4000):
        status, headers, body = raw(server, request_line(target))
        assert status in (400, 404), (target, status)
        assert "[project]" not in body and "root:x:" not in body and "import" not in body, target
        assert headers["X-Content-Type-Options"] == "nosniff", target


def test_real_server_without_an_index_answers_503_then_429_within_the_limit(tmp_path):
    """Each of the two processes allows 4 / 2 a minute; the readiness check took one."""
    with serving(tmp_path / "none", tmp_path / "serve.log", "--workers", "2",
                 env={"PRECEDENT_RATE_LIMIT": "4"}) as base:
        answers = [get(base + "/api/status") for _ in range(12)]
    statuses = [status for status, _, _ in answers]
    assert set(statuses) == {503, 429} and statuses.count(503) <= 3, statuses
    for status, headers, body in answers:
        assert {name: headers[name] for name in HEADERS} == HEADERS
        if status == 429:
            assert int(headers["Retry-After"]) == 30 and "the limit is 4 a minute" in body


def test_twenty_generations_built_while_clients_search(tmp_path):
    """Three clients search without pause while 20 generations are built (at low priority and on one thread, as
    an office would index beside its server; one process, so the model is loaded once): no error, each answer wholly of one
    generation (its documents are those that generation indexed), and p99 within twice that of the same
    clients with no build running."""
    docs = tmp_path / "docs"
    write(docs, "new-0.txt", document(0))
    settings = make_settings(tmp_path / "ix", corpus=str(docs))
    build_index(settings, progress=False)
    answers, stop = [], threading.Event()  # (phase, seconds, status, generation, doc ids)

    def client(base, phase):
        while not stop.is_set():
            started = time.perf_counter()
            status, headers, body = get(base + "/api/search?q=custody+suite&k=100&mode=keyword")
            ids = {r["doc_id"] for r in json.loads(body)["results"]} if status == 200 else set()
            answers.append((phase[0], time.perf_counter() - started, status, headers["X-Precedent-Generation"], ids))

    builds = textwrap.dedent(f"""
        from pathlib import Path
        from indexer.build import build_index
        from indexer.config import Settings
        from tests.test_server import document
        settings = Settings.load(index_dir={str(settings.index_dir)!r}, corpus={str(docs)!r})
        for n in range(1, 21):
            (Path({str(docs)!r}) / f"new-{{n}}.txt").write_text(document(n))
            build_index(settings, progress=False)
        """)
    with serving(settings.index_dir, tmp_path / "serve.log") as base:
        phase = ["idle"]
        clients = [threading.Thread(target=client, args=(base, phase)) for _ in range(3)]
        for thread in clients:
            thread.start()
        try:
            time.sleep(15)
            phase[0] = "building"
            one_thread = {name: "1" for name in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS")}
            run = subprocess.run(["nice", "-n", "19", sys.executable, "-c", builds], cwd=REPO, capture_output=True,
                                 text=True, timeout=600, env={**os.environ, **one_thread})
            assert run.returncode == 0, run.stderr
            phase[0] = "after"  # alone again: the baseline is the slower of the two quiet spells, as noise goes
            time.sleep(15)
        finally:
            stop.set()
            for thread in clients:
                thread.join()
    assert {status for _, _, status, _, _ in answers} == {200}
    for _, _, _, generation, ids in answers:
        number = int(generation.removeprefix("gen-"))
        assert ids == {f"new-{n}" for n in range(number)}, (generation, sorted(ids))
    assert {int(g.removeprefix("gen-")) for phase, _, _, g, _ in answers if phase == "building"} >= {1, 21}
    p99 = {phase: statistics.quantiles([s for p, s, *_ in answers if p == phase], n=100)[98]
           for phase in ("idle", "building", "after")}
    print(f"{len(answers)} answers; p99 idle {p99['idle']:.3f} s and {p99['after']:.3f} s, while building "
          f"{p99['building']:.3f} s")
    assert p99["building"] <= 2 * max(p99["idle"], p99["after"]), p99


def document(n: int) -> str:
    """A paragraph on custody suites of words drawn at random (seed ``n``): no two near-identical, which would
    fold into one result."""
    rng = random.Random(n)
    words = "review custody suite detention welfare record night staff cell".split()
    return f"The custody suite of document {n}: " + " ".join(f"{rng.choice(words)}{rng.randrange(1000)}"
                                                            for _ in range(40)) + "."
