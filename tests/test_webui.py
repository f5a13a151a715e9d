"""The web pages and JSON API through Flask's test client, on the real index."""

import re

import pytest

from indexer.build import build_index
from webui import create_app

from .conftest import make_settings, write

CSE = "2023-12-pcc-response-group-based-cse-thematic"


def test_search_page_shows_highlighted_results_with_citations(client):
    page = client.get("/?q=victim+blaming&mode=keyword").get_data(as_text=True)
    assert "<mark>victim</mark>-<mark>blaming</mark> language" in page
    assert f'<a href="/doc/{CSE}#p9" class="open">HMICFRS Inspection of the Effectiveness' in page
    flat = " ".join(page.split())
    assert "<span>John Dwyer</span> <span>8 December 2023</span> <span>Recommendation 9</span> <span>¶9</span>" in flat
    assert 'value="keyword" checked' in page


def test_empty_search_page_is_just_the_form(client):
    response = client.get("/")
    page = response.get_data(as_text=True)
    assert response.status_code == 200 and 'id="q"' in page and 'class="results"' not in page
    assert '<label class="search-label" for="q">' in page


def test_bad_request_on_the_page_is_a_400_with_the_form(client):
    response = client.get("/?q=custody&mode=nope")
    assert response.status_code == 400
    assert "mode: unknown mode &#39;nope&#39;" in response.get_data(as_text=True)


def test_api_search_matches_the_cli_shape(client):
    data = client.get("/api/search?q=children+kept+in+police+cells+overnight&k=3").get_json()
    assert data["query"] == "children kept in police cells overnight" and data["mode"] == "hybrid"
    assert len(data["results"]) == 3
    assert data["results"][0]["url"] == "/doc/2020-04-17-pcc-response-national-child-protection-thematic#p5"


@pytest.mark.parametrize("url, status, message", [
    ("/api/search?q=", 400, "q: the query is empty"),
    ("/api/search", 400, "q: the query is empty"),
    ("/api/search?q=a&mode=exact", 400, "mode: unknown mode 'exact'"),
    ("/api/search?q=a&k=0", 400, "k: must be from 1 to 100"),
    ("/api/search?q=a&k=101", 400, "k: must be from 1 to 100"),
    ("/api/search?q=a&k=x", 400, "k: must be a whole number"),
    ("/api/doc/no-such-doc", 404, "No document with id 'no-such-doc'"),
    ("/api/nothing-here", 404, "No API endpoint at /api/nothing-here; the API has /api/search"),
    ("/api/similar/a/abc", 404, "/api/similar/DOC_ID/PARAGRAPH_NUMBER"),
    ("/api", 404, "No API endpoint at /api; the API has /api/search"),
    # one line, read as typed: a newline or a right-to-left override in the path is shown escaped (fuzz)
    ("/api/similar/0%2F%0A%E2%80%AE/0", 404, "No API endpoint at /api/similar/0/\\n\\u202e/0; the API has"),
])
def test_api_errors_are_json(client, url, status, message):
    response = client.get(url)
    assert response.status_code == status and response.is_json
    error = response.get_json()["error"]
    assert error["status"] == status and message in error["message"]


def test_unknown_document_page_is_a_404_page(client):
    response = client.get("/doc/no-such-doc")
    assert response.status_code == 404 and "text/html" in response.content_type
    assert "No document with id" in response.get_data(as_text=True)
    assert client.get("/api/search/?q=custody").get_json()["total"] > 0  # a trailing slash is the same endpoint
    mistyped = client.get("/serach")
    assert mistyped.status_code == 404 and "No page at /serach; start from the search page at /" in mistyped.get_data(
        as_text=True)


def test_document_page_has_anchors_headings_and_table(client):
    page = client.get(f"/doc/{CSE}").get_data(as_text=True)
    assert page.count('class="para" id="p') == 18
    assert '<p class="para" id="p9"><a class="pnum" href="#p9"' in page
    assert re.search(r'<h2 id="s\d+">Recommendation 9</h2>', page) and '<span class="role">AFI 1</span>' in page
    assert "<dt>Author</dt><dd>John Dwyer, Police and Crime Commissioner for Cheshire</dd>" in page
    assert "<dt>Inspection</dt><dd>National Thematic</dd>" in page and "<dt>Type</dt><dd>PCC response</dd>" in page
    assert '<th scope="row">Type of Inspection</th><td>National Thematic</td>' in page
    assert "handwritten signature" not in page


def test_document_json_twin(client):
    doc = client.get(f"/api/doc/{CSE}").get_json()
    assert doc["doc_id"] == CSE and doc["meta"]["date"] == "2023-12-08" and doc["meta"]["author"] == "John Dwyer"
    assert [b["paragraph"] for b in doc["blocks"] if b["kind"] == "paragraph"] == list(range(1, 19))


def test_status(client):
    status = client.get("/api/status").get_json()
    assert status["counts"]["paragraphs"] == 50 and status["model"]["dimension"] == 384
    assert status["run"]["embedded"] == 50 and status["not_indexed"] == []


def test_security_headers_and_local_assets(client):
    response = client.get("/")
    csp = response.headers["Content-Security-Policy"]
    assert "default-src 'self'" in csp and "frame-ancestors 'none'" in csp and "script-src 'self'" in csp
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "same-origin"
    page = response.get_data(as_text=True)
    assert "http://" not in page and "https://" not in page
    for asset in ("/static/style.css", "/static/favicon.svg"):
        with client.get(asset) as response:
            assert response.status_code == 200


def test_query_text_is_escaped(client):
    page = client.get("/?q=%3Cscript%3Ealert(1)%3C/script%3E").get_data(as_text=True)
    assert "<script>" not in page and "&lt;script&gt;alert(1)&lt;/script&gt;" in page


def test_document_text_is_escaped(tmp_path):
    docs = tmp_path / "docs"
    write(docs, "evil.txt", 'The report said <script>alert("x")</script> about custody <img src=x onerror=alert(1)>.')
    settings = make_settings(tmp_path / "ix", corpus=str(docs))
    build_index(settings, progress=False)
    client = create_app({"TESTING": True, "PRECEDENT_WARM": False}, settings=settings).test_client()
    for url, shown in (("/?q=custody+script", "&lt;<mark>script</mark>&gt;alert"), ("/doc/evil", "&lt;script&gt;")):
        page = client.get(url).get_data(as_text=True)
        assert "<script>" not in page and "<img" not in page, url
        assert shown in page and "&lt;img src=x" in page, url


def test_no_index_is_503_until_one_is_built(tmp_path):
    docs = tmp_path / "docs"
    write(docs, "a.txt", "The custody suite was inspected and found wanting.")
    settings = make_settings(tmp_path / "ix", corpus=str(docs))
    client = create_app({"TESTING": True, "PRECEDENT_WARM": False}, settings=settings).test_client()
    api = client.get("/api/search?q=custody")
    assert api.status_code == 503 and "precedent index" in api.get_json()["error"]["message"]
    page = client.get("/?q=custody")
    assert page.status_code == 503 and "Search is not ready" in page.get_data(as_text=True)
    assert client.get("/ledger").status_code == client.get("/api/ledger").status_code == 503
    build_index(settings, progress=False)
    assert client.get("/api/search?q=custody").get_json()["results"][0]["doc_id"] == "a"


def test_expansions_are_shown_as_also_searched(client):
    page = client.get("/?q=JTAI+Halton").get_data(as_text=True)
    assert "Also searched:" in page and "joint targeted area inspection <small>(for JTAI)</small>" in page
    assert client.get("/api/search?q=JTAI").get_json()["also_searched"] == [
        {"said": "JTAI", "also": ["joint targeted area inspection"]}]
    left_out = client.get("/?q=Halton+-JTAI").get_data(as_text=True)
    assert "Also searched:" not in left_out
    assert "Also left out:" in left_out and "joint targeted area inspection <small>(for JTAI)</small>" in left_out
    assert client.get("/api/search?q=Halton+-JTAI").get_json()["also_excluded"] == [
        {"said": "JTAI", "also": ["joint targeted area inspection"]}]
