"""Hostile documents, file names, metadata and queries on every page and export: nothing they hold can run.

Each HTML response is parsed (html.parser, through BeautifulSoup) and must hold no element the templates do not
make, no script but the app's own, no ``on…`` handler or style attribute, no javascript:, vbscript: or data: URL
and no payload left unescaped; and the payloads must be there, as text, so that a page which dropped them does not
pass for one that escaped them. CSV cells never start a formula; the Markdown brief, parsed as CommonMark, holds no
HTML, image or link but its own links to paragraphs; JSON is served as JSON with nosniff, its text as written.
"""

import csv
import io
import re
from pathlib import Path
from urllib.parse import quote

import pytest
from bs4 import BeautifulSoup, Comment

from webui import create_app

from .hostile_samples import FILE_PAYLOADS, PAYLOADS, REPORT, RESPONSE

WEBUI = Path(__file__).resolve().parent.parent / "webui"
# the elements the templates and the views' filters (<mark>) make
TAGS = {tag.lower() for source in [*WEBUI.glob("templates/*.html"), WEBUI / "views.py"]
        for tag in re.findall(r"<([a-zA-Z][a-zA-Z0-9]*)", source.read_text(encoding="utf-8"))}
# attributes a browser, or app.js (data-url, data-api), follows as a URL
URL_ATTRIBUTES = {"href", "src", "action", "formaction", "data", "srcdoc", "xlink:href", "poster", "background",
                  "data-url", "data-api"}
BAD_SCHEME = re.compile(r"(?:javascript|vbscript|data):")
EVERY = PAYLOADS + FILE_PAYLOADS
ATTRIBUTE_BREAKERS = [p for p in PAYLOADS if p.startswith(("'", '"'))]


@pytest.fixture(scope="module")
def client(hostile_settings):
    return create_app({"TESTING": True, "PRECEDENT_WARM": False}, settings=hostile_settings).test_client()


def injected(html: str) -> list[str]:
    """Whatever in ``html`` could run or was not escaped; empty for a page that only shows the payloads."""
    problems = []
    soup = BeautifulSoup(html, "html.parser")
    for element in soup.find_all(True):
        if element.name not in TAGS:
            problems.append(f"a <{element.name}> element")
        if element.name == "script" and not element.get("src", "").startswith("/static/"):
            problems.append("a script not from /static/")
        for name, value in element.attrs.items():
            if name.startswith("on") or name == "style":
                problems.append(f"{name}= on <{element.name}>")
            urls = value if isinstance(value, list) else [value]
            if name in URL_ATTRIBUTES:
                # browsers ignore control characters and spaces in a scheme ("java\tscript:")
                problems += [f"{name}={url!r}" for url in urls
                             if BAD_SCHEME.match(re.sub(r"[\x00-\x20]", "", url).lower())]
    problems += [f"an HTML comment {c!r}" for c in soup.find_all(string=lambda s: isinstance(s, Comment))]
    problems += [f"{p!r} unescaped" for p in EVERY if re.search("[<>\"'&]", p) and p in html]
    return problems


def carried(html: str) -> set[str]:
    """The payloads the page shows as text (as written, or quoted by an error message's repr) or holds in an
    attribute's value."""
    soup = BeautifulSoup(html, "html.parser")
    said = soup.get_text() + "".join(str(v) for element in soup.find_all(True) for v in element.attrs.values())
    return {p for p in EVERY if p in said or repr(p)[1:-1] in said}


def html_pages(client) -> dict[str, set[str]]:
    """Every kind of page, with the payloads each must show: searches for the hostile words and for each payload,
    every facet's values chosen, every document (with and without a hostile query), its similar paragraphs, the
    ledger with hostile filters, and the error pages that repeat what was asked."""
    index = client.application.config["PRECEDENT_INDEX"]
    facets = client.get("/api/search?q=custody").get_json()["facets"]
    pages = {"/?q=custody": set(), "/?q=custody&mode=keyword&sort=newest": set(), "/ledger": set(),
             f"/ledger?document={REPORT}": set(), "/accessibility": set(), "/": set(),
             # url_for reads these as instructions: the export links must not
             "/ledger?_external=1&_scheme=javascript&_method=POST&_anchor=%0Aalert(1)&status=accepted": set()}
    for facet in facets:
        values = [v["value"] for v in facet["values"]]
        pages["/?q=custody&" + "&".join(f"{facet['name']}={quote(v)}" for v in values)] = set()
    inspectorates = {v["value"] for f in facets if f["name"] == "inspectorate" for v in f["values"]}
    pages.update({f"/ledger?inspectorate={quote(i)}": set() for i in inspectorates})
    for doc_id in index.documents:
        pages[f"/doc/{doc_id}"] = pages[f"/similar/{doc_id}/1"] = set()
    for p in EVERY:
        asked = quote(p, safe="")
        pages.update({f"/?q={asked}": {p}, f"/?q=custody+{asked}&mode=keyword": {p}, f"/doc/{RESPONSE}?q={asked}": {p},
                      f"/doc/{asked}": {p}, f"/ledger?status={asked}": {p}})
    for p in ATTRIBUTE_BREAKERS:  # echoed into an input's value or a hidden field
        asked = quote(p, safe="")
        pages.update({f"/?q=custody&from={asked}": {p}, f"/?q=custody&mode={asked}": {p},
                      f"/ledger?year={asked}": {p}, f"/ledger?today={asked}&status=accepted": set()})
    return pages


def test_no_page_runs_what_documents_metadata_or_queries_hold(client):
    pages, shown = html_pages(client), {}
    for url, expected in pages.items():
        for headers in ({}, {"X-Requested-With": "precedent"}) if url.startswith("/?q=custody") else ({},):
            response = client.get(url, headers=headers)
            html = response.get_data(as_text=True)
            assert response.mimetype == "text/html" and response.status_code in (200, 400, 404), url
            assert not injected(html), (url, injected(html))
            shown[url] = carried(html)
            assert expected <= shown[url], (url, expected - shown[url])
    every = set().union(*shown.values())
    assert every == set(EVERY), set(EVERY) - every  # each payload reached at least one page, escaped
    documents = {url: found for url, found in shown.items() if url.startswith(("/doc/westshire", "/ledger?document"))}
    assert all(len(found) >= 5 for found in documents.values()), documents
    assert len(pages) >= 150


@pytest.mark.parametrize("url", ["/export.csv?q=custody", "/export.csv?q=custody+HYPERLINK&mode=keyword",
                                 "/ledger.csv", "/ledger.csv?status=accepted"])
def test_csv_exports_start_no_formula(client, url):
    response = client.get(url)
    assert response.status_code == 200 and response.mimetype == "text/csv"
    assert response.headers["Content-Disposition"].startswith("attachment;")
    rows = list(csv.reader(io.StringIO(response.get_data(as_text=True).lstrip("\ufeff"))))
    cells = [cell for row in rows[1:] for cell in row]
    assert len(rows) > 1 and not [c for c in cells if c.startswith(("=", "+", "-", "@", "\t", "\r"))]
    assert any(p in cell for p in PAYLOADS[:3] for cell in cells)  # the hostile text is there, as text


def markdown_problems(body: str, base: str) -> list[str]:
    """HTML, images and links in a Markdown brief as a CommonMark renderer reads it, less its own links to
    paragraphs; every link is let through first, so the renderer's own javascript: filter hides nothing."""
    from markdown_it import MarkdownIt

    md = MarkdownIt("commonmark")
    md.validateLink = lambda url: True
    problems = []
    for token in md.parse(body):
        for t in [token, *(token.children or [])]:
            if t.type in ("html_block", "html_inline", "image"):
                problems.append(f"{t.type}: {t.content!r}")
            if t.type == "link_open" and not t.attrGet("href").startswith(f"{base}/doc/"):
                problems.append(f"a link to {t.attrGet('href')!r}")
    return problems


@pytest.mark.parametrize("query", ["custody", *PAYLOADS])
def test_markdown_brief_holds_no_html_image_or_link(client, query):
    response = client.get(f"/export.md?q={quote(query, safe='')}")
    assert response.status_code == 200 and response.mimetype == "text/markdown"
    body = response.get_data(as_text=True)
    assert not markdown_problems(body, "http://localhost"), markdown_problems(body, "http://localhost")
    assert body.count("[Open the paragraph](http://localhost/doc/") >= (query == "custody")


def test_json_is_json_and_keeps_the_text_as_written(client):
    report = client.get(f"/api/doc/{REPORT}").get_json()
    assert report["meta"]["title"] == f"HMICFRS inspection of custody in Westshire {PAYLOADS[0]}"
    urls = ["/api/search?q=custody", "/api/export?q=custody", f"/api/doc/{RESPONSE}", f"/api/similar/{REPORT}/1",
            "/api/ledger", "/api/status", f"/api/doc/{quote(PAYLOADS[1], safe='')}",
            f"/api/search?q={quote(PAYLOADS[0])}", f"/api/ledger?status={quote(PAYLOADS[1])}"]
    for url in urls:
        response = client.get(url)
        assert response.mimetype == "application/json" and response.headers["X-Content-Type-Options"] == "nosniff"
        assert any(p in text for p in EVERY for text in strings(response.get_json())), url


def strings(value):
    """Every string in decoded JSON."""
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict | list):
        for item in value.values() if isinstance(value, dict) else value:
            yield from strings(item)
