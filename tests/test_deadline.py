"""The time budget of a search: checked where the work grows, per thread, answered 503 with Retry-After."""

import threading
import time
from contextlib import redirect_stderr, redirect_stdout
from dataclasses import replace
from io import StringIO

import pytest

from indexer import cli, deadline
from indexer.errors import QueryError, QueryTooCostly
from indexer.onnx_encoder import OnnxEncoder
from indexer.search import search
from indexer.store import Index
from webui import create_app

STOPPED = r"^q: the search took more than {} s and was stopped \({}\); try again in a moment, or narrow it"


def test_a_spent_budget_stops_the_work_naming_the_stage():
    with deadline.within(0.05):
        deadline.check("ranking")
        time.sleep(0.06)
        with pytest.raises(QueryTooCostly, match=STOPPED.format("0.05", "ranking")):
            deadline.check("ranking")
    deadline.check("ranking")  # no budget outside a search
    with deadline.within(0):  # 0: none
        time.sleep(0.01)
        deadline.check("ranking")


def test_a_loop_looks_at_the_budget_as_it_goes():
    seen = []
    with deadline.within(0.05), pytest.raises(QueryTooCostly, match=r"\(scoring\)"):
        for n in deadline.checked(range(10 ** 9), "scoring"):
            seen.append(n)
            time.sleep(0.001)
    assert deadline.EVERY < len(seen) < 0.2 / 0.001


def test_work_that_is_not_the_query_s_cost_does_not_count():
    with deadline.within(0.05):
        with deadline.paused():
            time.sleep(0.1)
            deadline.check("loading the model")
        deadline.check("reading the query")


def test_each_thread_has_its_own_budget():
    """A server thread past its budget stops its own search, not the others'."""
    outcomes = {}

    def run(name, seconds):
        try:
            with deadline.within(seconds):
                time.sleep(0.05)
                deadline.check("ranking")
            outcomes[name] = "answered"
        except QueryTooCostly:
            outcomes[name] = "stopped"

    threads = [threading.Thread(target=run, args=("tight", 0.01)), threading.Thread(target=run, args=("ample", 5))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert outcomes == {"tight": "stopped", "ample": "answered"}


@pytest.fixture()
def spent(index, monkeypatch):
    """The session's index with a budget no search can keep."""
    monkeypatch.setattr(index, "settings", replace(index.settings, query_seconds=1e-9))
    return index


def test_a_search_past_its_budget_is_a_query_error_of_status_503(spent):
    with pytest.raises(QueryTooCostly, match=STOPPED.format("1e-09", "reading the query")) as stopped:
        search(spent, "custody detention", 10)
    assert isinstance(stopped.value, QueryError) and stopped.value.status == 503 and stopped.value.parameter == "q"


def test_an_export_s_many_results_do_not_count_a_page_s_do(index, monkeypatch):
    """Building 2,000 results took 1.5-5 s at 10,000 paragraphs: as many as EXPORT_LIMIT says, whatever the
    query, so an export is stopped only for what finding them costs."""
    from indexer import search as searching

    result = searching._result
    monkeypatch.setattr(searching, "_result", lambda *args, **kwargs: time.sleep(0.02) or result(*args, **kwargs))
    monkeypatch.setattr(index, "settings", replace(index.settings, query_seconds=0.3))
    assert len(searching.every_match(index, "children", "semantic").results) > 0.3 / 0.02
    with pytest.raises(QueryTooCostly):
        search(index, "children", 100, "semantic")


def test_the_web_answers_503_with_retry_after(spent, settings):
    client = create_app({"TESTING": True, "PRECEDENT_INDEX": spent, "PRECEDENT_WARM": False},
                        settings=settings).test_client()
    for url in ("/api/search?q=custody", "/api/export?q=custody", "/?q=custody", "/doc/2020-04-17-pcc-response-"
                "national-child-protection-thematic?q=custody"):
        response = client.get(url)
        assert response.status_code == 503 and response.headers["Retry-After"] == "5", url
        assert "the search took more than 1e-09 s and was stopped" in response.get_data(as_text=True)
    assert client.get("/api/search?q=custody").get_json() == {"error": {"status": 503, "message": (
        "q: the search took more than 1e-09 s and was stopped (reading the query); try again in a moment, or "
        "narrow it: fewer words, longer prefixes, a filter")}}
    assert "Retry-After" not in client.get("/api/search?q=").headers  # a 400 is not to be retried


def test_the_cli_says_so_in_one_line(settings, index, monkeypatch):
    monkeypatch.setenv("PRECEDENT_QUERY_SECONDS", "1e-9")
    out, err = StringIO(), StringIO()
    with redirect_stdout(out), redirect_stderr(err):
        code = cli.main(["search", "--index-dir", str(settings.index_dir), "custody"])
    assert (code, out.getvalue()) == (1, "")
    assert err.getvalue() == ("Error: QUERY: the search took more than 1e-09 s and was stopped (reading the query); "
                              "try again in a moment, or narrow it: fewer words, longer prefixes, a filter\n")


def test_loading_the_model_is_not_the_first_query_s_cost(settings, built, monkeypatch):
    """A fresh process's first search loads the query model (an ONNX export too, the first time ever):
    seconds that are no query's fault, so the budget does not count them."""
    load = OnnxEncoder._load

    def slow_load(self):
        time.sleep(0.6)
        return load(self)

    monkeypatch.setattr(OnnxEncoder, "_load", slow_load)
    fresh = Index.open(replace(settings, query_seconds=0.5))
    assert search(fresh, "custody detention", 5, "semantic").results
