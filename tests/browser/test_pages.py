"""The search UI in a real Chromium against a real server: search, citation, keyboard, axe, screenshots.

Selectors go by role, label and URL shape, not by class names, so that restyling keeps them valid.
"""

import json
import re
import urllib.request
from urllib.parse import quote_plus

import pytest
from playwright.sync_api import expect

from .conftest import PHONE, axe, shot

pytestmark = pytest.mark.browser

QUERY = "custody detention"
CITATION = "a[href*='/doc/']"  # every citation links to a document page


@pytest.fixture(scope="module")
def paths(server) -> dict[str, str]:
    """The four kinds of page; the document is the top result's, from the results page's JSON twin."""
    with urllib.request.urlopen(f"{server}/api/search?q={quote_plus(QUERY)}&k=1", timeout=60) as response:
        top = json.load(response)["results"][0]["url"]
    return {"home": "/", "results": "/?q=" + quote_plus(QUERY), "document": top, "ledger": "/ledger"}


def test_search_from_the_home_page_lists_cited_paragraphs(page):
    page.goto("/")
    page.get_by_label("Search paragraphs").fill(QUERY)
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(r"[?&]q=custody\+detention"))
    expect(page.locator(CITATION).first).to_be_visible()
    expect(page.get_by_role("listitem").filter(has=page.locator(CITATION))).not_to_have_count(0)


def test_a_citation_opens_its_paragraph_as_the_target_in_view(page, paths):
    page.goto(paths["results"])
    page.locator(CITATION).first.click()
    expect(page).to_have_url(re.compile(r"/doc/[^#]+#p\d+$"))
    fragment = page.url.rsplit("#", 1)[1]
    assert page.evaluate("document.querySelector(':target')?.id") == fragment
    expect(page.locator(f"#{fragment}")).to_be_in_viewport()


def test_keyboard_alone_reaches_the_search_box_and_searches(page):
    page.goto("/")
    box = page.get_by_label("Search paragraphs")
    for _ in range(3):  # skip link, brand, box: three stops at most when the box is not autofocused
        if box.evaluate("element => element === document.activeElement"):
            break
        page.keyboard.press("Tab")
    expect(box).to_be_focused()
    page.keyboard.type(QUERY)
    page.keyboard.press("Enter")
    expect(page.locator(CITATION).first).to_be_visible()


def test_the_skip_link_is_the_first_stop_and_jumps_to_the_content(page, paths):
    page.goto(paths["document"].split("#")[0])  # no autofocus here: focus starts at the top
    page.keyboard.press("Tab")
    skip = page.get_by_role("link", name="Skip to main content")
    expect(skip).to_be_focused()
    expect(skip).to_be_in_viewport()
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(r"#main$"))
    page.keyboard.press("Tab")
    assert page.evaluate("document.getElementById('main').contains(document.activeElement)")


@pytest.mark.parametrize("name", ["home", "results", "document", "ledger"])
def test_no_serious_or_critical_axe_violations(page, paths, name):
    page.goto(paths[name])
    violations = axe(page)
    assert not violations, json.dumps(violations, indent=1)


@pytest.mark.parametrize("name", ["home", "results", "document", "ledger"])
def test_pages_fit_a_phone_without_sideways_scrolling(page, paths, name):
    page.set_viewport_size(PHONE)
    page.goto(paths[name])
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]


def test_screenshots_of_every_page_at_desktop_and_phone_widths(page, paths):
    for name, path in paths.items():
        page.goto(path)
        shot(page, name)
