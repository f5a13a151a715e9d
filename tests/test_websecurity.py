"""Web security through Flask's test client: headers on every response, no inline code for the policy to allow,
odd and traversing ids and static paths, request size bounds, and errors that show an id, never a traceback.
``test_server`` checks the same over HTTP from a real `precedent serve`."""

import logging
import re
from pathlib import Path

import pytest

from webui import create_app
from webui.headers import HEADERS
from webui.limits import MAX_BODY, MAX_URL

from .conftest import make_settings

WEBUI = Path(__file__).resolve().parent.parent / "webui"
# what a file outside static/ would show if a path reached it
LEAKS = ("root:x:", "[project]", "SETTINGS = (", "def create_app")


def assert_secure(response, what):
    with response:  # a static file's stays open until closed
        for name, value in HEADERS.items():
            assert response.headers.get(name) == value, (what, name)
        assert "unsafe-" not in response.headers["Content-Security-Policy"]


def test_policy_allows_no_inline_script_style_or_handler():
    csp = dict(d.strip().split(" ", 1) for d in HEADERS["Content-Security-Policy"].split(";"))
    assert csp["script-src"] == csp["style-src"] == csp["default-src"] == csp["img-src"] == "'self'"
    assert csp["frame-ancestors"] == csp["object-src"] == csp["base-uri"] == "'none'"
    for template in WEBUI.glob("templates/*.html"):
        source = template.read_text(encoding="utf-8")
        assert not re.search(r"<script(?![^>]*\bsrc=)|<style|\sstyle=|\son[a-z]+=|javascript:", source), template.name
    script = (WEBUI / "static" / "app.js").read_text(encoding="utf-8")
    assert not re.search(r"\beval\(|new Function|setAttribute\(\s*[\"']on|insertAdjacentHTML|document\.write", script)
    assert script.count("innerHTML") == 1  # the results the server rendered: checked by test_hostile


def test_security_headers_on_every_response(app, tmp_path):
    app.add_url_rule("/fails", "fails", _fails)
    client = app.test_client()
    for url in ("/", "/?q=custody", "/api/search?q=custody", "/doc/no-such-doc", "/api/doc/no-such-doc", "/nowhere",
                "/?q=custody&mode=nope", "/api/search?q=", "/export.csv?q=custody", "/export.md?q=custody",
                "/api/export?q=custody", "/ledger", "/ledger.csv", "/api/ledger", "/static/style.css",
                "/static/app.js", "/static/favicon.svg", "/static/nothing.css", "/?q=" + "a" * MAX_URL):
        assert_secure(client.get(url), url)
    assert_secure(client.head("/"), "HEAD /")
    assert_secure(client.options("/api/search"), "OPTIONS")
    assert_secure(client.post("/api/search?q=custody"), "POST")
    assert_secure(client.get("/api/search?q=custody", data=b"x" * (MAX_BODY + 1)), "a body")
    with client.get("/static/style.css") as first:
        again = client.get("/static/style.css", headers={"If-None-Match": first.headers["ETag"]})
    assert again.status_code == 304
    assert_secure(again, "304")
    assert_secure(client.get("/fails"), "500")
    settings = make_settings(tmp_path / "none")
    unready = create_app({"TESTING": True, "PRECEDENT_WARM": False}, settings=settings).test_client()
    for url in ("/?q=custody", "/api/search?q=custody"):
        response = unready.get(url)
        assert response.status_code == 503
        assert_secure(response, f"503 {url}")


def _fails():
    raise RuntimeError("the secret detail /home/someone/.precedent-index")


def test_an_unexpected_error_shows_only_an_id_that_the_log_carries(app, caplog):
    app.add_url_rule("/fails", "fails", _fails)
    app.add_url_rule("/api/fails", "api_fails", _fails)
    client = app.test_client()
    with caplog.at_level(logging.ERROR):
        page, api = client.get("/fails"), client.get("/api/fails")
    assert page.status_code == api.status_code == 500
    html, message = page.get_data(as_text=True), api.get_json()["error"]["message"]
    for said in (html, message):
        assert "secret detail" not in said and "Traceback" not in said and "RuntimeError" not in said
    ids = [re.search(r"\(error ([0-9a-f]{8})\)", said).group(1) for said in (html, message)]
    assert ids[0] != ids[1]
    assert message == f"Something went wrong on the server (error {ids[1]}); the log has the details under that id."
    logged = [r for r in caplog.records if r.levelno == logging.ERROR]
    assert [r.getMessage() for r in logged] == [f"Error {ids[0]} on GET /fails?", f"Error {ids[1]} on GET /api/fails?"]
    assert all("the secret detail" in caplog.text and r.exc_info for r in logged)


def test_debug_is_off_even_when_the_environment_asks(settings, index, monkeypatch):
    monkeypatch.setenv("FLASK_DEBUG", "1")
    app = create_app({"PRECEDENT_INDEX": index, "PRECEDENT_WARM": False}, settings=settings)
    assert app.debug is False and not app.testing and app.config["PROPAGATE_EXCEPTIONS"] is None


@pytest.mark.parametrize("url, status", [
    ("/?q=" + "a" * MAX_URL, 414),
    ("/api/search?q=" + "custody+" * (MAX_URL // 8), 414),
    ("/doc/" + "a" * MAX_URL, 414),
    ("/doc/" + "a" * (MAX_URL - 100), 404),
    ("/?q=custody&" + "&".join(f"area=x{n}" for n in range(MAX_URL // 8)), 414),
])
def test_long_addresses_are_refused_in_one_line(client, url, status):
    response = client.get(url)
    assert response.status_code == status
    if status == 414:
        text = response.get_data(as_text=True)
        assert f"this server takes at most {MAX_URL:,}" in text and "Shorten the query" in text
        if url.startswith("/api/"):
            assert "\n" not in response.get_json()["error"]["message"]


def test_a_request_body_is_refused_past_its_bound(client):
    assert client.get("/api/search?q=custody", data=b"x" * MAX_BODY).status_code == 200  # read by nothing
    response = client.get("/api/search?q=custody", data=b"x" * (MAX_BODY + 1))
    assert response.status_code == 413
    assert response.get_json()["error"]["message"] == (f"The request body is {MAX_BODY + 1:,} bytes; this server takes "
                                                       f"at most {MAX_BODY:,}, and its pages and API need none.")
    assert client.post("/", data={"q": "x" * (MAX_BODY + 1)}).status_code == 413


TRAVERSALS = [
    "/doc/../../etc/passwd", "/doc/..%2F..%2Fetc%2Fpasswd", "/doc/%2e%2e%2f%2e%2e%2fpyproject.toml", "/doc/%2e%2e",
    "/doc/..", "/doc/.", "/doc/%00", "/doc/x%00y", "/doc/%c0%ae%c0%ae%c0%afetc", "/doc/%EF%BC%8E%EF%BC%8E%EF%BC%8Fetc",
    "/doc//etc/passwd", "/doc/%5c..%5c..%5cpyproject.toml", "/doc/C:%5cWindows", "/doc/" + "%e2%80%ae" * 3,
    "/api/doc/..%2F..%2Fetc%2Fpasswd", "/api/doc/%00", "/api/doc/%2e%2e", "/api/doc/%ff%fe",
    "/similar/..%2F..%2Fetc/1", "/similar/x/-1", "/similar/x/1e3", "/similar/x/" + "9" * 40, "/api/similar/%00/1",
    "/api/similar/..%2f..%2fpyproject.toml/1",
    "/static/../indexer/config.py", "/static/..%2findexer%2fconfig.py", "/static/%2e%2e/%2e%2e/pyproject.toml",
    "/static/%2e%2e%2f%2e%2e%2fpyproject.toml", "/static//etc/passwd", "/static/%2fetc%2fpasswd", "/static/%00",
    "/static/style.css%00.txt", "/static/..%5c..%5cpyproject.toml", "/static/%c0%ae%c0%ae/pyproject.toml",
    "/static/%EF%BC%8E%EF%BC%8E/__init__.py", "/static/../templates/base.html", "/static/../__init__.py",
    "//etc/passwd", "/%2e%2e/%2e%2e/etc/passwd", "/static/" + "a" * 4000,
    "/ledger?document=../../etc/passwd", "/ledger.csv?document=%2fetc%2fpasswd", "/api/ledger?document=%00",
]


@pytest.mark.parametrize("url", TRAVERSALS)
def test_odd_ids_and_traversing_paths_are_not_found(client, url):
    response = client.get(url)
    body = response.get_data(as_text=True)
    assert response.status_code in (400, 404), (url, response.status_code)
    assert not any(leak in body for leak in LEAKS)


def test_a_document_filter_is_compared_with_ids_not_opened(client):
    assert client.get("/api/search?q=custody&document=..%2f..%2fetc%2fpasswd").get_json()["total"] == 0
    assert client.get("/export.csv?q=custody&document=/etc/passwd").get_data(as_text=True).count("\n") == 1  # header


def test_ids_reach_documents_only_through_the_index():
    """No route builds a file path: documents and paragraphs are looked up by id in the index, static files are
    Flask's (werkzeug's safe_join), and a download's name is made of a slug."""
    for module in ("views.py", "ledger.py", "errors.py", "limits.py", "ratelimit.py", "headers.py"):
        source = (WEBUI / module).read_text(encoding="utf-8")
        assert not re.search(r"\bopen\(|Path\(|os\.path|send_file|send_from_directory|safe_join", source), module
