"""The ledger's page, JSON twin and CSV, a document's items and a result's place in the ledger, through Flask's
test client: on the index of corpus/ and on the ledger's own small reports and responses."""

import csv
import io
import json
import re
from datetime import date

import pytest

from indexer.build import build_index
from indexer.ledger import ledger
from webui import create_app

from .conftest import make_settings, write
from .ledger_samples import EASTSHIRE, FORCE, NORTHSHIRE, PCC

CSE = "2023-12-pcc-response-group-based-cse-thematic"
HALTON = "2019-10-15-pcc-response-halton-jtai"
TODAY = "2024-03-01"
ALL = ["Recommendation 2", "Recommendation 4", "Recommendation 8", "Recommendation 9", "AFI 1"]
ACCEPTED = ["Recommendation 2", "Recommendation 4", "Recommendation 9", "AFI 1"]


@pytest.fixture()
def samples(settings, ledger_index):
    """A client over the ledger's small reports and responses."""
    return create_app({"TESTING": True, "PRECEDENT_INDEX": ledger_index, "PRECEDENT_WARM": False},
                      settings=ledger_index.settings).test_client()


def page(client, url, status=200) -> str:
    response = client.get(url)
    assert response.status_code == status, response.get_data(as_text=True)[:500]
    return response.get_data(as_text=True)


def labels(html: str) -> list[str]:
    """The items a ledger page lists, in order."""
    return re.findall(r'<summary><span class="item-label">([^<]+)</span>', html)


def test_each_item_once_with_its_status_as_words(client):
    html = page(client, f"/ledger?today={TODAY}")
    assert labels(html) == ALL
    for label, status in (("Recommendation 2", "accepted"), ("Recommendation 4", "accepted"),
                          ("Recommendation 8", "noted"), ("Recommendation 9", "accepted"), ("AFI 1", "accepted")):
        shown = "Noted / under consideration" if status == "noted" else "Accepted"
        assert f'<span class="item-label">{label}</span> <span class="status status-{status}">{shown}</span>' in html
    assert '<h2 class="count" id="count">5 items</h2>' in html
    assert '<a href="/ledger" aria-current="page">Recommendations ledger</a>' in html  # in the site's navigation


def test_a_row_opens_to_the_items_words_and_its_replies_cited_and_linked(client):
    html = page(client, f"/ledger?today={TODAY}")
    row = html[html.index(f'<li id="{CSE}-p9">'):html.index(f'<li id="{CSE}-p10">')]
    assert "<details>" in row and "With immediate effect, all chief constables should take effective steps" in row
    assert "Read as accepted from the words <q>already comply</q>" in row
    assert "Deadline: With immediate effect (due 2023-12-08)" in row
    assert f'<a href="/doc/{CSE}#p9">¶9</a>' in row  # where it stands
    assert "<blockquote><p>The Constabulary is confident that they already comply" in row  # the reply in full
    assert re.search(rf'<a href="/doc/{CSE}#p13">John Dwyer, HMICFRS Inspection of [^<]+, Force response, ¶13</a>'
                     r" <span>found in the letter&#39;s order</span>\s*<span>confidence 0\.5\d</span>", row)
    afi = html[html.index(f'<li id="{CSE}-p10">'):]
    assert f'<a href="/doc/{CSE}#p14">' in afi and "found names it as the AFI" in afi


@pytest.mark.parametrize("query, expected", [
    ("", ALL),
    ("status=accepted", ACCEPTED),
    ("status=noted", ["Recommendation 8"]),
    ("status=rejected", []),
    ("inspectorate=hmicfrs", ALL),
    ("inspectorate=Ofsted", []),
    ("year=2023", ALL),
    ("year=2019", []),
    (f"document={CSE}", ALL),
    (f"document={HALTON}", []),
    ("overdue=yes", []),
    ("overdue=no", ALL),
    (f"status=accepted&year=2023&document={CSE}", ACCEPTED),
    ("status=noted+%2F+under+consideration&inspectorate=HMICFRS", ["Recommendation 8"]),
    ("status=accepted&year=2019", []),
    ("status=&inspectorate=&year=&document=&overdue=", ALL),  # an empty filter is no filter, as the form sends it
])
def test_filters_on_the_page_and_in_the_api(client, index, query, expected):
    html = page(client, f"/ledger?{query}&today={TODAY}")
    assert labels(html) == expected
    assert ("No item matches these filters" in html) == (not expected)
    data = client.get(f"/api/ledger?{query}&today={TODAY}").get_json()
    assert [r["label"] for r in data["records"]] == expected


@pytest.mark.parametrize("filters", [
    {}, {"status": "accepted"}, {"inspectorate": "HMICFRS", "year": "2023"}, {"document": CSE, "status": "noted"},
    {"overdue": True},
])
def test_the_api_is_the_ledgers_own_json(client, index, filters):
    query = {**filters, "overdue": "yes"} if filters.get("overdue") else filters
    data = client.get("/api/ledger", query_string={**query, "today": TODAY}).get_json()
    assert data == json.loads(json.dumps(ledger(index, **filters, today=date(2024, 3, 1)).to_json()))


def test_overdue_and_the_clock_on_the_ledgers_own_documents(samples, ledger_index):
    html = page(samples, f"/ledger?overdue=yes&today={TODAY}")
    assert labels(html) == ["Recommendation 1"] and '<span class="overdue">Overdue</span>' in html
    assert '<input type="checkbox" id="overdue" name="overdue" value="yes" checked>' in html
    assert f'<input type="hidden" name="today" value="{TODAY}">' in html  # the form keeps the day asked
    assert "first response 20 February 2024, 36 days" in page(samples, f"/ledger?document={PCC}&today={TODAY}")
    assert samples.get(f"/api/ledger?overdue=1&today={TODAY}").get_json()["records"][0]["id"] == f"{EASTSHIRE}#p2"


def test_a_bad_filter_on_the_page_keeps_the_form_with_the_error_beside_it(client):
    html = page(client, "/ledger?year=twenty&status=accepted", status=400)
    assert 'id="year" name="year" value="twenty"' in html and 'aria-invalid="true"' in html
    assert '<p class="error" role="alert">year: &#39;twenty&#39; is not a year' in html and "<details>" not in html


def test_csv_has_the_rows_of_the_filters_named_for_them(client):
    response = client.get(f"/ledger.csv?status=accepted&today={TODAY}")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    assert response.headers["Content-Disposition"] == (
        f'attachment; filename="precedent-ledger-accepted-{date.today().isoformat()}.csv"')
    assert response.data.startswith("\ufeff".encode())
    rows = list(csv.DictReader(io.StringIO(response.data.decode("utf-8-sig"))))
    assert [(r["label"], r["status"]) for r in rows] == [(label, "accepted") for label in ACCEPTED]
    assert rows[0]["link"] == f"http://localhost/doc/{CSE}#p6" and rows[0]["deadline"] == "By 31 December 2024"
    assert f'<a href="/ledger.csv?status=accepted&amp;today={TODAY}" download>CSV</a>' in page(
        client, f"/ledger?status=accepted&today={TODAY}")


def test_csv_defuses_a_title_a_spreadsheet_would_run(samples):
    rows = list(csv.DictReader(io.StringIO(page(samples, f"/ledger.csv?overdue=yes&today={TODAY}").lstrip("\ufeff"))))
    assert len(rows) == 1 and rows[0]["inspection"].startswith("'=HYPERLINK")


def test_a_document_lists_its_items_with_status_and_links(client):
    html = page(client, f"/doc/{CSE}")
    assert re.search(r'<a href="#p8">Recommendation 8</a>\s*<span class="status status-noted">Noted / under '
                     r'consideration</span>\s*– answered in <a href="#p12">¶12</a>', html)
    assert re.search(r'<a href="#p10">AFI 1</a>\s*<span class="status status-accepted">Accepted</span>'
                     r'\s*– answered in <a href="#p14">¶14</a>', html)
    assert f'<a href="/ledger?document={CSE}">These in the recommendations ledger</a>' in html
    assert [r["label"] for r in client.get(f"/api/doc/{CSE}").get_json()["ledger"]] == ALL
    assert "status status-" not in page(client, f"/doc/{HALTON}")  # no items


def test_a_report_links_its_replies_in_other_documents_and_a_response_the_items_it_answers(samples, ledger_index):
    pcc, force = (ledger_index.document(d).meta.title for d in (PCC, FORCE))
    html = page(samples, f"/doc/{NORTHSHIRE}")
    assert re.search(rf'<a href="#p2">Recommendation 1</a>\s*<span class="status status-accepted">Accepted</span>'
                     rf'\s*– answered in <a href="/doc/{PCC}#p2">¶2 of {re.escape(pcc)}</a>, '
                     rf'<a href="/doc/{FORCE}#p2">¶2 of {re.escape(force)}</a>', html)
    assert re.search(r'<a href="#p3">Recommendation 2a</a>\s*<span class="status status-rejected">Rejected</span>', html)
    answers = page(samples, f"/doc/{PCC}")
    assert "<h2>Recommendations this document answers</h2>" in answers
    assert re.search(rf'<a href="/doc/{NORTHSHIRE}#p3">Recommendation 2a</a> of [^<]+\s*<span class="status '
                     r'status-rejected">Rejected</span>\s*– answered in <a href="#p3">¶3</a>', answers)


def test_a_result_says_its_status_and_links_its_counterpart(client):
    html = page(client, "/?q=victim+blaming&mode=keyword")
    item = html[html.index('<li class="result" id="r1">'):html.index('<li class="result" id="r2">')]
    assert f'data-url="/doc/{CSE}#p9"' in item
    assert re.search(rf'<span class="status status-accepted">Accepted</span>\s*Recommendation 9: '
                     rf'<a href="/doc/{CSE}#p13">first reply, ¶13</a>', item)
    reply = html[html.index('<li class="result" id="r2">'):html.index('<li class="result" id="r3">')]
    assert f'data-url="/doc/{CSE}#p13"' in reply
    assert re.search(rf'<span class="status status-accepted">Accepted</span>\s*Reply to '
                     rf'<a href="/doc/{CSE}#p9">Recommendation 9</a>', reply)
    results = client.get("/api/search?q=victim+blaming&mode=keyword&k=2").get_json()["results"]
    assert [(m["part"], m["status"], m["counterpart"]["url"]) for r in results for m in r["ledger"]] == [
        ("item", "accepted", f"/doc/{CSE}#p13"), ("reply", "accepted", f"/doc/{CSE}#p9")]


def test_a_result_names_a_counterpart_in_another_document(samples, ledger_index):
    html = page(samples, "/?q=custody+inspector+reviews+every+strip+search&mode=keyword")
    pcc, report = (re.escape(ledger_index.document(d).meta.title) for d in (PCC, NORTHSHIRE))
    assert re.search(rf'<span class="status status-rejected">Rejected</span>\s*Recommendation 2a: '
                     rf'<a href="/doc/{PCC}#p3">first reply, ¶3 of {pcc}</a>', html)
    assert re.search(rf'<span class="status status-rejected">Rejected</span>\s*Reply to '
                     rf'<a href="/doc/{NORTHSHIRE}#p3">Recommendation 2a of {report}</a>', html)


def test_document_text_is_escaped_on_every_ledger_surface(tmp_path):
    docs = tmp_path / "docs"
    write(docs, "report.md", "# Inspection of custody in Westshire\n\n## Recommendations\n\n### Recommendation 1\n\n"
                             "The force should <script>alert(1)</script> stop <img src=x onerror=alert(1)> at once.\n")
    settings = make_settings(tmp_path / "ix", corpus=str(docs))
    build_index(settings, progress=False)
    client = create_app({"TESTING": True, "PRECEDENT_WARM": False}, settings=settings).test_client()
    for url in ("/ledger", "/doc/report", "/?q=force+stop&mode=keyword"):
        html = page(client, url)
        assert "<script>alert" not in html and "<img src=x" not in html, url
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html and "No response found" in html, url
