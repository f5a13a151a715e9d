"""One error handler per surface: JSON under /api/, an HTML page elsewhere.

Every error has the same JSON shape, ``{"error": {"status": 400, "message": "…"}}``,
and no response ever carries a traceback: an unexpected error is logged with its
traceback under a short random id, and the response shows only the id, which a
user can quote to whoever reads the log.
"""

from __future__ import annotations

import secrets

from flask import Flask, current_app, jsonify, make_response, render_template, request
from werkzeug.exceptions import HTTPException, NotFound

from indexer.errors import PrecedentError


def init_app(app: Flask) -> None:
    app.register_error_handler(PrecedentError, _precedent)
    app.register_error_handler(NotFound, lambda e: _respond(404, _nothing_at(request.path)))
    app.register_error_handler(HTTPException, _http_error)
    app.register_error_handler(Exception, _unexpected)


def _precedent(error: PrecedentError):
    response = make_response(*_respond(error.status, str(error)))
    if error.retry_after:  # a search stopped past its budget (503): ask again later, not at once
        response.headers["Retry-After"] = str(error.retry_after)
    return response


def _is_api(path: str) -> bool:
    return path == "/api" or path.startswith("/api/")


def _nothing_at(path: str) -> str:
    """What a mistyped address should say: where to go instead, not werkzeug's generic advice. The path is
    shown as typed but for characters that would break the message's one line ("%0A") or turn it round
    ("%E2%80%AE"), written as escapes."""
    path = "".join(c if c.isprintable() else repr(c)[1:-1] for c in path)
    if _is_api(path):
        return (f"No API endpoint at {path}; the API has /api/search, /api/export, /api/doc/DOC_ID, "
                "/api/similar/DOC_ID/PARAGRAPH_NUMBER, /api/ledger and /api/status")
    return f"No page at {path}; start from the search page at /"


def _http_error(error: HTTPException):
    """werkzeug's errors (405, 413, 414, 429…) keep the headers they come with, such as Allow and Retry-After."""
    headers = [(name, value) for name, value in error.get_headers() if name.lower() != "content-type"]
    return _respond(error.code or 500, error.description or error.name, headers)


def _unexpected(error: Exception):
    error_id = secrets.token_hex(4)
    current_app.logger.error("Error %s on %s %s", error_id, request.method, request.full_path, exc_info=error)
    return _respond(500, f"Something went wrong on the server (error {error_id}); the log has the details under "
                         "that id.")


def _respond(status: int, message: str, headers=()):
    if _is_api(request.path):
        return jsonify(error={"status": status, "message": message}), status, headers
    return render_template("error.html", status=status, message=message), status, headers
