"""One error handler per surface: JSON under /api/, an HTML page elsewhere.

Every error has the same JSON shape, ``{"error": {"status": 400, "message": "…"}}``,
and no response ever carries a traceback.
"""

from __future__ import annotations

from flask import Flask, jsonify, render_template, request
from werkzeug.exceptions import HTTPException

from indexer.errors import PrecedentError


def init_app(app: Flask) -> None:
    app.register_error_handler(PrecedentError, lambda e: _respond(e.status, str(e)))
    app.register_error_handler(HTTPException, lambda e: _respond(e.code or 500, e.description or e.name))
    app.register_error_handler(Exception, _unexpected)
    app.after_request(_security_headers)


def _unexpected(error: Exception):
    if isinstance(error, HTTPException):
        return _respond(error.code or 500, error.description)
    from flask import current_app

    current_app.logger.exception("Unexpected error on %s", request.path)
    return _respond(500, "Something went wrong on the server; the log has the details.")


def _respond(status: int, message: str):
    if request.path.startswith("/api/"):
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
