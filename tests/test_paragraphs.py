from indexer.paragraphs import LONGEST, clean_inline, split_blocks, structure
from indexer.records import Block

from .conftest import CORPUS


def paragraphs(text):
    return [b for b in split_blocks(text) if b.kind == "paragraph"]


def corpus_paragraphs(name):
    return paragraphs((CORPUS / name).read_text(encoding="utf-8"))


def test_blank_lines_separate_paragraphs_and_lines_are_joined():
    ps = paragraphs("First line\ncontinues here.\n\n\t \nSecond paragraph.")
    assert [p.text for p in ps] == ["First line continues here.", "Second paragraph."]
    assert [p.paragraph for p in ps] == [1, 2]


def test_headings_become_sections_not_paragraphs():
    text = "# Title\n\nIntro text.\n\n### **Recommendation 9**\n\nDo the thing.\n\n**Commissioner's Response:**\n\nWe will."
    ps = paragraphs(text)
    assert [(p.section, p.text) for p in ps] == [
        ("Title", "Intro text."), ("Recommendation 9", "Do the thing."), ("Commissioner's Response", "We will.")]


def test_all_caps_line_is_a_heading_in_title_case():
    ps = paragraphs("RESPONSE OF THE POLICE & CRIME COMMISSIONER FOR CHESHIRE\n\nI welcome the report.")
    assert ps[0].section == "Response of the Police & Crime Commissioner for Cheshire"


def test_markdown_heading_line_inside_a_block_stands_alone():
    ps = paragraphs("Intro.\n## Findings\nForces were slow.")
    assert [(p.section, p.text) for p in ps] == [(None, "Intro."), ("Findings", "Forces were slow.")]


def test_inline_markup_is_removed_but_other_angle_brackets_stay():
    assert clean_inline("8 <sup>th</sup> December, <b>bold</b> and *it* **b**") == "8th December, bold and it b"
    assert clean_inline("a <script>alert(1)</script> b") == "a <script>alert(1)</script> b"


def test_list_items_are_paragraphs_with_their_lead_in_separate():
    text = "We did the following:\n- First action taken.\n- Second action\n  continued.\n\n- Third action."
    assert [p.text for p in paragraphs(text)] == [
        "We did the following:", "First action taken.", "Second action continued.", "Third action."]


def test_signature_image_lines_and_signature_blocks_are_not_paragraphs():
    text = ("I await the response.\n\nA handwritten signature in blue ink, appearing to read 'David Keane'.\n\n"
            "David Keane\nPolice & Crime Commissioner\n15 October 2019")
    blocks = split_blocks(text)
    assert [b.text for b in blocks if b.kind == "paragraph"] == ["I await the response."]
    assert not any("signature" in b.text for b in blocks)
    assert blocks[-1].kind == "meta" and "15 October 2019" in blocks[-1].text


def test_bold_label_starts_its_own_section():
    ps = paragraphs("**AFI 1** - All chief constables should work with partners.")
    assert ps[0].section == "AFI 1"
    assert ps[0].text == "AFI 1 - All chief constables should work with partners."


def test_tab_table_is_a_table_block():
    blocks = split_blocks("<b>Title of Inspection</b>\tCheshire review\t\n<b>Type of Inspection</b>\tForce Specific")
    assert blocks[0].kind == "table"
    assert blocks[0].text == "Title of Inspection\tCheshire review\nType of Inspection\tForce Specific"


def test_group_based_cse_response_sections():
    ps = corpus_paragraphs("2023-12-pcc-response-group-based-cse-thematic.txt")
    rec9 = next(p for p in ps if p.text.startswith("With immediate effect"))
    assert rec9.section == "Recommendation 9"
    assert next(p for p in ps if p.text.startswith("AFI 1")).section == "AFI 1"
    assert next(p for p in ps if p.text.startswith("The Constabulary will ensure")).section == "Constabulary Response"
    assert next(p for p in ps if p.text.startswith("Children and young people")).section == "Commissioner's Response"
    assert len(ps) == 18
    assert all("*" not in p.text and "<" not in p.text for p in ps)


def test_cheshire_review_list_items_and_markup():
    ps = corpus_paragraphs("2023-06-pcc-response-cheshire-child-protection-review.txt")
    detention = [p for p in ps if p.text.startswith("The pan-Cheshire protocol for youth overnight detention")]
    assert len(detention) == 1 and detention[0].section == "Commissioner’s Response"
    assert ps[0].text.startswith("HMICFRS have carried out a post-inspection review further to their report "
                                 "published on the 11th May 2022.")
    assert ps[0].section == "Report Summary"


def test_halton_response_drops_letterhead_and_signature():
    ps = corpus_paragraphs("2019-10-15-pcc-response-halton-jtai.txt")
    assert len(ps) == 5
    assert ps[0].text.startswith("Between 8 and 12 July 2019")
    assert ps[-1].text.startswith("I note that the report highlights a number of areas for improvement")
    assert not any(p.text.startswith(("David Keane", "A handwritten")) for p in ps)
    assert "'senior leaders in the Halton local area partnership" in ps[2].text


def test_short_lines_are_a_signature_only_after_a_sentence():
    assert [b.kind for b in structure([Block("paragraph", "Knife crime rose in Warrington")])] == ["paragraph"]
    blocks = structure([Block("paragraph", "The force agreed."), Block("paragraph", "Chief Constable")])
    assert [b.kind for b in blocks] == ["paragraph", "meta"]


def test_a_lone_short_line_is_text_not_a_title():
    assert [(b.kind, b.paragraph) for b in split_blocks("NOAA Forecasts. Forecasts from the NOAA")] == [("paragraph", 1)]
    assert [b.kind for b in split_blocks("Joint Targeted Area Inspection\n\nThe inspection began.")] == [
        "heading", "paragraph"]


def test_short_closing_lines_are_a_signature_only_when_they_sign():
    items = structure([Block("paragraph", "The force will review:"), Block("paragraph", "Custody"),
                       Block("paragraph", "Training")])
    assert [b.kind for b in items] == ["paragraph"] * 3  # the last items of a list, not a signature
    signed = structure([Block("paragraph", "I welcome the report."), Block("paragraph", "John Dwyer"),
                        Block("paragraph", "Police and Crime Commissioner for Cheshire")])
    assert [b.kind for b in signed] == ["paragraph", "meta", "meta"]


def test_a_paragraph_longer_than_a_page_is_cut_between_sentences():
    sentence = "The force should improve custody records for children."
    text = "Heading of the file\n\n" + " ".join([sentence] * 200) + "\n\nA short closing paragraph."
    paragraphs = [b for b in split_blocks(text) if b.kind == "paragraph"]
    parts = paragraphs[:-1]
    assert len(parts) == 4 and all(len(p.text) <= LONGEST and p.text.endswith(".") for p in parts)
    assert " ".join(p.text for p in parts) == " ".join([sentence] * 200)  # nothing lost, nothing doubled
    assert [p.paragraph for p in paragraphs] == [1, 2, 3, 4, 5]
    assert {p.section for p in parts} == {"Heading of the file"}
    unbroken = [b.text for b in split_blocks("word " * 1500) if b.kind == "paragraph"]
    assert [len(t) for t in unbroken] == [2999, 2999, 1499]  # no sentence end: cut between words
