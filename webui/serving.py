"""`precedent serve`'s processes: one waitress server per core, all accepting on one socket.

A search holds Python's GIL for the part of its work that is not numpy, ONNX
Runtime or tantivy, so the threads of one process share one core for that part:
at 100,000 paragraphs eight clients got 17.6 hybrid queries a second from one
process on two cores. Processes share nothing but the socket and the page cache
(the index files are read, not copied), and each opens the index and the model
itself, after the fork, so no runtime's threads are forked half-made. A worker
that dies is replaced; one that dies before it is ready stops the server, since
the next would too.
"""

from __future__ import annotations

import logging
import os
import signal
import socket
import sys

from indexer.config import Settings
from indexer.errors import PrecedentError

def serve(sock: socket.socket, settings: Settings) -> None:
    """Serve on ``sock`` from ``settings.workers`` processes (in this one when 1) until stopped."""
    if settings.workers == 1:
        _run(sock, settings)
        return
    workers: dict[int, int] = {}  # pid -> the pipe it says it is ready on
    signal.signal(signal.SIGTERM, _stopped)  # so the workers are stopped too, not left serving
    try:
        for _ in range(settings.workers):
            _start(sock, settings, workers)
        while workers:
            pid, status = os.wait()
            if pid not in workers:
                continue
            ready = os.read(workers[pid], 1)
            os.close(workers.pop(pid))
            if not ready:
                raise PrecedentError(f"a server process exited as it started ({_how(status)}); see the lines "
                                     "above")
            logging.getLogger("precedent").warning("a server process exited (%s); starting another", _how(status))
            _start(sock, settings, workers)
    except _Stop:
        pass
    finally:
        _stop(workers)


class _Stop(Exception):
    """SIGTERM, in the process that started the workers."""


def _stopped(signum, frame):
    raise _Stop


def _start(sock: socket.socket, settings: Settings, workers: dict[int, int]) -> None:
    ready, say_ready = os.pipe()
    pid = os.fork()
    if pid:
        os.close(say_ready)
        workers[pid] = ready
        return
    code = 0
    try:
        signal.signal(signal.SIGTERM, signal.SIG_DFL)
        for fd in (ready, *workers.values()):
            os.close(fd)
        _run(sock, settings, lambda: os.write(say_ready, b"1"))
    except KeyboardInterrupt:
        pass
    except BaseException as error:  # noqa: BLE001 - the child must never return into the parent's code
        print(f"Error: {error}", file=sys.stderr, flush=True)
        code = 1
    finally:
        os._exit(code)


def _run(sock: socket.socket, settings: Settings, ready=lambda: None) -> None:
    """Serve in this process; ``ready()`` once the app has opened the index and loaded the model."""
    from waitress import create_server

    from . import create_app
    from .limits import SERVER_LIMITS

    server = create_server(create_app(settings=settings), sockets=[sock], threads=settings.threads,
                           ident="Precedent", **SERVER_LIMITS)
    ready()
    server.run()


def _stop(workers: dict[int, int]) -> None:
    """Ask every worker to stop, then wait for them, so the port is free when ``serve`` returns."""
    for pid in workers:
        try:
            os.kill(pid, signal.SIGTERM)
        except ProcessLookupError:
            pass
    for pid in list(workers):
        try:
            os.waitpid(pid, 0)
        except ChildProcessError:
            pass
        except KeyboardInterrupt:  # a second Ctrl+C: do not wait
            break


def _how(status: int) -> str:
    if os.WIFSIGNALED(status):
        return f"killed by signal {os.WTERMSIG(status)}"
    return f"exit status {os.waitstatus_to_exitcode(status)}"
