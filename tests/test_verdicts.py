"""A reply's status, read from its own words."""

import pytest

from indexer.verdicts import ACCEPTED, NONE, NOTED, PARTLY, REJECTED, verdict


@pytest.mark.parametrize("reply, status, words", [
    ("The Government agrees with the Committee's recommendation.", ACCEPTED, "Government agrees"),
    ("We accept this recommendation and will publish the figures in May.", ACCEPTED, "We accept"),
    ("There is existing compliance with the AFI.", ACCEPTED, "existing compliance"),
    ("This recommendation has been implemented across the force.", ACCEPTED, "has been implemented"),
    ("The Government accepts this recommendation in principle.", PARTLY, "accepts this recommendation in principle"),
    ("The force accepts the recommendation in part: it will train custody staff.", PARTLY,
     "accepts the recommendation in part"),
    ("The Department supports the intent of the recommendation.", PARTLY, "supports the intent of"),
    ("The Government does not accept this recommendation.", REJECTED, "does not accept"),
    ("The Government does not agree with the Committee's view of the pledges.", REJECTED, "does not agree"),
    ("The Government does not believe that it is appropriate to set targets.", REJECTED,
     "does not believe that it is appropriate"),
    ("The Department will consider the recommendation when it reviews the fund.", NOTED, "will consider"),
    ("The matter is under review with the local authority.", NOTED, "under review"),
])
def test_each_status_and_the_words_that_decided_it(reply, status, words):
    assert verdict([reply]) == (status, words)


def test_the_first_sentence_that_says_decides():
    rejected_first = ["The Government does not agree with the Committee's view. The Government agrees that obesity "
                      "is an urgent problem."]
    assert verdict(rejected_first) == (REJECTED, "does not agree")
    # the first reply paragraph says nothing decisive, the second does
    assert verdict(["Food labelling is an area of EU competence.", "We accept the recommendation."]) == (
        ACCEPTED, "We accept")
    assert verdict(["The Government agrees with the aim, but does not accept that a target is needed."])[0] == PARTLY


def test_a_reply_that_says_no_verdict_is_read_from_what_it_commits_to_and_rules_out():
    assert verdict(["The Constabulary will ensure that an assessment is made."]) == (ACCEPTED, "will")
    assert verdict(["We will continue to fund the scheme. There are currently no plans to extend it."])[0] == PARTLY
    assert verdict(["Food labelling is an area of EU competence."]) == (NOTED, None)


def test_no_reply_is_no_response():
    assert verdict([]) == (NONE, None) and verdict(["  "]) == (NONE, None)
