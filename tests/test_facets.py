"""Filters, facet counts, the timeline, ordering and pages, over the real index of corpus/."""

import dataclasses
import re

import numpy as np
import pytest

from indexer import facets
from indexer.build import build_index
from indexer.errors import QueryError
from indexer.facets import FACETS, NOT_STATED, Filters
from indexer.search import every_match, search, similar
from indexer.store import Index

from .conftest import make_settings, write

Q = "children in custody"


def filters(**chosen):
    return Filters({name: tuple(values) for name, values in chosen.items()})


def counts(response, name):
    return {v.value: v.count for f in response.facets if f.name == name for v in f.values}


def test_counts_add_up_to_the_total_and_follow_the_query(index):
    response = search(index, Q, 20)
    assert response.total > 20 and response.pages == -(-response.total // 20)
    for name in ("year", "doc_type", "role", "author"):
        assert sum(counts(response, name).values()) == response.total, name
    assert counts(search(index, "Halton knife crime", 20, "keyword"), "year") != counts(response, "year")
    role = next(f for f in response.facets if f.name == "role").values
    assert [v.count for v in role] == sorted((v.count for v in role), reverse=True)  # most matches first
    years = [v.value for v in next(f for f in response.facets if f.name == "year").values]
    assert years == sorted(years, reverse=True)  # but years newest first, as a timeline reads


def test_a_filter_keeps_its_own_facet_counts_and_narrows_the_others(index):
    everything = search(index, Q, 20)
    in_2023 = search(index, Q, 20, filters=filters(year=["2023"]))
    assert in_2023.total == counts(everything, "year")["2023"]
    assert all(r.date.startswith("2023") for r in in_2023.results)
    assert counts(in_2023, "year") == counts(everything, "year")  # other years stay choosable
    assert sum(counts(in_2023, "role").values()) == in_2023.total
    both = search(index, Q, 20, filters=filters(year=["2023"], role=["commissioner_response"]))
    assert both.total == counts(in_2023, "role")["commissioner_response"]
    assert {r.role for r in both.results} == {"commissioner_response"}


def test_values_of_one_facet_are_alternatives(index):
    either = search(index, Q, 20, filters=filters(year=["2019", "2020"]))
    assert {r.date[:4] for r in either.results} == {"2019", "2020"}
    assert either.total == sum(counts(either, "year")[y] for y in ("2019", "2020"))


@pytest.fixture(scope="module")
def dates(tmp_path_factory):
    """An index of four letters on custody: dated by their text, by a file-name date, by a
    file-name year alone, and not at all."""
    docs = tmp_path_factory.mktemp("dates") / "docs"
    write(docs, "letter.txt", "Custody review\n\nThe custody suite was inspected.\n\nSigned\n\n3 March 2021\n")
    write(docs, "2022-05-06-reply.txt", "Reply\n\nCustody of children overnight was reviewed.\n")
    write(docs, "2019-briefing.txt", "Briefing\n\nCustody for schools: a briefing.\n")
    write(docs, "notes.txt", "Notes\n\nCustody notes for schools, with no date.\n")
    settings = make_settings(docs.parent / "ix", corpus=str(docs))
    build_index(settings, progress=False)
    return Index.open(settings)


def test_a_document_is_dated_by_its_text_its_file_name_or_the_year_its_name_starts_with(dates):
    assert sorted((d.source, d.meta.date) for d in dates.documents.values()) == [
        ("2019-briefing.txt", "2019"), ("2022-05-06-reply.txt", "2022-05-06"), ("letter.txt", "2021-03-03"),
        ("notes.txt", None)]


def test_date_range_is_inclusive_and_undated_documents_fall_outside_it(index, dates):
    response = search(index, Q, 50, filters=Filters(date_from="2020", date_to="2023-06"))
    assert response.results and all("2020-01-01" <= r.date <= "2023-06-30" for r in response.results)
    assert {r.date for r in response.results} == {"2020-04-17", "2023-06-06"}
    assert {r.date for r in search(dates, "custody", 10, "keyword", Filters(date_from="2019", date_to="2021")).results} \
        == {"2019", "2021-03-03"}  # a year alone is within its year
    for start, end in (("2019-01-01", None), ("2019-06", "2019-06"), (None, "2019-01")):
        found = search(dates, "custody", 10, "keyword", Filters(date_from=start, date_to=end)).results
        assert "2019" in {r.date for r in found}, (start, end)  # it may be any day of 2019
    undated = search(dates, "custody", 10, "keyword", filters(year=["undated"])).results
    assert [r.source for r in undated] == ["notes.txt"]


def test_newest_and_oldest_order_by_date_with_undated_last(index, dates):
    for corpus in (index, dates):
        newest = [r.date for r in search(corpus, "custody", 50, sort="newest").results]
        oldest = [r.date for r in search(corpus, "custody", 50, sort="oldest").results]
        dated = [d for d in newest if d]
        assert dated == sorted(dated, reverse=True) and newest[len(dated):] == [None] * (len(newest) - len(dated))
        assert [d for d in oldest if d] == sorted(dated)
    assert [r.date for r in search(dates, "custody", 10, "keyword", sort="newest").results] == [
        "2022-05-06", "2021-03-03", "2019", None]


def test_pages_partition_the_results(index):
    total = search(index, Q, 10).total
    pages = [search(index, Q, 10, page=n).results for n in range(1, -(-total // 10) + 1)]
    keys = [(r.doc_id, r.paragraph) for page in pages for r in page]
    assert len(keys) == len(set(keys)) == total
    assert [r.rank for r in pages[1]] == list(range(11, 11 + len(pages[1])))
    with pytest.raises(QueryError, match="page: there are only"):
        search(index, Q, 10, page=len(pages) + 1)


@pytest.mark.parametrize("mode", ["hybrid", "semantic", "keyword"])
def test_pages_beyond_the_fused_head_follow_the_order_of_every_match(index, monkeypatch, mode):
    monkeypatch.setattr(index, "settings", dataclasses.replace(index.settings, candidates=3))
    every = [(r.doc_id, r.paragraph) for r in every_match(index, Q, mode).results]
    assert len(every) > 12  # most matches are past the three of each side that are fused
    pages = [search(index, Q, 4, mode, page=n).results for n in range(1, -(-len(every) // 4) + 1)]
    assert [(r.doc_id, r.paragraph) for page in pages for r in page] == every


def test_timeline_splits_each_year_by_voice_and_ignores_the_year_filter(index):
    response = search(index, Q, 20, filters=filters(year=["2020"]))
    years = {y.year: y for y in response.timeline}
    assert set(years) >= {"2019", "2020", "2023"} and years["2020"].chosen and not years["2019"].chosen
    assert years["2023"].finding > 0 and years["2023"].response > 0  # the 2023 review quotes the inspectorate
    assert sum(y.total for y in response.timeline) == search(index, Q, 20).total


def test_not_stated_is_a_value_that_can_be_chosen(index):
    everything = search(index, "custody detention", 50)
    assert counts(everything, "author")[NOT_STATED] > 0
    unstated = search(index, "custody detention", 50, filters=filters(author=[NOT_STATED]))
    assert unstated.total == counts(everything, "author")[NOT_STATED]
    assert unstated.results and all(r.author is None for r in unstated.results)
    assert [v.label for f in unstated.facets if f.name == "author" for v in f.values if v.chosen] == ["Not stated"]
    open_facets = [f for f in FACETS if f.name in ("inspectorate", "inspection_type", "author", "area")]
    assert all(f.show(NOT_STATED) == "Not stated" for f in open_facets)
    assert all(Filters.from_args(lambda name: [NOT_STATED] if name == f.name else []) for f in open_facets)


def _from_args(args):
    return Filters.from_args(lambda name: args.get(name, []))


@pytest.mark.parametrize("args, message", [
    ({"year": ["19"]}, "year: expected a year"),
    ({"year": ["\uff12\uff10\uff12\uff13"]}, "year: expected a year"),  # full-width digits
    ({"from": ["\uff12\uff10\uff12\uff13"]}, "is not a date"),
    ({"from": ["last week"]}, "from: 'last week' is not a date; use YYYY, YYYY-MM or YYYY-MM-DD"),
    ({"from": ["2023-13-45"]}, "from: '2023-13-45' is not a date"),
    ({"to": ["2023-02-30"]}, "to: '2023-02-30' is not a date"),
    ({"from": ["2023-00"]}, "from: '2023-00' is not a date"),
    ({"from": ["2024"], "to": ["2020"]}, "from: 2024 is after to 2020"),
    ({"from": ["2024-07"], "to": ["2024-06-30"]}, "from: 2024-07 is after to 2024-06-30"),
    ({"role": ["summary", "foo"]}, "role: 'foo' is not one of: summary, recommendation, "),
    ({"doc_type": ["x"]}, "doc_type: 'x' is not one of: inspection, pcc_response, "),
])
def test_bad_filters_are_named(args, message):
    with pytest.raises(QueryError, match=re.escape(message)):
        _from_args(args)


def test_real_dates_and_open_facet_values_are_accepted(index):
    assert _from_args({"from": ["2024-02-29"], "to": ["2024"]}) == Filters(date_from="2024-02-29", date_to="2024")
    assert _from_args({"from": ["2024-06-15"], "to": ["2024-06"]})  # the same month: not an empty range
    assert _from_args({"from": [" "], "to": [""], "author": [""]}) == Filters()  # empty means no filter
    nobody = _from_args({"author": ["Nobody"], "area": ["Atlantis"], "document": ["nope"]})
    assert search(index, Q, 10, filters=nobody).total == 0  # values from the documents: unknown ones match nothing


@pytest.mark.parametrize("sort, page, message", [("best", 1, "sort: unknown order 'best'"),
                                                  ("newest", "two", "page: must be a whole number"),
                                                  ("newest", 0, "page: must be from 1")])
def test_bad_order_or_page_is_named(index, sort, page, message):
    with pytest.raises(QueryError, match=message):
        search(index, Q, 10, sort=sort, page=page)


def test_misspelt_words_get_a_suggestion_and_known_ones_do_not(index):
    assert search(index, "custdy detension", 5).suggestion.startswith("custody detention")
    assert search(index, "custody detention", 5).suggestion is None
    assert search(index, "JTAI Halton", 5).suggestion is None  # acronyms and names are left alone
    # operators, field names and prefixes are kept as typed around the respelt words
    assert search(index, 'custdy -CSE "polise"', 5).suggestion == 'custody -CSE "police"'
    assert search(index, "title:haltn AND custdy", 5).suggestion == "title:halton AND custody"
    assert search(index, "custod*", 5).suggestion is None


def test_a_match_by_meaning_alone_marks_its_nearest_sentence(index):
    results = search(index, "tots at the nick", 10, "semantic").results
    assert all(r.highlights == [] and 0 <= r.sentence[0] < r.sentence[1] <= len(r.text) for r in results)
    longer = [r for r in results if r.sentence[1] - r.sentence[0] < len(r.text.strip())]
    assert longer  # in paragraphs of several sentences, one is marked
    assert all(r.text[r.sentence[0]:r.sentence[1]].rstrip()[-1] in ".!?" for r in longer)
    assert search(index, "custody", 1, "keyword").results[0].sentence is None  # words found: they are marked


def test_neighbours_are_the_paragraphs_around_a_result(index):
    result = search(index, "victim blaming", 1, "keyword").results[0]
    doc = [p for p in index.paragraphs if p.doc_id == result.doc_id]
    by_number = {p.paragraph: p.text for p in doc}
    assert result.before.text == by_number[result.paragraph - 1] and result.after.text == by_number[result.paragraph + 1]
    first = search(index, "Between 8 and 12 July 2019", 1, "keyword").results[0]
    assert first.paragraph == 1 and first.before is None


def test_similar_paragraphs_come_from_other_documents_nearest_first(index):
    source, nearest = similar(index, "2020-04-17-pcc-response-national-child-protection-thematic", 5, k=5)
    assert "detained" in source.text and len(nearest) == 5
    assert all(r.doc_id != source.doc_id for r in nearest)
    assert [r.score for r in nearest] == sorted((r.score for r in nearest), reverse=True)
    assert ("2023-06-pcc-response-cheshire-child-protection-review", 10) in [(r.doc_id, r.paragraph) for r in nearest]


def test_a_facet_lists_its_most_frequent_values_and_counts_the_rest(index, monkeypatch):
    every = next(f for f in search(index, Q, 20).facets if f.name == "document").values
    assert len(every) > 2
    monkeypatch.setattr(facets, "LISTED", 2)
    response = search(index, Q, 20)
    documents = next(f for f in response.facets if f.name == "document")
    assert documents.values == every[:2] and documents.more == len(every) - 2
    assert documents.total == response.total
    assert len(next(f for f in response.facets if f.name == "year").values) > 2  # every year, as the timeline
    fewest = every[-1].value
    chosen = search(index, Q, 20, filters=Filters({"document": (fewest,)}))
    assert fewest in [v.value for v in next(f for f in chosen.facets if f.name == "document").values]


def test_the_values_listed_are_the_most_frequent_ties_in_the_order_of_their_names(monkeypatch):
    monkeypatch.setattr(facets, "LISTED", 3)
    labels = ["a", "b", "c", "d", "e", "f"]
    found = {name: ([], np.zeros(0, np.int64)) for name in facets.NAMES}
    found["author"] = labels, np.array([1, 5, 2, 5, 2, 0])
    found["year"] = ["2019", "2021", facets.UNDATED], np.array([4, 0, 1])
    counted = {f.name: f for f in facets.count(found, Filters({"author": ("f", "a")}), {})}
    author = counted["author"]
    assert [(v.value, v.count, v.chosen) for v in author.values] == [
        ("b", 5, False), ("d", 5, False), ("c", 2, False), ("a", 1, True), ("f", 0, True)]
    assert (author.total, author.more) == (15, 1)  # "e" has matches and is not listed
    assert [v.value for v in counted["year"].values] == ["2019", facets.UNDATED]
