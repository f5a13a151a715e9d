"""Security headers on every response the app makes: pages, errors, static files, JSON and exports.

The policy allows only this server's own style sheet, script and images: no inline script, style or event
handler runs even if one were ever injected into a page, no other site can frame a page, and a link to another
site is not told the search that led to it.
"""

from __future__ import annotations

from flask import Flask

HEADERS = {
    "Content-Security-Policy": "default-src 'self'; img-src 'self'; style-src 'self'; script-src 'self'; "
                               "object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "X-Frame-Options": "DENY",
}


def init_app(app: Flask) -> None:
    app.after_request(_secure)


def _secure(response):
    for name, value in HEADERS.items():
        response.headers.setdefault(name, value)
    return response
