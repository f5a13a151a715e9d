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
    ("The Government shares the Committee's view that the register should be public.", ACCEPTED,
     "shares the Committee's view"),
    ("The Department agrees with the Committee's aims.", PARTLY, "agrees with the Committee's aims"),
    ("The force has already taken steps to address this area for improvement.", ACCEPTED, "has already taken steps"),
    ("Work is under way to replace the custody software.", ACCEPTED, "Work is under way"),
    ("The constabulary is working with the council to open a second suite.", ACCEPTED, "is working with"),
    ("This area for improvement is being progressed through the vulnerability plan.", ACCEPTED, "is being progressed"),
    ("All four recommendations are now complete.", ACCEPTED, "are now complete"),
    ("A new escalation policy has been introduced.", ACCEPTED, "has been introduced"),
    ("The force intends to publish the figures.", ACCEPTED, "intends to"),
    ("The force does not intend to publish the figures.", REJECTED, "does not intend"),
    ("There is no need for a separate inspection regime.", REJECTED, "no need for"),
    ("Cars are part of the answer, but we do not think they are all of it; we will fund cycling too.", PARTLY,
     "will … but we do not"),
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


@pytest.mark.parametrize("replies, words", [
    # in a later paragraph, a ruling out; in the same sentence, a contrast that refuses; a condition; another decides
    (["The Department agrees with the recommendation.", "There are no plans to extend the scheme to Wales."],
     "Department agrees … no plans"),
    (["The Department agrees with the recommendation. A new regulator would not be the right vehicle."],
     "Department agrees … not be the right"),
    (["The force accepts the recommendation, but it would not be practical before April."],
     "force accepts … but it would not"),
    (["We accept the recommendation. A statutory register is not proposed at this time."],
     "We accept … not proposed at this time"),
    (["We accept the recommendation. We cannot publish the data monthly: the numbers are too small."],
     "We accept … We cannot"),
    (["The Government accepts the recommendation, subject to the outcome of the Spending Review."],
     "Government accepts … subject to"),
    (["We accept this recommendation. How the grant is spent is a matter for each local authority."],
     "We accept … is a matter for"),
])
def test_an_acceptance_that_takes_part_of_it_back_is_partly_accepted(replies, words):
    assert verdict(replies) == (PARTLY, words)


def test_an_acceptance_with_work_still_to_do_or_more_to_explore_stays_accepted():
    assert verdict(["The force accepts this recommendation. The training is not yet complete; it ends in June."]) == (
        ACCEPTED, "force accepts")
    assert verdict(["We agree with the Committee.", "We will also explore publishing the data monthly."]) == (
        ACCEPTED, "We agree")
    # before the acceptance, the deciding is another's; the acceptance after it is the reply's own
    assert verdict(["Budgets are a matter for each trust. The Government agrees with the Committee that staff need "
                    "training."]) == (ACCEPTED, "Government agrees")


def test_a_deferral_beside_something_accepted_or_done_is_partly_accepted():
    assert verdict(["The Home Office will consider a national standard. Meanwhile it has introduced guidance for "
                    "custody staff."]) == (PARTLY, "will consider … has introduced")
    assert verdict(["The Government will give further consideration to a levy.",
                    "The Government agrees that funding is too short-term."]) == (
        PARTLY, "give further consideration … Government agrees")
    # the same sentence's "will respond" is part of the deferral, not something done
    assert verdict(["The Department will consider the recommendation and will respond in the new year."]) == (
        NOTED, "will consider")


@pytest.mark.parametrize("reply, status, words", [
    ("Decisions on fees are a matter for the regulator, which the Department will continue to support.", PARTLY,
     "will … are a matter for"),
    ("The fund is operationally independent; the Department is working with it to raise awareness.", PARTLY,
     "is working with … operationally independent"),
    ("The institute sets its own research programme; officials will raise the idea with it.", PARTLY,
     "will … sets its own"),
    ("Whether to extend the pilot is a matter for the local authority.", NOTED, "is a matter for"),
    # to a PCC, the chief constable is whom the recommendation is addressed to: nothing is passed on
    ("This is an operational matter for the Chief Constable, who has introduced a new triage process.", ACCEPTED,
     "has introduced"),
])
def test_a_decision_passed_to_another_holds_back(reply, status, words):
    assert verdict([reply]) == (status, words)

