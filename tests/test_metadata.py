import pytest

from indexer.build import build_index
from indexer.documents import SourceFile, discover, load
from indexer.links import answers
from indexer.metadata import parse_date
from indexer.records import Metadata
from indexer.store import Index

from .conftest import CORPUS, make_settings, write


@pytest.mark.parametrize("text, iso", [
    ("15 October 2019", "2019-10-15"),
    ("8th December 2023", "2023-12-08"),
    ("Published on the 11th May 2022.", "2022-05-11"),
    ("October 15, 2019", "2019-10-15"),
    ("1 Sept 2021", "2021-09-01"),
    ("2020-04-17", "2020-04-17"),
    ("31 February 2020", None),
    ("no date here", None),
])
def test_parse_date(text, iso):
    assert parse_date(text) == iso


def doc(name):
    """A sample document loaded the way the build loads it, sidecar included."""
    files, _ = discover([CORPUS])
    file = next(f for f in files if f.source == name)
    sidecar = file.sidecar.read_bytes() if file.sidecar else None
    document, problems = load(file, file.path.read_bytes(), file.path.stem, sidecar)
    assert problems == []
    return document


SAMPLES = {
    "2019-10-15-pcc-response-halton-jtai.txt": Metadata(
        title="Joint targeted area inspection of the multi-agency response to child exploitation in Halton",
        date="2019-10-15", published=None, signed="2019-10-15", doc_type="pcc_response",
        inspectorate="Joint", inspection_type="JTAI", author="David Keane",
        author_role="Police & Crime Commissioner", area="Halton"),
    "2019-halton-jtai-briefing-for-schools.txt": Metadata(
        title="Joint Targeted Area Inspection", date="2019", published=None, signed=None, doc_type="briefing",
        inspectorate="Joint", inspection_type="JTAI", author=None, author_role=None, area="Halton"),
    "2020-04-17-pcc-response-national-child-protection-thematic.txt": Metadata(
        title="Response to the HMICFRS National Child Protection Inspections 2019 thematic report",  # sidecar
        date="2020-04-17", published="2020-02-27", signed="2020-04-17", doc_type="pcc_response",
        inspectorate="HMICFRS", inspection_type="National Thematic", author="David Keane",
        author_role="Police & Crime Commissioner", area="Cheshire"),
    "2023-06-pcc-response-cheshire-child-protection-review.txt": Metadata(
        title="Cheshire – National child protection inspection post-inspection review",
        date="2023-06-06", published="2023-06-06", signed=None, doc_type="pcc_response",
        inspectorate="HMICFRS", inspection_type="Force Specific", author="John Dwyer",
        author_role="Police and Crime Commissioner for Cheshire", area="Cheshire"),
    "2023-12-pcc-response-group-based-cse-thematic.txt": Metadata(
        title="HMICFRS Inspection of the Effectiveness of the Response to Group-Based Child Sexual Exploitation "
              "in England and Wales",
        date="2023-12-08", published="2023-12-08", signed=None, doc_type="pcc_response",
        inspectorate="HMICFRS", inspection_type="National Thematic", author="John Dwyer",
        author_role="Police and Crime Commissioner for Cheshire", area="Cheshire"),
}


@pytest.mark.parametrize("name", SAMPLES)
@pytest.mark.parametrize("field", Metadata.names())
def test_sample_document_metadata(name, field):
    assert getattr(doc(name).meta, field) == getattr(SAMPLES[name], field)


def roles(name):
    return [(b.paragraph, b.role, b.label) for b in doc(name).blocks if b.kind == "paragraph"]


def test_paragraph_roles_of_a_response_with_numbered_recommendations():
    got = roles("2023-12-pcc-response-group-based-cse-thematic.txt")
    assert got[:5] == [(n, "summary", None) for n in range(1, 6)]
    assert got[5:10] == [(6, "recommendation", "Recommendation 2"), (7, "recommendation", "Recommendation 4"),
                         (8, "recommendation", "Recommendation 8"), (9, "recommendation", "Recommendation 9"),
                         (10, "area_for_improvement", "AFI 1")]
    assert got[10:14] == [(n, "force_response", None) for n in range(11, 15)]
    assert got[14:] == [(n, "commissioner_response", None) for n in range(15, 19)]


def test_paragraphs_of_a_pcc_letter_without_headings_are_the_commissioners():
    assert {role for _, role, _ in roles("2019-10-15-pcc-response-halton-jtai.txt")} == {"commissioner_response"}
    assert {role for _, role, _ in roles("2019-halton-jtai-briefing-for-schools.txt")} == {"other"}


def test_lead_label_in_the_text_names_the_item(tmp_path):
    path = tmp_path / "2021-03-04-report.md"
    path.write_text("# Areas for improvement\n\nThe force should train staff.\n\n"
                    "Recommendation 3: By March the force should publish its plan.\n\n"
                    "Cause of concern 2 - Children wait too long in custody.")
    document, _ = load(SourceFile(path, path.name), path.read_bytes(), "r")
    assert [(b.role, b.label) for b in document.blocks if b.kind == "paragraph"] == [
        ("area_for_improvement", None), ("recommendation", "Recommendation 3"),
        ("cause_of_concern", "Cause of concern 2")]


def test_file_name_date_is_the_last_resort(tmp_path):
    path = tmp_path / "2021-03-04-note.txt"
    path.write_text("A short note about nothing in particular.")
    d, _ = load(SourceFile(path, path.name), path.read_bytes(), "n")
    assert (d.title, d.date, d.meta.doc_type, d.meta.author) == ("Note", "2021-03-04", "other", None)


def indexed(tmp_path, name: str, text: str) -> tuple[Index, str]:
    """An index of one document, and the document's id."""
    docs = tmp_path / name.split(".")[0]
    write(docs, name, text)
    settings = make_settings(tmp_path / f"ix-{name}", corpus=str(docs))
    build_index(settings, progress=False)
    return Index.open(settings), name.split(".")[0]


QUOTED = ("## Recommendation 3\n\nForces should record the welfare of every child held overnight.\n\n"
          "The Constabulary now records the welfare of each child at every custody review.\n\n"
          "I will ask the Chief Constable for a report on it every quarter.\n\n"
          "## Recommendation 4\n\nForces should review strip searches of children.\n\n"
          "Every strip search of a child is now reviewed by an inspector within a day.\n")


def test_in_a_response_only_the_quoted_item_is_the_item_and_the_reply_below_it_answers_it(tmp_path):
    index, doc_id = indexed(tmp_path, "2024-01-10-pcc-response-custody.md",
                            "# Response to the custody inspection\n\n" + QUOTED)
    roles = [(p.paragraph, p.role, p.label) for p in index.document(doc_id).paragraphs()]
    assert roles == [(1, "recommendation", "Recommendation 3"), (2, "commissioner_response", "Recommendation 3"),
                     (3, "commissioner_response", "Recommendation 3"), (4, "recommendation", "Recommendation 4"),
                     (5, "commissioner_response", "Recommendation 4")]
    assert answers(index, doc_id) == {1: [2, 3], 4: [5]}
    index, doc_id = indexed(tmp_path, "reply.md", "# The Government's reply\n\n" + QUOTED)  # of type "other"
    assert [p.role for p in index.document(doc_id).paragraphs()] == ["recommendation", "other", "other",
                                                                    "recommendation", "other"]
    assert answers(index, doc_id) == {1: [2, 3], 4: [5]}


def test_numbered_recommendations_of_a_committee_and_the_replies_to_them(tmp_path):
    index, doc_id = indexed(tmp_path, "government-reply.md", "# Government reply to the committee\n\n"
                            "## Inquiry recommendation\n\n"
                            "8.6. We recommend that the Government appoint a chief social scientist.\n\n"
                            "8.7. We further recommend that the Government review its use of social science.\n\n"
                            "The Government agrees that social science should inform policy and will review it.\n\n"
                            "8.8. We recommend that ministers publish the evidence for each intervention.\n\n"
                            "The Government does not accept this recommendation.\n")
    roles = [(p.role, p.label) for p in index.document(doc_id).paragraphs()]
    assert roles == [("recommendation", "Recommendation 8.6"), ("recommendation", "Recommendation 8.7"),
                     ("other", "Recommendation 8.7"), ("recommendation", "Recommendation 8.8"),
                     ("other", "Recommendation 8.8")]
    assert answers(index, doc_id) == {1: [3], 2: [3], 4: [5]}  # 8.6 and 8.7 answered together
