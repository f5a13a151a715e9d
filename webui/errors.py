"""One error handler per surface: JSON under /api/, an HTML page elsewhere.

Every error has the same JSON shape, ``{"error": {"status": 400, "message": "…"}}``,
and no response ever carries a traceback.
"""

from __future__ import annotations

from flask import Flask, jsonify, make_response, render_template, request
from werkzeug.exceptions import HTTPException, NotFound

from indexer.errors import PrecedentError


def init_app(app: Flask) -> None:
    app.register_error_handler(PrecedentError, _precedent)
    app.register_error_handler(NotFound, lambda e: _respond(404, _nothing_at(request.path)))
    app.register_error_handler(HTTPException, lambda e: _respond(e.code or 500, e.description or e.name))
    app.register_error_handler(Exception, _unexpected)
    app.after_request(_security_headers)


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


def _unexpected(error: Exception):
    if isinstance(error, HTTPException):
        return _respond(error.code or 500, error.description)
    from flask import current_app

    current_app.logger.exception("Unexpected error on %s", request.path)
    return _respond(500, "Something went wrong on the server; the log has the details.")


def _respond(status: int, message: str):
    if _is_api(request.path):
        return jsonify(error={"status": status, "message": message}), status
    return render_template("error.html", status=status, message=message), status


def _security_headers(response):
    response.headers.setdefault(
        "Content-Security-Policy",
        "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
        "object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'",
    )
    response.headers.setdefault("X-Content-Type-Options", "nosniff")
    response.headers.setdefault("Referrer-Policy", "same-origin")
    response.headers.setdefault("X-Frame-Options", "DENY")
    return response
