"""The hostile documents of ``hostile_samples`` in a real Chromium: no payload runs (each would open an alert),
on any page or through any of app.js's paths (inline similar paragraphs, filters swapping the results in, recent
searches), and the CSP is never violated (``conftest.watched`` fails the test if one does)."""

from urllib.parse import quote

import pytest
from playwright.sync_api import expect

from ..hostile_samples import PAYLOADS, REPORT, RESPONSE
from ..test_server import serving
from .conftest import watched

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def hostile_server(hostile_settings, tmp_path_factory):
    with serving(hostile_settings.index_dir, tmp_path_factory.mktemp("hostile-browser") / "serve.log") as base:
        yield base


@pytest.fixture()
def page(browser, hostile_server):
    """A page on the hostile index's server; any alert, error or CSP violation fails the test (error pages'
    statuses, logged as failed loads, excepted)."""
    yield from watched(browser, hostile_server, failed_loads=False)


def test_no_payload_runs_on_any_page(page):
    urls = ["/?q=custody", f"/doc/{REPORT}", f"/doc/{RESPONSE}", f"/similar/{REPORT}/1", "/ledger",
            f"/ledger?document={REPORT}", "/doc/img-src-x-onerror-alert-f1", "/doc/saved-page"]
    urls += [f"/?q={quote(p, safe='')}" for p in PAYLOADS] + [f"/doc/{RESPONSE}?q={quote(p, safe='')}" for p in PAYLOADS]
    urls += [f"/doc/{quote(p, safe='')}" for p in PAYLOADS[:4]]  # 404s that repeat the id
    for url in urls:
        page.goto(url)
        page.evaluate("document.querySelectorAll('details').forEach(d => { d.open = true; })")
        page.mouse.move(400, 300)  # any mouseover= would fire
        page.keyboard.press("Tab")  # and any onfocus=


def test_no_payload_runs_through_the_script(page):
    page.goto("/?q=custody")
    page.locator("a.similar-link").first.click()  # the API's JSON, written in with textContent
    expect(page.locator(".similar:not([hidden]) li").first).to_be_visible()
    results = page.locator("#results")
    page.locator(".facet input[type=checkbox]").first.check()  # the server's HTML, swapped in
    expect(results).not_to_have_attribute("aria-busy", "true")
    for p in PAYLOADS[:6]:  # remembered as recent searches, then listed on the search page
        page.goto(f"/?q={quote(p, safe='')}")
    page.goto("/")
    expect(page.locator("#recent li")).to_have_text([*reversed(PAYLOADS[:6]), "custody"])  # as text
