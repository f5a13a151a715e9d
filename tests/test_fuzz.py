"""Hypothesis fuzz of the query path: ``search()`` in process, ``precedent search`` and every parameter of the
web's search, export, document, similar and ledger routes. Every answer is a result or one error of the
family: 200, 400, 404, 413 or 503 on the web, exit 0 or one ``Error:`` line in the CLI; never a 500 or a
traceback. The ``ci`` profile (HYPOTHESIS_PROFILE=ci, set by .ci/run) runs 2,000 examples a test."""

from __future__ import annotations

import json
from contextlib import redirect_stderr, redirect_stdout
from io import StringIO
from urllib.parse import quote

import pytest
from hypothesis import event, given
from hypothesis import strategies as st

from indexer import cli
from indexer.errors import QueryError
from indexer.facets import NAMES, Filters
from indexer.search import MODES, SORTS, search
from indexer.store import Index
from indexer.verdicts import STATUSES
from webui import create_app
from webui.limits import MAX_URL

OPERATORS = ["AND", "OR", "NOT", "ANDNOT", "ANDMAYBE", "REQUIRE", "TO", "-", "+", '"', "(", ")", "*", "?", ":", "~",
             "/", "^", "\\", "'", "[", "]", "{", "}", "–", "“", "”", "＊", "*:*", "~9", "^9"]
WORDS = ["custody", "children", "Halton", "JTAI", "CSE", "Recommendation", "9", "AFI", "custod", "vulnerab",
         "organis", "what", "the", "title", "text", "section", "context", "key", "doc_id", "spell_text", "kids",
         "2023", "Cheshire", "a", "x" * 300]
ODD = ["\u202e", "\u202d", "\u200f", "\u0301" * 5, "\x00", "\ufeff", "\u200b", "\t", "\n", "ｃｕｓｔｏｄｙ", "ﷺ",
       "🙂", "\U0010ffff", "\u00a0"]
TEXT = st.characters(blacklist_categories=("Cs",))  # what a URL can carry: no lone surrogates
HUGE = st.integers(min_value=-10 ** 30, max_value=10 ** 30).map(str)


def mostly(valid: st.SearchStrategy[str], other: st.SearchStrategy[str]) -> st.SearchStrategy[str]:
    """``valid`` three times in four: so that the other parameters of a request are not what it fails on."""
    return st.sampled_from(range(4)).flatmap(lambda n: valid if n else other)


def queries(surrogates: bool) -> st.SearchStrategy[str]:
    """Words, operators and odd characters run together or apart; any text; a few queries of every
    limit's size."""
    odd = ODD + ["\ud800", "\udcff"] if surrogates else ODD
    token = mostly(st.sampled_from(WORDS), st.one_of(st.sampled_from(OPERATORS), st.sampled_from(odd),
                                                     st.text(TEXT, max_size=8), HUGE))  # a query is mostly words
    mixed = st.lists(st.tuples(token, st.sampled_from(["", " ", "  "])), min_size=1, max_size=25).map(
        lambda parts: "".join(t + gap for t, gap in parts))
    sized = st.sampled_from(["a*", " OR ".join(f"{a}{b}*" for a in "abcd" for b in "aeiou"),
                             " OR ".join(f"w{n}" for n in range(500)), "(" * 2000 + "custody" + ")" * 2000,
                             "custody " * 12_500, "NOT " * 3000, "(" * 490 + "custody" + ")" * 490,
                             "-(" * 160 + "custody" + ")" * 160, "9" * 999])
    return mostly(mixed, st.one_of(st.text(TEXT, max_size=60), sized))


def values(*valid: str) -> st.SearchStrategy[str]:
    return st.one_of(st.sampled_from([*valid, "", " "]), st.text(TEXT, max_size=12), HUGE)


NUMBERS = values("1", "10", "100", "101", "0", "-1", "1e9", "١٠", "1_0", "1000000000")
YEARS = values("2019", "2020", "2023", "undated", "0000", "9999", "2023-02-30", "2023-13", "2020-01-01")
FACET_VALUES = {"year": YEARS, "doc_type": values("inspection", "pcc_response", "other", "not_stated"),
                "role": values("recommendation", "commissioner_response", "body"),
                "document": values("2019-10-15-pcc-response-halton-jtai")}


@pytest.fixture(scope="module")
def client(settings, index):
    return create_app({"TESTING": True, "PRECEDENT_INDEX": index, "PRECEDENT_WARM": False},
                      settings=settings).test_client()


def assert_answered(response, url):
    """A result, or one error of the family in one JSON shape (on /api/) or an error page; never a 500. An
    address longer than the server takes is 414, the address's own 413 (``webui.limits``)."""
    event(f"{url.split('?')[0].split('/')[1 + url.startswith('/api/')] or 'search page'} {response.status_code}")
    if response.status_code == 414:
        sent = response.request  # as sent: a character outside ASCII is up to 12 once percent-encoded
        assert len(sent.path) + len(sent.query_string) > MAX_URL, url
        return
    assert response.status_code in (200, 400, 404, 413, 503), (url, response.status_code, response.get_data())
    body = response.get_data(as_text=True)
    assert "Traceback" not in body, url
    if response.status_code != 200 and url.startswith("/api/"):
        error = response.get_json()["error"]
        assert error["status"] == response.status_code and "\n" not in error["message"], url


FILTERS = st.dictionaries(st.sampled_from([*NAMES, "from", "to"]), st.lists(YEARS, max_size=3), max_size=3)


@given(q=queries(surrogates=True), k=mostly(st.integers(1, 100).map(str), NUMBERS),
       mode=mostly(st.sampled_from(MODES), values("HYBRID", "fuzzy")), sort=mostly(st.sampled_from(SORTS), values()),
       page=mostly(st.sampled_from(["1", "2", "3"]), NUMBERS), chosen=mostly(st.just({}), FILTERS))
def test_search_answers_or_says_what_is_wrong(index, q, k, mode, sort, page, chosen):
    """Parse and search: a response that is valid JSON (no NaN or infinite score), or a QueryError naming
    the parameter at fault."""
    try:
        response = search(index, q, k, mode, Filters.from_args(lambda name: chosen.get(name, [])), sort, page)
    except QueryError as error:
        assert error.parameter in ("q", "k", "mode", "sort", "page", *NAMES, "from", "to")
        assert "\n" not in str(error)
        event(f"{error.status} {error.parameter}")
        return
    json.dumps(response.to_json(), allow_nan=False)
    event(f"answered, {'no' if not response.total else 'some'} matches")


@pytest.mark.usefixtures("cli_opens_the_session_index")
@given(q=queries(surrogates=True), k=mostly(st.integers(1, 100).map(str), NUMBERS),
       mode=mostly(st.sampled_from(MODES), values()), sort=mostly(st.sampled_from(SORTS), values()),
       page=mostly(st.just("1"), NUMBERS), year=mostly(st.just(""), YEARS), as_json=st.booleans())
def test_the_cli_answers_or_prints_one_error_line(settings, q, k, mode, sort, page, year, as_json):
    out, err = StringIO(), StringIO()
    argv = ["search", "--index-dir", str(settings.index_dir), f"--k={k}", f"--mode={mode}", f"--sort={sort}",
            f"--page={page}", f"--year={year}", *(["--json"] if as_json else []), "--", q]
    with redirect_stdout(out), redirect_stderr(err):
        code = cli.main(argv)
    assert code in (0, 1), argv
    event(f"exit {code}" + (f", {err.getvalue().split(':')[1].strip()}" if code else ""))
    if code:
        assert err.getvalue().startswith("Error: ") and err.getvalue().count("\n") == 1, err.getvalue()
    elif as_json:
        json.loads(out.getvalue())


@pytest.fixture(scope="module")
def cli_opens_the_session_index(index):
    """The CLI opens the session's index instead of reading it from disk again (0.5 s a run): the fuzz is of
    what it does with its arguments and the answers, not of opening an index."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(Index, "open", classmethod(lambda cls, settings: index))
        yield


SEARCH_PARAMETERS = st.fixed_dictionaries(  # each parameter absent, once, or more than once
    {"q": st.lists(queries(surrogates=False), min_size=1, max_size=2)},
    optional={"k": st.lists(mostly(st.sampled_from(["1", "20", "100"]), NUMBERS), max_size=2),
              "page": st.lists(mostly(st.just("1"), NUMBERS), max_size=2),
              "mode": st.lists(mostly(st.sampled_from(MODES), values()), max_size=2),
              "sort": st.lists(mostly(st.sampled_from(SORTS), values()), max_size=2),
              "from": st.lists(YEARS, max_size=2), "to": st.lists(YEARS, max_size=2),
              **{name: st.lists(FACET_VALUES.get(name, values("Cheshire", "HMICFRS")), max_size=3) for name in NAMES}})
LEDGER_PARAMETERS = st.fixed_dictionaries({}, optional={
    "status": st.lists(values(*STATUSES, "accepted", "overdue"), max_size=2), "inspectorate": st.lists(values(
        "HMICFRS", "Ofsted"), max_size=2), "year": st.lists(YEARS, max_size=2), "overdue": st.lists(values(
            "yes", "no", "true", "0"), max_size=2), "today": st.lists(YEARS, max_size=2),
    "document": st.lists(values("2019-10-15-pcc-response-halton-jtai"), max_size=2)})
DOCUMENTS = ["2019-10-15-pcc-response-halton-jtai", "2019-halton-jtai-briefing-for-schools",
             "2020-04-17-pcc-response-national-child-protection-thematic",
             "2023-06-pcc-response-cheshire-child-protection-review", "2023-12-pcc-response-group-based-cse-thematic"]
DOC_IDS = values(*DOCUMENTS, "..", "a/b", "%00")


@given(route=st.sampled_from(["/api/search", "/api/export", "/"]), parameters=SEARCH_PARAMETERS)
def test_every_search_parameter_is_answered(client, route, parameters):
    pairs = [(name, value) for name, given_values in parameters.items() for value in given_values]
    assert_answered(client.get(route, query_string=pairs), route)


@given(doc_id=mostly(st.sampled_from(DOCUMENTS), DOC_IDS),
       paragraph=mostly(st.integers(0, 60).map(str), st.one_of(HUGE, st.text(TEXT, max_size=6))),
       q=queries(surrogates=False),
       mode=values(*MODES), api=st.booleans())
def test_documents_and_similar_paragraphs_are_answered(client, doc_id, paragraph, q, mode, api):
    similar = f"{'/api' * api}/similar/{quote(doc_id, safe='')}/{quote(paragraph, safe='')}"
    assert_answered(client.get(similar), similar)
    document = f"{'/api' * api}/doc/{quote(doc_id, safe='')}"
    assert_answered(client.get(document, query_string={"q": q, "mode": mode}), document)


@given(parameters=LEDGER_PARAMETERS)
def test_every_ledger_parameter_is_answered(client, parameters):
    pairs = [(name, value) for name, given_values in parameters.items() for value in given_values]
    assert_answered(client.get("/api/ledger", query_string=pairs), "/api/ledger")
