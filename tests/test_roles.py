"""Roles and labels of committee reports and the responses to them, read from their blocks."""

from indexer.records import Block
from indexer.roles import assign_roles


def blocks(*parts: tuple[str, str]) -> list[Block]:
    """Blocks as a reader makes them: ("heading", text) sets the section of the paragraphs after it."""
    result, section, number = [], None, 0
    for kind, text in parts:
        if kind == "heading":
            section = text
            result.append(Block("heading", text))
        else:
            number += 1
            result.append(Block("paragraph", text, section, number))
    return result


def roles(parts, doc_type="other") -> list[tuple[str, str | None]]:
    return [(b.role, b.label) for b in assign_roles(blocks(*parts), doc_type) if b.kind == "paragraph"]


def test_a_recommendations_chapter_holds_over_its_sub_headings_until_the_next_chapter():
    found = roles([
        ("heading", "CHAPTER 7: CASE STUDIES"), ("paragraph", "7.46. Although we welcome the fund, it is new."),
        ("heading", "CHAPTER 8: CONCLUSIONS AND RECOMMENDATIONS"), ("heading", "Role of Government scientists"),
        ("paragraph", "8.6. We recommend that the Government appoint a Chief Social Scientist."),
        ("heading", "Partnership working"),
        ("paragraph", "8.18. However, we have major doubts about voluntary agreements."),
        ("paragraph", "Voluntary agreements should be independently evaluated."),  # the rest of 8.18
        ("heading", "APPENDIX 1: LIST OF MEMBERS"), ("paragraph", "5. What should be classified as an intervention?"),
    ])
    assert found == [("other", None), ("recommendation", "Recommendation 8.6"),
                     ("recommendation", "Recommendation 8.18"), ("recommendation", "Recommendation 8.18"),
                     ("other", None)]


def test_a_chapter_in_capitals_numbers_its_items_plainly():
    found = roles([("heading", "SUMMARY OF CONCLUSIONS AND RECOMMENDATIONS"), ("heading", "A strategy for space"),
                   ("paragraph", "12. The Government should publish a plan for space."),
                   ("paragraph", "13. We recommend a minister for space.")])
    assert found == [("recommendation", "Recommendation 12"), ("recommendation", "Recommendation 13")]


def test_a_response_numbers_an_item_in_sequence_when_its_heading_is_lost_and_its_points_are_the_items():
    found = roles([
        ("heading", "Inquiry recommendation"),
        ("paragraph", "8.20. We recommend that the Government should:"),
        ("paragraph", "produce guidance for local authorities;"), ("paragraph", "take steps to share what works."),
        ("paragraph", "The Government agrees that local authorities should tailor their work."),
        ("heading", "Weight management"),  # the reply's heading, not the item's
        ("paragraph", "8.21. We recommend a review of weight management services."),
        ("paragraph", "The Department of Health has commissioned guidance."),
        ("paragraph", "8.40. A number far from the list is not an item."),
    ])
    assert found == [("recommendation", "Recommendation 8.20"), ("recommendation", "Recommendation 8.20"),
                     ("recommendation", "Recommendation 8.20"), ("other", "Recommendation 8.20"),
                     ("recommendation", "Recommendation 8.21"), ("other", "Recommendation 8.21"),
                     ("other", "Recommendation 8.21")]


def test_a_reply_that_opens_in_lower_case_after_an_item_without_a_colon_is_a_reply():
    found = roles([("heading", "Inquiry recommendation"),
                   ("paragraph", "8.5. We urge ministers to consult their advisers."),
                   ("paragraph", "agreed: ministers consult them already.")])
    assert found == [("recommendation", "Recommendation 8.5"), ("other", "Recommendation 8.5")]
