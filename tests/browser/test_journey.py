"""A person's path through Precedent in a real Chromium, against a real `precedent serve`.

Search, narrow by year and role (in place, without a reload), open a result and land on its
paragraph, copy a citation, export CSV, look at similar paragraphs, page through results, and
do it by keyboard; the same filters without JavaScript; axe on the pages the path passes.
"""

import csv
import json
import re

import pytest
from playwright.sync_api import expect

from .conftest import axe, shot

pytestmark = pytest.mark.browser

QUERY = "children in custody"


def search(page, query=QUERY):
    page.goto("/")
    page.get_by_label("Search paragraphs").fill(query)
    page.keyboard.press("Enter")
    expect(page.locator("#count")).to_contain_text(f"for {query}")


def count(page) -> int:
    return int(re.match(r"\d+", page.locator("#count").inner_text()).group())


def test_filters_narrow_the_results_in_place_and_the_url_keeps_them(page):
    search(page)
    everything = count(page)
    page.evaluate("window.notReloaded = true")
    page.get_by_role("group", name="Year", exact=True).get_by_label(re.compile(r"^2023 \(\d+\)$")).check()
    expect(page).to_have_url(re.compile(r"year=2023"))
    expect(page.get_by_role("link", name="Remove filter Year: 2023")).to_be_visible()
    in_2023 = count(page)
    assert 0 < in_2023 < everything
    page.get_by_role("group", name="Paragraph role", exact=True).get_by_label(re.compile(r"^Commissioner's response")).check()
    expect(page).to_have_url(re.compile(r"year=2023.*role=commissioner_response"))
    expect(page.get_by_role("link", name="Remove filter Paragraph role: Commissioner's response")).to_be_visible()
    assert page.evaluate("window.notReloaded") is True  # both changes updated the page in place
    cites = page.locator("ol.results > li .cite").all_inner_texts()
    assert cites and all("2023" in c and "Commissioner's response" in c for c in cites)
    assert count(page) == len(cites) < in_2023
    shot(page, "results-filtered")
    assert not axe(page), json.dumps(axe(page), indent=1)
    page.reload()  # the URL alone gives the same page back
    expect(page.get_by_role("group", name="Year", exact=True).get_by_label(re.compile(r"^2023"))).to_be_checked()
    assert count(page) == len(cites)


def test_a_timeline_year_filters_to_that_year(page):
    search(page)
    page.get_by_role("link", name=re.compile(r"^2020 \d+ matches")).click()
    expect(page).to_have_url(re.compile(r"year=2020"))
    assert all("2020" in c for c in page.locator("ol.results > li .cite").all_inner_texts())


def test_open_a_result_and_land_on_its_highlighted_paragraph(page):
    search(page, "victim blaming")
    first = page.locator("ol.results > li").first
    target = first.get_by_role("link", name="Open with matches").get_attribute("href").rsplit("#", 1)[1]
    first.get_by_role("link", name="Open with matches").click()
    expect(page).to_have_url(re.compile(rf"/doc/[^#?]+\?q=victim\+blaming.*#{target}$"))
    paragraph = page.locator(f"#{target}")
    expect(paragraph).to_be_in_viewport()
    assert page.evaluate("document.querySelector(':target').id") == target
    expect(paragraph.locator("mark").first).to_be_visible()
    hits = page.locator(".para.hit").evaluate_all("paragraphs => paragraphs.map(p => p.id)")
    assert len(hits) >= 2 and target in hits
    marked = paragraph.evaluate("p => getComputedStyle(p).backgroundColor")
    page.keyboard.press("n")  # next match, by keyboard
    following = page.locator(f"#{hits[(hits.index(target) + 1) % len(hits)]}")
    expect(following).to_be_focused()
    expect(following).to_be_in_viewport()
    assert page.evaluate("document.querySelector(':target').id") == following.get_attribute("id")
    assert following.evaluate("p => getComputedStyle(p).backgroundColor") == marked
    assert paragraph.evaluate("p => getComputedStyle(p).backgroundColor") != marked  # one current paragraph
    shot(page, "document-with-matches")
    assert not axe(page), json.dumps(axe(page), indent=1)
    page.goto(page.url.split("#")[0])  # no paragraph in the address: p goes to the last match
    page.keyboard.press("p")
    expect(page.locator(f"#{hits[-1]}")).to_be_focused()


def test_the_latest_filter_change_wins_over_a_slower_earlier_one(page):
    search(page)
    page.evaluate("""() => {  // the first refresh answers late, as on a busy server
        const real = window.fetch;
        let first = true;
        window.fetch = (...args) => {
            const late = first;
            first = false;
            return new Promise((resolve) => setTimeout(resolve, late ? 1500 : 0)).then(() => real(...args));
        };
    }""")
    page.get_by_role("group", name="Year", exact=True).get_by_label(re.compile(r"^2023 \(\d+\)$")).check()
    page.get_by_role("group", name="Paragraph role", exact=True).get_by_label(re.compile(r"^Commissioner's response")).check()
    expect(page).to_have_url(re.compile(r"year=2023.*role=commissioner_response"))
    page.wait_for_timeout(2000)  # past the late answer
    expect(page).to_have_url(re.compile(r"year=2023.*role=commissioner_response"))
    expect(page.get_by_role("link", name="Remove filter Paragraph role: Commissioner's response")).to_be_visible()


def test_changing_a_filter_with_the_search_box_emptied_keeps_the_page(page):
    search(page)
    before = page.url
    page.get_by_label("Search paragraphs").fill("")
    page.get_by_role("group", name="Year", exact=True).get_by_label(re.compile(r"^2023 \(\d+\)$")).check()
    expect(page.locator("#announce")).to_have_text("Type words to search for first")
    assert page.url == before and page.locator("form").count() == 1 and page.locator("main").count() == 1


def test_copy_citation_puts_a_reference_with_a_link_on_the_clipboard(page, server):
    page.context.grant_permissions(["clipboard-read", "clipboard-write"], origin=server)
    page.goto("/?q=victim+blaming&mode=keyword")
    first = page.locator("ol.results > li").first
    first.get_by_role("button", name="Copy citation").click()
    cite = first.locator("button.copy")  # by class: its name changes as it says "Copied"
    expect(cite).to_have_text("Copied")
    copied = page.evaluate("navigator.clipboard.readText()")
    assert re.fullmatch(r"John Dwyer, HMICFRS Inspection of .+, 8 December 2023, Recommendation 9, ¶9 "
                        rf"{re.escape(server)}/doc/2023-12-pcc-response-group-based-cse-thematic#p9", copied)


def test_export_csv_has_the_rows_of_the_filtered_search(page, tmp_path):
    page.goto("/?q=custody&year=2023")
    total = count(page)
    with page.expect_download() as download:
        page.get_by_role("link", name="CSV").click()
    path = tmp_path / "results.csv"
    download.value.save_as(path)
    rows = list(csv.DictReader(path.read_text(encoding="utf-8-sig").splitlines()))
    assert len(rows) == total and all(r["date"].startswith("2023") for r in rows)
    assert rows[0]["citation"] == page.locator("ol.results > li").first.get_by_role("button", name="Copy citation") \
        .get_attribute("data-citation")


def test_similar_paragraphs_open_under_the_result(page):
    search(page, "children kept in police cells overnight")
    first = page.locator("ol.results > li").first
    source = first.locator(".cite a").first.get_attribute("href").split("#")[0]
    link = first.get_by_role("link", name="Similar paragraphs")
    link.click()
    expect(link).to_have_attribute("aria-expanded", "true")
    similar = first.locator(".similar li")
    expect(similar.first).to_be_visible()
    assert similar.count() == 5
    assert all(source not in href for href in similar.locator("a").evaluate_all("as => as.map(a => a.href)"))
    page.goto(link.get_attribute("href"))  # the page behind the link, for those without scripts
    assert not axe(page), json.dumps(axe(page), indent=1)


def test_paging_through_results(page):
    search(page, "children")
    total = count(page)
    assert total > 20
    page.get_by_role("link", name="Next page").click()
    expect(page).to_have_url(re.compile(r"page=2"))
    expect(page.locator("ol.results")).to_have_attribute("start", "21")
    expect(page.get_by_role("link", name="Page 2")).to_have_attribute("aria-current", "page")
    page.get_by_role("link", name="Previous page").click()
    expect(page.locator("ol.results")).to_have_attribute("start", "1")


def test_keyboard_only_search_filter_and_open(page):
    page.goto("/?q=knife+crime")
    page.keyboard.press("/")
    box = page.get_by_label("Search paragraphs")
    expect(box).to_be_focused()
    page.keyboard.type("victim blaming")
    page.keyboard.press("Enter")
    expect(page.locator("#count")).to_contain_text("victim blaming")
    checkbox = page.get_by_role("group", name="Paragraph role", exact=True).get_by_label(re.compile(r"^Recommendation"))
    checkbox.focus()
    page.keyboard.press("Space")
    expect(page).to_have_url(re.compile(r"role=recommendation"))
    expect(page.locator(":focus")).to_have_attribute("value", "recommendation")  # focus kept on the control
    for _ in range(200):  # Tab on to the first result's document link
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.classList.contains('open')"):
            break
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(r"/doc/.+#p\d+$"))


def test_recent_searches_are_offered_on_the_empty_search_page(page):
    search(page, "problem profiles")
    page.get_by_role("group", name="Year", exact=True).get_by_label(re.compile(r"^2023 \(\d+\)$")).check()
    expect(page).to_have_url(re.compile(r"year=2023"))  # the refresh is done
    page.keyboard.press("/")  # from the checkbox, as from anywhere outside a text box
    expect(page.get_by_label("Search paragraphs")).to_be_focused()
    page.keyboard.press("End")
    page.keyboard.type(" review")  # new words, then a filter: the page and its title follow the words
    page.get_by_role("radio", name="Words only").check()
    expect(page).to_have_title("problem profiles review – Precedent")
    page.goto("/")
    recent = page.get_by_role("list", name="Your recent searches")
    expect(recent.get_by_role("link", name="problem profiles review")).to_be_visible()
    expect(recent.get_by_role("link", name="problem profiles", exact=True)).to_have_count(1)  # its latest only
    assert "year=2023" in recent.get_by_role("link", name="problem profiles", exact=True).get_attribute("href")
    page.get_by_role("button", name="Clear recent searches").click()
    expect(recent).to_be_hidden()


def test_no_results_page_offers_a_correction_and_wider_filters(page):
    page.goto("/?q=custdy+JTAI&mode=keyword&year=2023")
    expect(page.get_by_text("No paragraph matches")).to_be_visible()
    assert not axe(page), json.dumps(axe(page), indent=1)
    page.get_by_role("link", name="Remove the year filter").click()
    expect(page).not_to_have_url(re.compile(r"year="))
    page.goto("/?q=custdy+JTAI&mode=keyword&year=2023")
    page.get_by_role("link", name="custody JTAI").click()
    expect(page).to_have_url(re.compile(r"q=custody\+JTAI"))


def test_accessibility_statement(page):
    page.goto("/")
    page.get_by_role("link", name="Accessibility statement").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Accessibility statement for Precedent")
    assert not axe(page), json.dumps(axe(page), indent=1)


def test_filters_work_without_javascript(browser, server):
    context = browser.new_context(base_url=server, java_script_enabled=False)
    page = context.new_page()
    page.goto("/?q=" + QUERY.replace(" ", "+"))
    page.get_by_role("group", name="Year", exact=True).get_by_label(re.compile(r"^2019")).check()
    page.get_by_role("button", name="Apply filters").click()
    expect(page).to_have_url(re.compile(r"year=2019"))
    cites = page.locator("ol.results > li .cite").all_inner_texts()
    assert cites and all("2019" in c for c in cites)
    context.close()
