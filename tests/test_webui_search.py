"""Narrowing, ordering, paging, exporting and reading, through Flask's test client on the real index."""

import csv
import html
import io
import re
from datetime import date

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


def test_not_stated_can_be_chosen_and_round_trips_in_the_url(client, index):
    q = "custody+detention"
    unstated = search(index, "custody detention", 20, filters=_filters(author=["not_stated"])).total
    assert 0 < unstated < search(index, "custody detention", 20).total
    offered = text(client, f"/?q={q}")
    assert re.search(rf'name="author" value="not_stated"\s+>\s*<label[^>]*>Not stated <span class="n">\({unstated}\)', offered)
    page = text(client, f"/?q={q}&author=not_stated")
    assert f"{unstated} paragraphs for <q>custody detention</q>" in page
    assert re.search(r'name="author" value="not_stated"\s+checked>', page)
    assert f'<a href="/?q={q}" aria-label="Remove filter Author: Not stated">' in page
    data = client.get(f"/api/search?q={q}&author=not_stated").get_json()
    assert data["total"] == unstated and data["filters"]["chosen"] == {"author": ["not_stated"]}
    assert all(r["author"] is None for r in data["results"])
    assert client.get(f"/api/search?q={q}&author=").get_json()["filters"]["chosen"] == {}  # empty: no filter


def test_an_unknown_author_is_no_results_not_an_error(client):
    assert client.get("/api/search?q=custody&author=Nobody").get_json()["total"] == 0


def test_an_empty_k_or_page_is_the_default(client):
    data = client.get("/api/search?q=children&k=&page=").get_json()
    assert data["per_page"] == 20 and data["page"] == 1
    assert "page 1 of" in text(client, "/?q=children&k=&page=")


def test_pager_never_hides_a_single_page_behind_an_ellipsis(client):
    from webui.views import page_numbers

    assert page_numbers(1, 6) == [1, 2, 3, 4, 5, 6]
    assert page_numbers(5, 10) == list(range(1, 11))
    assert page_numbers(1, 10) == [1, 2, 3, None, 9, 10]
    assert page_numbers(6, 12) == [1, 2, 3, 4, 5, 6, 7, 8, None, 11, 12]
    page = text(client, "/?q=children&k=5")
    assert "page 1 of 6" in page and '<li aria-hidden="true">…</li>' not in page
    assert 'href="/?q=children&amp;k=5&amp;page=4"><span class="visually-hidden">Page </span>4</a>' in page
    assert '<li aria-hidden="true">…</li>' in text(client, "/?q=children&k=2")


def test_the_form_keeps_a_chosen_page_size(client):
    assert '<input type="hidden" name="k" value="5">' in text(client, "/?q=children&k=5&year=2023")
    assert 'name="k"' not in text(client, "/?q=children") and 'name="k"' not in text(client, "/?q=children&k=20")


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


def test_an_export_is_named_for_its_query_in_ascii(client):
    today = date.today().isoformat()
    for q, words in (('"Children" in <custody> — été', "children-in-custody-ete"), ("日本", "search"),
                     ("x" * 60, "x" * 40), ("recommendation 9 custody detention children", "recommendation-9-custody-detention")):
        disposition = client.get("/export.md", query_string={"q": q}).headers["Content-Disposition"]
        assert disposition == f'attachment; filename="precedent-{words}-{today}.md"', q


def test_export_csv_has_every_match_with_citations(client, index):
    response = client.get("/export.csv?q=custody&year=2023&sort=oldest")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    today = date.today().isoformat()
    assert response.headers["Content-Disposition"] == f'attachment; filename="precedent-custody-{today}.csv"'
    assert response.data.startswith("\ufeff".encode())  # a byte-order mark, for Excel
    rows = list(csv.DictReader(io.StringIO(response.data.decode("utf-8-sig"))))
    expected = search(index, "custody", 100, filters=_filters(year=["2023"]), sort="oldest")
    assert len(rows) == expected.total > 0
    assert [r["citation"] for r in rows] == [r.citation for r in expected.results]
    assert all(r["date"].startswith("2023") and r["link"].startswith("http://localhost/doc/") for r in rows)


def test_api_export_is_every_match_whatever_the_page(client, index):
    expected = search(index, "custody", 100, sort="newest")
    for url in ("/api/export?q=custody&sort=newest", "/api/export?q=custody&sort=newest&k=abc&page=99"):
        data = client.get(url).get_json()
        assert data["total"] == len(data["results"]) == expected.total > 10, url
        assert [r["citation"] for r in data["results"]] == [r.citation for r in expected.results]


def test_export_markdown_is_a_brief(client):
    body = text(client, "/export.md?q=JTAI+Halton&role=commissioner_response")
    assert body.startswith("# Precedent: JTAI Halton\n")
    assert "- Filters: Paragraph role: Commissioner's response" in body
    assert "- Also searched: joint targeted area inspection (for JTAI)" in body
    assert re.search(r"^## 1\. David Keane, ", body, re.M) and "[Open the paragraph](http://localhost/doc/" in body
    briefing = text(client, "/export.md?q=schools&document=2019-halton-jtai-briefing-for-schools")
    assert "- Filters: Document: Joint Targeted Area Inspection\n" in briefing  # its title, not its id


def test_exports_defuse_formulas_and_markdown_in_document_text():
    from indexer.export import _cell, _md

    assert _cell("=HYPERLINK(\"x\")") == "'=HYPERLINK(\"x\")" and _cell("@SUM(A1)") == "'@SUM(A1)" and _cell("plain") == "plain"
    assert _md("[click](javascript:alert(1)) <b>") == "\\[click\\](javascript:alert(1)) \\<b>"


def test_markdown_brief_quotes_and_query_read_as_written(client):
    body = text(client, "/export.md?q=David+Keane&mode=keyword")
    assert "> Between 8 and 12 July 2019, Ofsted, the Care Quality Commission (CQC), Her Majesty's Inspectorate of " \
           "Constabulary and Fire & Rescue Services (HMICFRS) and" in body and "&amp;" not in body
    rows = list(csv.DictReader(io.StringIO(text(client, "/export.csv?q=David+Keane&mode=keyword").lstrip("\ufeff"))))
    assert "Constabulary and Fire & Rescue Services (HMICFRS)" in rows[0]["text"]
    body = text(client, "/export.md?q=children+%3C18+%26+custody&mode=keyword")
    assert body.startswith("# Precedent: children \\<18 & custody\n\n- Searched: children \\<18 & custody (keyword, ")
    body = text(client, "/export.md?q=a%0A%23+heading%0D%0A%3Cscript%3E&mode=keyword")
    assert body.startswith("# Precedent: a \\# heading \\<script>\n\n")


_HOSTILE = [
    ("Fire & Rescue; AT&T; &amp; &#60; &copy", "> Fire & Rescue; AT\\&T; \\&amp; \\&\\#60; &copy"),
    ("  <b>x</b> <http://x.y> <!-- c -->", "> \\<b>x\\</b> \\<http://x.y> \\<!-- c -->"),
    ("*a* _b_ `c` ~~d~~ a|b \\*", "> \\*a\\* \\_b\\_ \\`c\\` \\~\\~d\\~\\~ a\\|b \\\\\\*"),
    ("![i](x.png) [r]: http://evil", "> !\\[i\\](x.png) \\[r\\]: http://evil"),
    ("# Heading #", "> \\# Heading \\#"),
    ("> quote", "> \\> quote"),
    ("- item", "> \\- item"),
    ("+ item", "> \\+ item"),
    ("---", "> \\---"),
    ("===", "> \\==="),
    ("1. item", "> 1\\. item"),
    ("12) item", "> 12\\) item"),
    ("12.5% of forces", "> 12.5% of forces"),
    ("    indented code", "> indented code"),
    ("   ", ">"),
]


@pytest.mark.parametrize("line, quoted", _HOSTILE)
def test_quote_lines_escape_with_backslashes_only_where_markdown_would_act(line, quoted):
    from indexer.export import _quote

    assert _quote(line) == quoted


@pytest.mark.parametrize("line", [line for line, _ in _HOSTILE if line.strip()])
def test_quote_lines_render_as_the_source_text_in_commonmark(line):
    from indexer.export import _quote

    markdown_it = pytest.importorskip("markdown_it")
    rendered = markdown_it.MarkdownIt("commonmark").render(_quote(line))
    assert rendered == f"<blockquote>\n<p>{html.escape(line.strip(), quote=False)}</p>\n</blockquote>\n"


def test_a_quoted_line_cannot_underline_the_one_before_into_a_heading():
    from indexer.export import _quote

    markdown_it = pytest.importorskip("markdown_it")
    brief = "\n".join(_quote(line) for line in ("Title", "---", "Next", "==="))
    assert markdown_it.MarkdownIt("commonmark").render(brief) == "<blockquote>\n<p>Title\n---\nNext\n===</p>\n</blockquote>\n"


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
    assert re.search(r'<a href="#p9">Recommendation 9</a>\s*<span class="status status-accepted">Accepted</span>'
                     r'\s*– answered in <a href="#p13">¶13</a>', page)
    assert '<span class="answers">Answers <a href="#p9">¶9</a></span>' in page
    # a response that names no item answers the next items in the letter's order, several at once if need be
    assert '<span class="answers">Answers <a href="#p6">¶6</a>, <a href="#p7">¶7</a></span>' in page
    assert '<p class="para hit" id="p9" tabindex="-1">' in page and "<mark>victim</mark>" in page
    assert re.search(r'paragraphs? here match <q>victim blaming</q> \(\d+ by meaning alone\):', page)
    data = client.get(f"/api/doc/{CSE}?q=victim+blaming").get_json()
    assert data["answers"] == {"6": [11], "7": [11], "8": [12], "9": [13], "10": [14]} and 9 in data["hits"]


def test_api_search_has_facets_timeline_and_pages(client):
    data = client.get("/api/search?q=children&year=2023&sort=newest&page=2&k=5").get_json()
    assert data["page"] == 2 and data["per_page"] == 5 and data["pages"] == -(-data["total"] // 5)
    assert data["filters"]["chosen"] == {"year": ["2023"]}
    assert {f["name"] for f in data["facets"]} == {"year", "doc_type", "inspectorate", "inspection_type", "author",
                                                    "area", "role", "document"}
    assert all({"year", "finding", "response", "other", "chosen"} <= set(y) for y in data["timeline"])


@pytest.mark.parametrize("url, message", [
    ("/api/search?q=a&year=twenty", "year: expected a year"),
    ("/api/search?q=a&from=yesterday", "from: 'yesterday' is not a date; use YYYY, YYYY-MM or YYYY-MM-DD"),
    ("/api/search?q=a&from=2023-13-45", "from: '2023-13-45' is not a date"),
    ("/api/search?q=a&to=2023-02-30", "to: '2023-02-30' is not a date"),
    ("/api/search?q=a&from=2023-00", "from: '2023-00' is not a date"),
    ("/api/search?q=a&from=2024&to=2020", "from: 2024 is after to 2020"),
    ("/api/search?q=a&role=foo", "role: 'foo' is not one of: summary, "),
    ("/?q=a&doc_type=x", "doc_type: 'x' is not one of: inspection, "),
    ("/export.csv?q=a&from=2023-02-30", "from: '2023-02-30' is not a date"),
    ("/api/search?q=a&k=x", "k: must be a whole number"),
    ("/api/search?q=a&sort=best", "sort: unknown order 'best'"),
    ("/api/search?q=a&page=0", "page: must be from 1"),
    ("/export.csv?q=", "q: the query is empty"),
    ("/api/ledger?status=sorta", "status: 'sorta' is not a status; use one of: accepted, partly accepted,"),
    ("/api/ledger?year=23", "year: '23' is not a year; give four digits, such as 2023"),
    ("/api/ledger?today=2024-02-30", "today: '2024-02-30' is not a date; give YYYY-MM-DD"),
    ("/api/ledger?document=nope", "document: 'nope' is not an indexed document; give its id"),
    ("/api/ledger?overdue=maybe", "overdue: 'maybe' is not yes or no"),
    ("/ledger.csv?status=sorta", "status: 'sorta' is not a status"),
    ("/ledger?year=twenty", "year: 'twenty' is not a year"),
])
def test_bad_parameters_are_named(client, url, message):
    response = client.get(url)
    assert response.status_code == 400 and message in response.get_data(as_text=True).replace("&#39;", "'")
    if url.startswith("/api/"):
        assert "\n" not in response.get_json()["error"]["message"]


def test_accessibility_statement_and_footer_link(client):
    assert "Accessibility statement for Precedent" in text(client, "/accessibility")
    assert '<a href="/accessibility">Accessibility statement</a>' in text(client, "/")


def test_filter_values_and_queries_are_escaped(client):
    page = text(client, "/?q=%3Cscript%3Ealert(1)%3C/script%3E&area=%3Cimg+src=x%3E")
    assert "<script>alert(1)" not in page and "<img src=x>" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page


def test_a_result_found_by_meaning_alone_says_so(client, index):
    q = "money for extra officers"
    results = search(index, q, 20).results
    by_meaning = [r for r in results if r.by_meaning]
    assert 0 < len(by_meaning) < len(results)  # some have the words, some only the meaning
    assert all(r.sentence and not r.highlights for r in by_meaning)
    page = client.get("/", query_string={"q": q, "k": 20}).get_data(as_text=True)
    assert page.count('class="by-meaning"') == len(by_meaning)
    doc_id = by_meaning[0].doc_id
    hits = search(index, q, 100, filters=_filters(document=[doc_id])).results
    document = client.get(f"/doc/{doc_id}", query_string={"q": q}).get_data(as_text=True)
    assert f"({sum(1 for r in hits if r.by_meaning)} by meaning alone)" in document


def test_a_result_found_by_its_author_or_title_is_not_said_to_be_found_by_meaning(index):
    for q in ("Keane", "title:halton"):
        results = search(index, q, 50).results
        assert results and any(r.sentence for r in results), q  # none of the words in the text: a sentence marked
        assert not any(r.by_meaning for r in results if r.author == "David Keane" or "Halton" in r.title), q


def test_a_bad_date_range_is_shown_beside_the_dates_with_the_results_kept(client, index):
    response = client.get("/?q=custody&from=2024&to=2020&role=commissioner_response")
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert re.search(r'id="date-error" role="alert">from: 2024 is after to 2020', page)
    assert re.search(r'id="from" name="from" value="2024"', page) and re.search(r'id="to" name="to" value="2020"', page)
    kept = search(index, "custody", 20, filters=_filters(role=["commissioner_response"]))
    assert kept.total and f"{kept.total} paragraph" in page  # the other filters still apply
    assert page.count('class="result') >= 1
    nothing = client.get("/?q=custody&from=2024&to=2020&role=force_response")  # no match, so no dates shown
    assert nothing.status_code == 400 and 'role="alert">from: 2024 is after to 2020' in nothing.get_data(as_text=True)
