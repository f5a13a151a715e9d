"""A time budget for each search, so that one costly query cannot hold a server thread for seconds.

``search`` opens one (the ``query_seconds`` setting) and the query path looks at
it between its stages and inside the loops that grow with the query: the keyword
engine's scoring of every match, the postings of many words, phrase checks,
prefixes, ranking, results. Past it, ``check`` raises QueryTooCostly, which the web
answers 503 with Retry-After and the CLI as one error line.

The budget is a context variable, not a SIGALRM timer: the server answers from
threads and a signal reaches only the main one. Each thread sees the budget of the
search it runs, and code run outside a search (a build, the ledger) sees none.
"""

from __future__ import annotations

import time
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar

from .errors import QueryTooCostly

EVERY = 32  # items of a loop between two looks at the clock: a look costs ~0.1 µs, a match scored by whoosh ~30


class _Budget:
    def __init__(self, seconds: float):
        self.seconds = seconds
        self.ends = time.monotonic() + seconds
        self.paused = 0  # paused() blocks under way


_budget: ContextVar[_Budget | None] = ContextVar("precedent_budget", default=None)


@contextmanager
def within(seconds: float) -> Iterator[None]:
    """Run the block under a budget of ``seconds`` (0: none)."""
    token = _budget.set(_Budget(seconds) if seconds else None)
    try:
        yield
    finally:
        _budget.reset(token)


def check(stage: str) -> None:
    """Raise QueryTooCostly, naming the ``stage`` it was stopped in, when the budget is spent."""
    budget = _budget.get()
    if budget is not None and not budget.paused and time.monotonic() > budget.ends:
        raise QueryTooCostly(f"q: the search took more than {budget.seconds:g} s and was stopped ({stage}); "
                             "try again in a moment, or narrow it: fewer words, longer prefixes, a filter")


def checked(items: Iterable, stage: str) -> Iterator:
    """``items``, with a look at the budget every EVERY of them."""
    for n, item in enumerate(items):
        if n % EVERY == 0:
            check(stage)
        yield item


@contextmanager
def paused() -> Iterator[None]:
    """Work that is not the query's cost (loading the model, a thread's searcher or the spelling words
    once; an export's many results) is not counted: no check stops it, and the budget is extended by the
    time it takes."""
    budget, started = _budget.get(), time.monotonic()
    if budget is None:
        yield
        return
    budget.paused += 1
    try:
        yield
    finally:
        budget.paused -= 1
        budget.ends += time.monotonic() - started
