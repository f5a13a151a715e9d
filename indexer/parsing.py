"""Files parsed in a worker process under a time and a memory limit, so that no file can stop a run.

A PDF can be a decompression bomb or send its parser round a loop of its own
references, a .docx can be a zip bomb, and a parser that meets one may run for
hours or take every byte of memory. Each file is parsed by a worker process
whose address space is capped (RLIMIT_AS) and which is killed when a file takes
longer than its time: the file is set aside with the reason, and a new worker
takes the next one. A parser's unexpected exception is a reason too. A worker
is a new interpreter (``python -m indexer.parsing``, 0.1 s to start), not a fork
of the build: it holds neither the model nor the index, and runs no module but
this one's. Files and documents cross its standard input and output, pickled.
"""

from __future__ import annotations

import os
import signal
import subprocess  # nosec B404
import sys
from multiprocessing.connection import Connection
from pathlib import Path

from .documents import Skipped, SourceFile, load
from .errors import LoadError
from .records import Document

try:
    import resource
except ImportError:  # not POSIX: parsing runs without a memory cap
    resource = None


class Parser:
    """Parses files one at a time in a worker process, started when first needed and again after one is
    stopped; use it as a context manager, which stops the worker at the end."""

    def __init__(self, seconds: float, megabytes: int):
        self.seconds, self.megabytes = seconds, megabytes
        self._process: subprocess.Popen | None = None
        self._send: Connection | None = None
        self._receive: Connection | None = None

    def __enter__(self) -> "Parser":
        return self

    def __exit__(self, *_) -> None:
        self._stop()

    def load(self, file: SourceFile, data: bytes, doc_id: str, sidecar: bytes | None = None,
             ocr: str = "auto") -> tuple[Document, list[Skipped]]:
        """As ``documents.load``, in the worker; raises LoadError for a file that yields no document, or whose
        parsing ran past the limits or failed."""
        if self._process is None:
            self._start()
        try:
            self._send.send((file, data, doc_id, sidecar, ocr))
            if not self._receive.poll(self.seconds):
                self._stop()
                raise LoadError(f"parsing took more than {self.seconds:g} s and was stopped; set "
                                "PRECEDENT_PARSE_SECONDS higher to give such a file longer")
            answer = self._receive.recv()
        except (EOFError, OSError):  # the worker died: killed by the system, or its parser crashed
            raise LoadError(f"the parser stopped ({self._stop()}) while reading it; the file may be damaged") \
                from None
        if answer[0] == "memory":
            self._stop()  # a worker that ran out of memory is not trusted with the next file
            raise LoadError(f"parsing needed more than {self.megabytes} MB of memory and was stopped; set "
                            "PRECEDENT_PARSE_MB higher to give such a file more")
        if answer[0] == "error":
            raise LoadError(answer[1])
        return answer[1], answer[2]

    def _start(self) -> None:
        # the worker runs this code, wherever it is imported from (a checkout, not the package installed)
        here = str(Path(__file__).resolve().parent.parent)
        path = os.pathsep.join(filter(None, [here, os.environ.get("PYTHONPATH")]))
        # this interpreter with a fixed argv and no shell (bandit B603)
        self._process = subprocess.Popen([sys.executable, "-m", __name__, str(self.megabytes)],
                                         stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                         env={**os.environ, "PYTHONPATH": path})  # nosec B603
        self._send = Connection(os.dup(self._process.stdin.fileno()), readable=False)
        self._receive = Connection(os.dup(self._process.stdout.fileno()), writable=False)

    def _stop(self) -> str:
        """Stop the worker, if any; says how it ended."""
        if self._process is None:
            return "not started"
        self._process.kill()
        code = self._process.wait()
        for pipe in (self._send, self._receive, self._process.stdin, self._process.stdout):
            pipe.close()
        self._process = self._send = self._receive = None
        return f"signal {signal.Signals(-code).name}" if code < 0 else f"exit status {code}"


def _serve(megabytes: int) -> None:
    """The worker: parse each file sent, and send back the document or why there is none."""
    if resource is not None:
        limit = megabytes * 1024 * 1024
        resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
    receive = Connection(os.dup(sys.stdin.fileno()), writable=False)
    send = Connection(os.dup(sys.stdout.fileno()), readable=False)
    sys.stdout = sys.stderr  # a parser's stray print must not break the messages
    while True:
        try:
            task = receive.recv()
        except (EOFError, OSError):  # the build ended, or was killed
            return
        try:
            document, problems = load(*task)
            send.send(("document", document, problems))
        except LoadError as error:
            send.send(("error", str(error)))
        except MemoryError:
            send.send(("memory",))
            return
        except RecursionError:
            send.send(("error", "nested too deeply to read (a loop or a bomb); save it again from the program "
                                "that made it"))
        except Exception as error:  # noqa: BLE001 - a parser's bug in one file must not stop the run
            send.send(("error", f"the parser failed on it ({type(error).__name__}: {str(error)[:200]}); save it "
                                "again from the program that made it"))


if __name__ == "__main__":
    _serve(int(sys.argv[1]))
