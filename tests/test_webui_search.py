"""Narrowing, ordering, paging, exporting and reading, through Flask's test client on the real index."""

import csv
import io
import re

import pytest

from indexer.search import search

CSE = "2023-12-pcc-response-group-based-cse-thematic"
REVIEW = "2023-06-pcc-response-cheshire-child-protection-review"


def text(client, url):
    response = client.get(url)
    assert response.status_code == 200, response.get_data(as_text=True)[:500]
    return response.get_data(as_text=True)


def test_filters_are_checkboxes_with_counts_and_state_in_the_url(client, index):
    page = text(client, "/?q=children+in+custody&year=2023&role=commissioner_response")
    expected = search(index, "children in custody", 20, filters=_filters(year=["2023"], role=["commissioner_response"]))
    assert f"{expected.total} paragraphs for <q>children in custody</q>" in page
    assert re.search(r'name="year" value="2023"\s+checked>', page)
    assert re.search(r'name="year" value="2020"\s+>', page)  # still offered, with its count
    assert "Commissioner&#39;s response <span class=\"n\">(" in page
    assert 'aria-label="Remove filter Year: 2023"' in page
    assert 'href="/?q=children+in+custody&amp;role=commissioner_response"' in page  # year removed


def _filters(**chosen):
    from indexer.facets import Filters

    return Filters({k: tuple(v) for k, v in chosen.items()})


def test_sort_and_pages(client, index):
    total = search(index, "children", 20).total
    assert total > 20
    first, second = text(client, "/?q=children&sort=newest"), text(client, "/?q=children&sort=newest&page=2")
    assert '<option value="newest" selected>' in first and "page 1 of" in first and "page 2 of" in second
    assert '<ol class="results" start="21">' in second
    assert 'href="/?q=children&amp;sort=newest&amp;page=2" rel="next"' in first
    assert 'aria-current="page"' in second
    first_dates = re.findall(r'<span>(\d+ \w+ \d{4})</span>', first)
    assert first_dates[0].endswith("2023")
    response = client.get("/?q=children&page=99")
    assert response.status_code == 400 and "page: there are only" in response.get_data(as_text=True)


def test_timeline_bars_link_to_their_year(client):
    page = text(client, "/?q=children+in+custody")
    assert "<svg" in page and 'aria-labelledby="timeline-title"' in page
    assert re.search(r'<a href="/\?q=children\+in\+custody&amp;year=2023" class="year"\s+aria-label="2023 \d+ matches: \d+ inspectorate findings, \d+ responses"', page)
    chosen = text(client, "/?q=children+in+custody&year=2023")
    assert 'class="year chosen"' in chosen and 'href="/?q=children+in+custody" class="year chosen"' in chosen


def test_no_results_page_says_what_was_searched_and_how_to_widen(client):
    page = text(client, "/?q=custdy+JTAI&mode=keyword&year=2023")
    assert "No paragraph matches <q>custdy JTAI</q> (also searched:" in page and "joint targeted area inspection" in page
    assert 'Did you mean <a href="/?q=custody+JTAI&amp;mode=keyword&amp;year=2023">custody JTAI</a>?' in page
    assert re.search(r'<a href="/\?q=custdy\+JTAI&amp;mode=keyword">Remove the year filter</a>: \d+ paragraphs?', page)
    assert "Search by words and meaning" in page


def test_results_offer_context_copy_and_similar(client):
    page = text(client, "/?q=victim+blaming&mode=keyword")
    assert "<summary>Paragraphs before and after</summary>" in page
    assert f'data-citation="John Dwyer, HMICFRS Inspection of the Effectiveness' in page and f'data-url="/doc/{CSE}#p9"' in page
    assert f'href="/similar/{CSE}/9" class="similar-link"' in page and f'data-api="/api/similar/{CSE}/9"' in page
    assert f'href="/doc/{CSE}?q=victim+blaming&amp;mode=keyword#p9">Open with matches' in page


def test_a_match_by_meaning_alone_has_its_sentence_marked(client):
    page = text(client, "/?q=tots+at+the+nick&mode=semantic")
    assert '<mark class="sentence">' in page


def test_the_partial_for_scripts_is_the_results_region_only(client):
    page = client.get("/?q=custody&year=2023", headers={"X-Requested-With": "precedent"}).get_data(as_text=True)
    assert page.lstrip().startswith("<div class=\"filters-column\">") and "<html" not in page and 'id="count"' in page
    assert "X-Requested-With" in client.get("/?q=custody").headers["Vary"]


def test_export_csv_has_every_match_with_citations(client, index):
    response = client.get("/export.csv?q=custody&year=2023&sort=oldest")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    assert "attachment" in response.headers["Content-Disposition"]
    rows = list(csv.DictReader(io.StringIO(response.get_data(as_text=True))))
    expected = search(index, "custody", 100, filters=_filters(year=["2023"]), sort="oldest")
    assert len(rows) == expected.total > 0
    assert [r["citation"] for r in rows] == [r.citation for r in expected.results]
    assert all(r["date"].startswith("2023") and r["link"].startswith("http://localhost/doc/") for r in rows)


def test_export_markdown_is_a_brief(client):
    body = text(client, "/export.md?q=JTAI+Halton&role=commissioner_response")
    assert body.startswith("# Precedent: JTAI Halton\n")
    assert "- Filters: Paragraph role: Commissioner's response" in body
    assert "- Also searched: joint targeted area inspection (for JTAI)" in body
    assert re.search(r"^## 1\. David Keane, ", body, re.M) and "[Open the paragraph](http://localhost/doc/" in body


def test_exports_defuse_formulas_and_markdown_in_document_text():
    from indexer.export import _cell, _md

    assert _cell("=HYPERLINK(\"x\")") == "'=HYPERLINK(\"x\")" and _cell("@SUM(A1)") == "'@SUM(A1)" and _cell("plain") == "plain"
    assert _md("[click](javascript:alert(1)) <b>") == "\\[click\\](javascript:alert(1)) &lt;b&gt;"


def test_similar_page_and_its_json_twin(client):
    page = text(client, "/similar/2020-04-17-pcc-response-national-child-protection-thematic/5")
    assert "Paragraphs like this one in other documents" in page and f"/doc/{REVIEW}#p10" in page
    data = client.get("/api/similar/2020-04-17-pcc-response-national-child-protection-thematic/5").get_json()
    assert data["paragraph"]["paragraph"] == 5 and len(data["similar"]) == 5
    assert all(s["doc_id"] != data["paragraph"]["doc_id"] for s in data["similar"])
    assert client.get("/api/similar/nope/1").status_code == 404


def test_document_page_lists_sections_items_answers_and_hits(client):
    page = text(client, f"/doc/{CSE}?q=victim+blaming")
    assert "<h2>Recommendations and areas for improvement</h2>" in page
    assert re.search(r'<a href="#p9">Recommendation 9</a>\s*– answered in <a href="#p13">¶13</a>', page)
    assert '<a class="answers" href="#p9">Answers ¶9</a>' in page
    assert '<p class="para hit" id="p9" tabindex="-1">' in page and "<mark>victim</mark>" in page
    assert re.search(r'paragraphs? here match <q>victim blaming</q>:', page)
    data = client.get(f"/api/doc/{CSE}?q=victim+blaming").get_json()
    assert data["answers"]["9"] == [13] and 9 in data["hits"]


def test_api_search_has_facets_timeline_and_pages(client):
    data = client.get("/api/search?q=children&year=2023&sort=newest&page=2&k=5").get_json()
    assert data["page"] == 2 and data["per_page"] == 5 and data["pages"] == -(-data["total"] // 5)
    assert data["filters"]["chosen"] == {"year": ["2023"]}
    assert {f["name"] for f in data["facets"]} == {"year", "doc_type", "inspectorate", "inspection_type", "author",
                                                    "area", "role", "document"}
    assert all({"year", "finding", "response", "other", "chosen"} <= set(y) for y in data["timeline"])


@pytest.mark.parametrize("url, message", [
    ("/api/search?q=a&year=twenty", "year: expected a year"),
    ("/api/search?q=a&from=yesterday", "from: expected a date"),
    ("/api/search?q=a&sort=best", "sort: unknown order 'best'"),
    ("/api/search?q=a&page=0", "page: must be from 1"),
    ("/export.csv?q=", "q: the query is empty"),
])
def test_bad_parameters_are_named(client, url, message):
    response = client.get(url)
    assert response.status_code == 400 and message in response.get_data(as_text=True).replace("&#39;", "'")


def test_accessibility_statement_and_footer_link(client):
    assert "Accessibility statement for Precedent" in text(client, "/accessibility")
    assert '<a href="/accessibility">Accessibility statement</a>' in text(client, "/")


def test_filter_values_and_queries_are_escaped(client):
    page = text(client, "/?q=%3Cscript%3Ealert(1)%3C/script%3E&area=%3Cimg+src=x%3E")
    assert "<script>alert(1)" not in page and "<img src=x>" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
