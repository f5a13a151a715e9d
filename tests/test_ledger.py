"""The recommendations ledger, on a real index of small reports and responses (``ledger_samples``)."""

import csv
import io
from dataclasses import asdict
from datetime import date

import pytest

from indexer import itemise
from indexer.build import build_index
from indexer.errors import QueryError
from indexer.export import ledger_csv
from indexer.ledger import ledger, marks, worked
from indexer.store import Index, IndexFolder

from .conftest import make_settings, write
from .ledger_samples import COMMITTEE, DOCUMENTS, EASTSHIRE, FORCE, GOVERNMENT, NORTHSHIRE, PCC, SOUTHSHIRE, TODAY, WELFARE


@pytest.fixture()
def index(ledger_index) -> Index:
    return ledger_index


def records(index, **filters) -> dict:
    """(inspection, label or kind) -> the record."""
    return {(row.record.inspection, row.record.label or row.record.kind): row.record
            for row in ledger(index, today=TODAY, **filters).rows}


def test_every_item_is_one_record_with_each_place_it_stands_and_its_whole_text(index):
    found = records(index)
    assert set(found) == {
        (NORTHSHIRE, "Recommendation 1"), (NORTHSHIRE, "Recommendation 2a"), (NORTHSHIRE, "Recommendation 2b"),
        (NORTHSHIRE, "area_for_improvement"), (NORTHSHIRE, "Cause of concern 1"), (EASTSHIRE, "Recommendation 1"),
        (COMMITTEE, "Recommendation 8.5"), (COMMITTEE, "Recommendation 8.6")}
    welfare = found[NORTHSHIRE, "Recommendation 1"]
    assert welfare.id == f"{NORTHSHIRE}#p2" and welfare.kind == "recommendation" and welfare.text == WELFARE
    assert [(p.doc_id, p.paragraphs, p.label) for p in welfare.places] == [
        (NORTHSHIRE, (2,), "Recommendation 1"), (FORCE, (1,), "Recommendation 1")]
    fund = found[COMMITTEE, "Recommendation 8.6"]  # the item and its two points, quoted whole by the response
    assert fund.text.startswith("8.6. We recommend") and fund.text.endswith("paying for out-of-hours cover in every "
                                                                             "force area.")
    assert [(p.doc_id, len(p.paragraphs)) for p in fund.places] == [(COMMITTEE, 3), (GOVERNMENT, 3)]
    assert found[NORTHSHIRE, "Cause of concern 1"].kind == "cause_of_concern"


def test_replies_in_the_same_and_other_documents_say_how_they_were_found(index):
    found = records(index)
    welfare = found[NORTHSHIRE, "Recommendation 1"]
    assert [(r.doc_id, r.paragraph, r.how, r.confidence) for r in welfare.replies] == [
        (PCC, 2, "label", 1.0), (FORCE, 2, "heading", 1.0)]  # the earlier response first
    assert [(r.doc_id, r.paragraph, r.how) for r in found[COMMITTEE, "Recommendation 8.5"].replies] == [
        (GOVERNMENT, 2, "heading")]
    assert [(r.doc_id, r.paragraph) for r in found[COMMITTEE, "Recommendation 8.6"].replies] == [(GOVERNMENT, 6)]
    # no number to go by: the response paragraph nearest in meaning and words, among the few listed
    voice, wait = found[NORTHSHIRE, "area_for_improvement"], found[NORTHSHIRE, "Cause of concern 1"]
    assert (voice.replies[0].paragraph, voice.replies[0].how) == (5, "similarity") and len(voice.replies) <= 3
    assert wait.replies[0].paragraph == 6 and 0.5 <= wait.replies[0].confidence < 1
    # the paragraphs that name another item are never offered for this one
    assert {r.paragraph for r in voice.replies + wait.replies} <= {1, 5, 6}


def test_each_status_is_read_from_the_replies_own_words(index):
    found = {key: (r.status, r.decided_by) for key, r in records(index).items()}
    assert found[NORTHSHIRE, "Recommendation 1"] == ("accepted", "force accepts")
    assert found[NORTHSHIRE, "Recommendation 2a"] == ("rejected", "does not accept")
    assert found[NORTHSHIRE, "Recommendation 2b"] == ("partly accepted", "accepts Recommendation 2b in part")
    assert found[NORTHSHIRE, "area_for_improvement"] == ("accepted", "has introduced")
    assert found[NORTHSHIRE, "Cause of concern 1"] == ("noted / under consideration", "will consider")
    assert found[COMMITTEE, "Recommendation 8.5"] == ("accepted", "Government agrees")
    assert found[COMMITTEE, "Recommendation 8.6"][0] == "partly accepted"
    assert found[EASTSHIRE, "Recommendation 1"] == ("no response found", None)


def test_deadlines_run_from_the_report_publication(index):
    found = {key: r.deadline for key, r in records(index).items()}
    assert (found[NORTHSHIRE, "Recommendation 1"].said, found[NORTHSHIRE, "Recommendation 1"].due) == (
        "By 31 December 2024", "2024-12-31")
    assert found[NORTHSHIRE, "Recommendation 2a"].due == "2024-07-15"  # within six months of 15 January 2024
    assert found[NORTHSHIRE, "Recommendation 2b"].due == "2024-01-15"  # with immediate effect
    assert found[NORTHSHIRE, "area_for_improvement"] is None


def test_the_clock_of_each_inspection(index):
    clocks = {c.inspection.id: c for c in ledger(index, today=TODAY).clocks}
    northshire = clocks[NORTHSHIRE].inspection
    assert (northshire.report, northshire.inspectorate, northshire.published) == (NORTHSHIRE, "HMICFRS", "2024-01-15")
    assert [(r.doc_id, r.date, r.days, r.late) for r in northshire.responses] == [
        (PCC, "2024-02-20", 36, False), (FORCE, "2024-03-01", 46, False)]
    southshire = clocks[SOUTHSHIRE].inspection  # its report is not indexed: the response gives its date
    assert (southshire.report, southshire.published) == (None, "2023-03-01")
    assert [(r.days, r.late) for r in southshire.responses] == [(111, True)]
    government = clocks[COMMITTEE].inspection.responses[0]
    assert (government.doc_id, government.date, government.days) == (GOVERNMENT, None, None)  # undated, not guessed
    assert [i for i, c in clocks.items() if c.overdue] == [EASTSHIRE]
    assert not any(c.overdue for c in ledger(index, today=date(2023, 7, 5)).clocks)  # 56 days after 10 May 2023
    assert [c.inspection.id for c in ledger(index, overdue=True, today=date(2023, 7, 6)).clocks] == [EASTSHIRE]


def test_the_same_recommendation_to_another_inspection_recurs(index):
    found = records(index)
    assert found[NORTHSHIRE, "Recommendation 1"].recurs is not None
    assert found[NORTHSHIRE, "Recommendation 1"].recurs == found[EASTSHIRE, "Recommendation 1"].recurs
    assert found[NORTHSHIRE, "Recommendation 2a"].recurs is None


def test_filters(index):
    assert set(records(index, status="partly")) == {(NORTHSHIRE, "Recommendation 2b"), (COMMITTEE, "Recommendation 8.6")}
    assert set(records(index, overdue=True)) == {(EASTSHIRE, "Recommendation 1")}
    assert {i for i, _ in records(index, inspectorate="hmicfrs")} == {NORTHSHIRE, EASTSHIRE}
    assert {i for i, _ in records(index, year="2024")} == {NORTHSHIRE, COMMITTEE}
    for bad, message in (({"status": "sorta"}, "status: 'sorta' is not a status"),
                         ({"year": "24"}, "year: '24' is not a year")):
        with pytest.raises(QueryError, match=message):
            ledger(index, **bad)


def test_csv_defuses_formula_cells(index):
    rows = list(csv.DictReader(io.StringIO(ledger_csv(ledger(index, overdue=True, today=TODAY)).lstrip("\ufeff"))))
    assert len(rows) == 1 and rows[0]["inspection"].startswith("'=HYPERLINK")
    assert (rows[0]["status"], rows[0]["overdue"], rows[0]["due"]) == ("no response found", "yes", "2024-12-31")


def test_the_document_filter_keeps_the_items_that_stand_in_it_or_that_it_surely_answers(index):
    northshire = {(NORTHSHIRE, label) for label in ("Recommendation 1", "Recommendation 2a", "Recommendation 2b",
                                                     "area_for_improvement", "Cause of concern 1")}
    assert set(records(index, document=NORTHSHIRE)) == northshire
    assert set(records(index, document=PCC)) == northshire  # it quotes none of them, and answers all five
    assert set(records(index, document=FORCE)) == {(NORTHSHIRE, "Recommendation 1")}
    assert set(records(index, document=GOVERNMENT, status="partly")) == {(COMMITTEE, "Recommendation 8.6")}
    assert [c.inspection.id for c in ledger(index, document=SOUTHSHIRE, today=TODAY).clocks] == [SOUTHSHIRE]
    assert ledger(index, document=PCC, today=TODAY).filters == {"document": PCC}
    with pytest.raises(QueryError, match="document: 'nope' is not an indexed document"):
        ledger(index, document="nope")


def test_the_day_asked_may_be_written_as_the_url_and_the_command_line_give_it(index):
    assert ledger(index, overdue=True, today="2023-07-06").to_json() == ledger(
        index, overdue=True, today=date(2023, 7, 6)).to_json()
    with pytest.raises(QueryError, match="today: '2023-02-30' is not a date; give YYYY-MM-DD"):
        ledger(index, today="2023-02-30")


def test_marks_say_what_each_paragraph_is_to_the_ledger_and_where_its_counterpart_is(index):
    found = marks(index)
    assert found is marks(index)  # made once for the generation
    (item,) = found[f"{NORTHSHIRE}#p2"]
    assert (item.part, item.label, item.kind, item.status) == ("item", "Recommendation 1", "recommendation", "accepted")
    assert asdict(item.counterpart) == {"doc_id": PCC, "paragraph": 2, "url": f"/doc/{PCC}#p2",
                                        "title": index.document(PCC).meta.title}  # its first reply
    (reply,) = found[f"{FORCE}#p2"]
    assert (reply.part, reply.record, reply.counterpart.url) == ("reply", f"{NORTHSHIRE}#p2", f"/doc/{NORTHSHIRE}#p2")
    assert [m.part for m in found[f"{FORCE}#p1"]] == ["item"]  # the response quotes the item: a place of it
    # a likely reply only: ¶6 answers the cause of concern (0.59), not the AFI it is also near (0.46)
    assert [(m.part, m.label) for m in found[f"{PCC}#p6"]] == [("reply", "Cause of concern 1")]
    assert [m.counterpart for m in found[f"{EASTSHIRE}#p2"]] == [None]  # no reply
    assert f"{PCC}#p1" not in found and f"{NORTHSHIRE}#p1" not in found


def test_a_changed_document_works_out_again_only_the_records_of_its_inspection(tmp_path, monkeypatch):
    """Re-indexing takes every other inspection's records from the previous generation, and the ledger is the
    one a rebuild gives: the recurring record of another inspection is still found."""
    docs = tmp_path / "docs"
    for name, text in DOCUMENTS.items():
        write(docs, f"{name}.md", text)
    settings = make_settings(tmp_path / "index", corpus=str(docs))
    build_index(settings, progress=False)
    write(docs, f"{FORCE}.md", DOCUMENTS[FORCE] + "\nThe force will report its progress to the PCC each quarter.\n")
    worked_out, records = [], itemise._records
    monkeypatch.setattr(itemise, "_records", lambda index, inspection: worked_out.append(inspection.id) or
                        records(index, inspection))
    build_index(settings, progress=False)
    assert worked_out == [NORTHSHIRE]
    monkeypatch.undo()
    rebuilt = make_settings(tmp_path / "rebuilt", corpus=str(docs))
    build_index(rebuilt, progress=False)
    updated, fresh = (worked(IndexFolder(s.index_dir).current()) for s in (settings, rebuilt))
    assert updated == fresh and updated.recurring
