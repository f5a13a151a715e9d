"""The recommendations ledger in a real Chromium against a real server: without JavaScript (a GET form to
filter, <details> to open a row), and with it (no console error or CSP violation, axe at both widths).
"""

import json
import re

import pytest
from playwright.sync_api import expect

from .conftest import DESKTOP, PHONE, axe, shot

pytestmark = pytest.mark.browser

CSE = "/doc/2023-12-pcc-response-group-based-cse-thematic"


def rows(page):
    return page.locator("ol.ledger > li")


def test_the_ledger_filters_and_opens_rows_without_javascript(browser, server):
    context = browser.new_context(base_url=server, java_script_enabled=False)
    page = context.new_page()
    page.goto("/ledger")
    expect(rows(page)).to_have_count(5)
    page.get_by_label("Status").select_option("noted / under consideration")
    page.get_by_role("button", name="Apply filters").click()
    expect(page).to_have_url(re.compile(r"status=noted\+%2F\+under\+consideration"))
    expect(rows(page)).to_have_count(1)
    row = rows(page).first
    reply = row.get_by_role("link", name=re.compile(r"Force response, ¶12$"))
    expect(reply).to_be_hidden()  # closed until asked
    row.get_by_text("Recommendation 8", exact=True).click()
    expect(row.get_by_text("all chief constables of forces that are yet to receive the Hydrant")).to_be_visible()
    expect(reply).to_be_visible()
    reply.click()
    expect(page).to_have_url(re.compile(rf"{CSE}#p12$"))
    assert page.evaluate("document.querySelector(':target').id") == "p12"
    context.close()


def test_the_ledger_from_the_navigation_with_rows_open_passes_axe_at_both_widths(page):
    page.goto("/")
    page.get_by_role("navigation", name="Site").get_by_role("link", name="Recommendations ledger").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Recommendations ledger")
    for summary in page.locator("ol.ledger summary").all():
        summary.click()
    expect(page.locator("ol.ledger details[open]")).to_have_count(5)
    for size in (DESKTOP, PHONE):
        page.set_viewport_size(size)
        assert page.evaluate("document.documentElement.scrollWidth") <= size["width"]
        assert not axe(page), json.dumps(axe(page), indent=1)
    shot(page, "ledger-open")


def test_a_result_links_to_its_counterpart(page):
    page.goto("/?q=victim+blaming&mode=keyword")
    first = page.locator("ol.results > li").first
    expect(first.get_by_text("Accepted", exact=True)).to_be_visible()
    first.get_by_role("link", name="first reply, ¶13").click()
    expect(page).to_have_url(re.compile(rf"{CSE}#p13$"))
    expect(page.locator("#p13")).to_be_in_viewport()
