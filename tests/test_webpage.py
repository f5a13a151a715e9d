"""The web page reader, on HTML written here the way GOV.UK and office tools save it."""

from __future__ import annotations

import pytest

from indexer.errors import LoadError
from indexer.loaders import read_blocks, webpage
from indexer.metadata import table_fields
from indexer.paragraphs import structure
from indexer.records import Block

GOVUK_PAGE = """<!DOCTYPE html>
<html lang="en" class="govuk-template">
<head>
  <meta charset="utf-8">
  <title>Response to the custody inspection - GOV.UK</title>
  <script>window.dataLayer = ["<p>not text</p>"];</script>
  <style>.govuk-body { margin: 0 }</style>
</head>
<body class="govuk-template__body">
  <a href="#main-content" class="govuk-skip-link">Skip to main content</a>
  <div id="global-cookie-message" class="gem-c-cookie-banner">
    <p>Cookies on GOV.UK</p><button>Accept additional cookies</button>
  </div>
  <header role="banner" class="govuk-header">
    <nav><ul><li><a href="/">GOV.UK</a></li><li><a href="/search">Search</a></li></ul></nav>
  </header>
  <div class="govuk-width-container">
    <div class="govuk-phase-banner"><p>BETA This part of GOV.UK is being rebuilt</p></div>
    <nav class="govuk-breadcrumbs"><ol><li>Home</li><li>Crime, justice and law</li></ol></nav>
    <main class="govuk-main-wrapper" id="main-content" role="main">
      <h1 class="gem-c-title__text">Response to the   custody inspection</h1>
      <nav class="gem-c-contents-list"><ol><li>Summary</li><li>Recommendations</li></ol></nav>
      <div class="govuk-govspeak">
        <h2 id="summary">Summary</h2>
        <p>Cheshire <b>PCC</b> said the <a href="/report">report</a> was wel<em>come</em>.<br>It
           was published on 6&nbsp;June 2023 &amp; discussed at the &lt;script&gt; panel.</p>
        <h2 id="recommendations">Recommendations</h2>
        <p>The force should:</p>
        <ul>
          <li>review overnight detentions</li>
          <li>publish <strong>custody</strong> data
            <ul><li>every quarter</li></ul>
          </li>
        </ul>
        <div>A note written straight into a div <span>with a span</span><p>and a paragraph</p>then a tail</div>
        <table>
          <caption>Inspection summary</caption>
          <tr><th>Title of Inspection</th><td>Custody <b>review</b></td><td></td></tr>
          <tr><th>Date Inspection Published</th><td>6 June 2023</td></tr>
        </table>
        <blockquote><p>Children must not be held overnight.</p></blockquote>
        <dl><dt>Lead</dt><dd>Chief Constable</dd></dl>
      </div>
      <div hidden>Hidden text</div>
      <span aria-hidden="true">Decorative icon</span>
      <div style="display: none">Collapsed text</div>
      <form><label>Search this page</label><input name="q"></form>
      <!-- a comment is not text -->
      <div class="gem-c-feedback"><p>Is this page useful?</p></div>
    </main>
  </div>
  <footer class="govuk-footer"><p>All content is available under the Open Government Licence</p></footer>
</body>
</html>
"""


def test_reads_only_the_main_content_of_a_govuk_page():
    assert webpage.read(GOVUK_PAGE.encode("utf-8")) == [
        Block("heading", "Response to the custody inspection"),
        Block("heading", "Summary"),
        Block(
            "paragraph",
            "Cheshire PCC said the report was welcome. "
            "It was published on 6 June 2023 & discussed at the <script> panel.",
        ),
        Block("heading", "Recommendations"),
        Block("paragraph", "The force should:"),
        Block("paragraph", "review overnight detentions"),
        Block("paragraph", "publish custody data"),
        Block("paragraph", "every quarter"),
        Block("paragraph", "A note written straight into a div with a span"),
        Block("paragraph", "and a paragraph"),
        Block("paragraph", "then a tail"),
        Block("paragraph", "Inspection summary"),
        Block("table", "Title of Inspection\tCustody review\nDate Inspection Published\t6 June 2023"),
        Block("paragraph", "Children must not be held overnight."),
        Block("paragraph", "Lead"),
        Block("paragraph", "Chief Constable"),
    ]


def test_blocks_take_sections_from_structure_and_tables_give_fields():
    blocks = structure(read_blocks(".html", GOVUK_PAGE.encode("utf-8")))
    numbered = [(b.paragraph, b.section) for b in blocks if b.kind == "paragraph"]
    assert numbered[:3] == [(1, "Summary"), (2, "Recommendations"), (3, "Recommendations")]
    assert table_fields(blocks)["date inspection published"] == "6 June 2023"


def test_a_page_without_main_uses_body_and_title_as_heading():
    page = b"""<html><head><title>Letter to the Chief Constable - GOV.UK</title></head>
    <body>
      <div class="skip-link"><a href="#content">Skip to content</a></div>
      <div id="cookie-consent">We use cookies</div>
      <header><a href="/">Home</a></header>
      <div role="navigation"><a href="/news">News</a></div>
      <div class="govuk-phase-banner">BETA</div>
      <div class="breadcrumbs"><a href="/">Home</a> &gt; <a href="/letters">Letters</a></div>
      <div class="content">Dear Chief Constable,<br/>Thank you for your letter.</div>
      <aside>Related content</aside>
      <footer>Contact us</footer>
    </body></html>"""
    assert webpage.read(page) == [
        Block("heading", "Letter to the Chief Constable"),
        Block("paragraph", "Dear Chief Constable, Thank you for your letter."),
    ]


@pytest.mark.parametrize(
    "opening, closing",
    [("<main>", "</main>"), ('<div role="main">', "</div>"), ('<div id="main-content">', "</div>"),
     ("<article>", "</article>")],
)
def test_main_content_is_found_by_element_role_or_id(opening, closing):
    page = f"""<html><body><div>Site banner text</div>{opening}<p>The content.</p>{closing}
    <div>Related links</div></body></html>"""
    assert webpage.read(page.encode()) == [Block("paragraph", "The content.")]


def test_a_nested_table_is_read_inside_its_cell_once():
    page = b"""<main><table>
      <tr><td>Outcome</td><td><table><tr><td>Requires</td><td>improvement</td></tr></table></td></tr>
    </table></main>"""
    assert webpage.read(page) == [Block("table", "Outcome\tRequires improvement")]


def test_an_article_keeps_its_own_header_with_the_h1():
    page = b"""<html><head><title>Site name</title></head><body>
      <nav>Menu</nav>
      <article><header><h1>Joint inspection</h1><p>Published 2 May 2022</p></header>
      <p>The inspection found good practice.</p><footer>Share this</footer></article>
    </body></html>"""
    assert webpage.read(page) == [
        Block("heading", "Joint inspection"),
        Block("paragraph", "Published 2 May 2022"),
        Block("paragraph", "The inspection found good practice."),
    ]


def test_declared_windows_1252_is_decoded():
    page = (
        '<html><head><meta http-equiv="Content-Type" content="text/html; charset=windows-1252">'
        "<title>x</title></head><body><main><h1>Response</h1>"
        "<p>The PCC\u2019s \u00a3250,000 fund \u2013 for caf\u00e9 staff</p></main></body></html>"
    ).encode("cp1252")
    assert webpage.read(page)[1] == Block("paragraph", "The PCC\u2019s \u00a3250,000 fund \u2013 for caf\u00e9 staff")


@pytest.mark.parametrize(
    "data",
    [
        '<p>The PCC\u2019s caf\u00e9</p>'.encode("utf-8"),
        '\ufeff<meta charset="windows-1252"><p>The PCC\u2019s caf\u00e9</p>'.encode("utf-8"),
        '<p>The PCC\u2019s caf\u00e9</p>'.encode("utf-16"),
        '<p>The PCC\u2019s caf\u00e9</p>'.encode("cp1252"),
        '<meta charset="iso-8859-1"><p>The PCC\u2019s caf\u00e9</p>'.encode("cp1252"),
        '<meta charset="utf-8"><p>The PCC\u2019s caf\u00e9</p>'.encode("cp1252"),
    ],
    ids=["utf-8", "bom-wins-over-meta", "utf-16-bom", "undeclared-1252", "latin-1-as-1252", "wrong-meta"],
)
def test_encodings_bom_then_declared_then_utf8_then_windows_1252(data):
    assert webpage.read(data) == [Block("paragraph", "The PCC\u2019s caf\u00e9")]


def test_a_declared_charset_other_than_the_fallbacks_is_used():
    page = '<meta charset="iso-8859-15"><p>A \u20ac50,000 grant</p>'.encode("iso-8859-15")
    assert webpage.read(page) == [Block("paragraph", "A \u20ac50,000 grant")]


@pytest.mark.parametrize(
    "data, text",
    [
        (b"report.html", "report.html"),
        (b"https://www.gov.uk/report", "https://www.gov.uk/report"),
        (b'<?xml version="1.0" encoding="utf-8"?><letter><p>Dear Chief</p></letter>', "Dear Chief"),
    ],
)
def test_content_bs4_would_warn_about_is_read_without_warnings(data, text):
    assert webpage.read(data) == [Block("paragraph", text)]


@pytest.mark.parametrize(
    "data",
    [
        b"",
        b"  \n ",
        b"<html><head><title>Only a title</title></head><body></body></html>",
        b"<html><body><nav>Home</nav><div class='cookie-banner'>Cookies</div><script>x()</script></body></html>",
    ],
)
def test_a_page_without_text_is_refused(data):
    with pytest.raises(LoadError, match="^no text found in the web page$"):
        webpage.read(data)


def test_binary_data_is_refused():
    with pytest.raises(LoadError, match="binary"):
        webpage.read(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR")
