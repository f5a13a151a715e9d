"""Bounds on what one request may be, so a client cannot make the server hold or parse more than a page needs.

No page or API call takes a request body, and the longest URL a page makes (a search with many filters) is a
few hundred characters. The app refuses a URL of more than ``MAX_URL`` characters with 414 and a body of more than
``MAX_BODY`` bytes with 413, as one line like every other error. Waitress refuses earlier, with its own short
plain-text answer, what it would otherwise read into memory or a temporary file: a request line and headers over
``SERVER_LIMITS["max_request_header_size"]`` (431) or a body over ``SERVER_LIMITS["max_request_body_size"]`` (413).
"""

from __future__ import annotations

from flask import Flask, request
from werkzeug.exceptions import RequestEntityTooLarge, RequestURITooLarge

MAX_URL = 8 * 1024
MAX_BODY = 64 * 1024
SERVER_LIMITS = {"max_request_header_size": 32 * 1024, "max_request_body_size": 1024 * 1024}


def init_app(app: Flask) -> None:
    app.config["MAX_CONTENT_LENGTH"] = MAX_BODY  # and anything that reads the body stops there
    app.before_request(_within_bounds)


def _within_bounds() -> None:
    """Raises 414 or 413 naming the bound."""
    length = len(request.path) + len(request.query_string)
    if length > MAX_URL:
        raise RequestURITooLarge(f"The address is {length:,} characters long; this server takes at most {MAX_URL:,}. "
                                 "Shorten the query or remove some filters.")
    if (request.content_length or 0) > MAX_BODY:
        raise RequestEntityTooLarge(f"The request body is {request.content_length:,} bytes; this server takes at most "
                                    f"{MAX_BODY:,}, and its pages and API need none.")
