"""A token bucket for each client address, so that one client (a script in a loop, a stuck tab) cannot take
the server from everyone else.

A bucket holds a minute's allowance and refills continuously; each request takes a token, and one that finds
none is answered 429 with Retry-After, the seconds until a token is back. Static files are free: they are cheap,
and counting them would charge a page for its style sheet and script.

Each server process keeps its own buckets (the processes share only the socket), and each allows
``rate_limit`` divided by the number of processes. So a client never gets more than ``rate_limit`` a minute in
all, but one whose requests all reach one process (over one kept-alive connection) is held to that share.
"""

from __future__ import annotations

import math
import threading
import time
from collections import OrderedDict

from flask import Flask, current_app, request
from werkzeug.exceptions import TooManyRequests


class Buckets:
    """Tokens per client; at most ``clients`` are remembered, the longest unseen forgotten first (it comes
    back with a full bucket, which only matters when that many clients are asking at once)."""

    def __init__(self, per_minute: float, clients: int = 10_000):
        self.capacity, self.rate, self.clients = max(per_minute, 1.0), per_minute / 60, clients
        self._tokens: OrderedDict[str, tuple[float, float]] = OrderedDict()  # client -> (tokens, when counted)
        self._lock = threading.Lock()  # waitress serves each process's requests from several threads

    def take(self, client: str, now: float | None = None) -> float:
        """0 when ``client`` may go ahead, having taken a token; else the seconds until it may."""
        now = time.monotonic() if now is None else now
        with self._lock:
            tokens, then = self._tokens.pop(client, (self.capacity, now))
            tokens = min(self.capacity, tokens + (now - then) * self.rate)
            if tokens >= 1:
                tokens, wait = tokens - 1, 0.0
            else:
                wait = (1 - tokens) / self.rate
            self._tokens[client] = (tokens, now)
            while len(self._tokens) > self.clients:
                self._tokens.popitem(last=False)
        return wait


def init_app(app: Flask) -> None:
    settings = app.config["PRECEDENT_SETTINGS"]
    if settings.rate_limit:
        app.extensions["precedent_buckets"] = Buckets(settings.rate_limit / settings.workers)
        app.before_request(_take)


def _take() -> None:
    """Raises 429 with Retry-After when the client has made its share of requests this minute."""
    if request.endpoint == "static":
        return
    wait = current_app.extensions["precedent_buckets"].take(request.remote_addr or "")
    if wait:
        seconds = math.ceil(wait)
        limit = current_app.config["PRECEDENT_SETTINGS"].rate_limit
        raise TooManyRequests(f"Too many requests from this address (the limit is {limit} a minute); try again in "
                              f"{seconds} second{'s' * (seconds != 1)}.", retry_after=seconds)
