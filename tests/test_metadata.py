import pytest

from indexer.documents import SourceFile, load
from indexer.metadata import parse_date

from .conftest import CORPUS


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
    path = CORPUS / name
    return load(SourceFile(path, name), path.read_bytes(), path.stem)


@pytest.mark.parametrize("name, title, date", [
    ("2019-10-15-pcc-response-halton-jtai.txt",
     "Joint targeted area inspection of the multi-agency response to child exploitation in Halton", "2019-10-15"),
    ("2019-halton-jtai-briefing-for-schools.txt", "Joint Targeted Area Inspection", None),
    ("2020-04-17-pcc-response-national-child-protection-thematic.txt",
     "Response of David Keane, Police & Crime Commissioner for Cheshire", "2020-04-17"),
    ("2023-06-pcc-response-cheshire-child-protection-review.txt",
     "Cheshire – National child protection inspection post-inspection review", "2023-06-06"),
    ("2023-12-pcc-response-group-based-cse-thematic.txt",
     "HMICFRS Inspection of the Effectiveness of the Response to Group-Based Child Sexual Exploitation "
     "in England and Wales", "2023-12-08"),
])
def test_sample_document_title_and_date(name, title, date):
    d = doc(name)
    assert (d.title, d.date, d.source) == (title, date, name)


def test_file_name_date_is_the_last_resort(tmp_path):
    path = tmp_path / "2021-03-04-note.txt"
    path.write_text("A short note about nothing in particular.")
    d = load(SourceFile(path, path.name), path.read_bytes(), "n")
    assert (d.title, d.date) == ("Note", "2021-03-04")
