"""Whether a response accepts what it answers, read from its own words.

Government and police responses say it in a few set ways: "The Government
agrees with the Committee's recommendation", "accepts in principle", "does not
accept", "will consider", "There is existing compliance with the AFI". The
first sentence with such a phrase decides (the more particular phrase, when
it has two: "accepts this recommendation in principle"): the rest of a long
reply often agrees with something else ("The Government does not agree with the
Committee's view of the pledges. … The Government agrees that obesity is a
significant … problem"). A reply that says none of them, as many do ("The
Government is committed to …", "There are currently no plans to …"), is read
from what it commits to and what it rules out. The words that decided are kept,
for a person to check.
"""

from __future__ import annotations

import re

from . import sentences

ACCEPTED, PARTLY, REJECTED, NOTED, NONE = ("accepted", "partly accepted", "rejected", "noted / under consideration",
                                            "no response found")
STATUSES = (ACCEPTED, PARTLY, REJECTED, NOTED, NONE)

_AGREE = r"(?:accept|agree|support|endorse)(?:s|ed)?"
_SAID = [  # (status, pattern), the more particular first where two can match the same words
    (PARTLY, rf"\b(?:partially|partly|in part)\s+{_AGREE}|\b{_AGREE}\b(?:\s+\S+){{0,5}}?\s+in\s+(?:part|principle)\b"
             rf"|\b{_AGREE}\s+(?:with\s+)?(?:the\s+|its\s+)?(?:spirit|intent|intention|thrust|principle|aims?|"
             rf"objectives?|sentiment)\s+(?:of|behind)\b|\bagree(?:s|d)?\s+with\s+(?:some|parts?|elements|much)\s+of\b"),
    (REJECTED, rf"\b(?:do|does|did|will|can|could)\s*(?:not|n['’]t)\s+(?:fully\s+)?(?:accept|agree|support|endorse)\b"
               rf"|\b(?:cannot|unable\s+to)\s+(?:accept|agree|support)\b|\bdisagree(?:s|d)?\b|\breject(?:s|ed)?\b"
               rf"|\bnot\s+(?:been\s+)?accepted\b|\bdeclines?\s+(?:to|the)\b|\bis\s+not\s+(?:minded|persuaded)\b"
               r"|\b(?:does|do)\s+not\s+(?:believe|consider|think)\s+(?:that\s+)?(?:it|this|there)\s+(?:is|would\s+be)\s+"
               r"(?:appropriate|necessary|right|desirable|feasible|needed|a\s+need)\b"),
    (ACCEPTED, rf"\b{_AGREE}\s+(?:with\s+)?(?:(?:this|the|these|that|all|each|its|their)\s+)?(?:\w+['’]s?\s+)?"
               rf"(?:recommendations?|conclusions?|committee|proposals?|findings?|report)\b"
               rf"|\b(?:we|government|constabulary|force|department|commissioner|I|fully)\s+(?:fully\s+)?"
               rf"(?:agree|accept)s?\b|\b(?:fully\s+)?accepted\b|\bwelcomes?\s+(?:this|the)\s+recommendation\b"
               rf"|\b(?:already|fully)\s+(?:comply|complies|compliant|implemented|in\s+place|meets?|met|achieved)\b"
               rf"|\b(?:existing|full)\s+compliance\b|\b(?:has|have)\s+been\s+(?:implemented|completed|actioned|"
               rf"discharged|achieved)\b"),
    (NOTED, r"\bnote[sd]?\s+(?:the|this|these|that)\s+(?:recommendations?|committee|report|conclusions?)\b"
            r"|\b(?:will|to)\s+(?:further\s+)?(?:consider|explore|examine|assess)\b|\bunder\s+(?:consideration|review)\b"
            r"|\b(?:is|are)\s+(?:currently\s+)?(?:considering|exploring)\b|\bwill\s+respond\b"),
]
_SAID = [(status, re.compile(pattern, re.I)) for status, pattern in _SAID]
# no verdict said: what the reply commits to, and what it rules out
_COMMITS = re.compile(r"\b(?:will|(?:is|are)\s+committed\s+to|commits\s+to|continues?\s+to|(?:has|have)\s+(?:already\s+)?"
                      r"(?:appointed|introduced|established|launched|published|invested|made)|recognises?\s+the\s+"
                      r"(?:importance|need|value))\b", re.I)
_RULES_OUT = re.compile(r"\b(?:no\s+(?:current\s+)?plans?|not\s+(?:yet|currently|be\s+possible|possible|appropriate|feasible"
                        r"|practical|necessary)|(?:does|do)\s+not\s+(?:believe|consider|think|intend)|"
                        r"(?:is|are)\s+not\s+(?:intended|the\s+right)|rather\s+than|it\s+would\s+not\s+be)\b", re.I)


def verdict(replies: list[str]) -> tuple[str, str | None]:
    """(status, the words that decided it) of the replies to one item, in reading order; no replies: NONE."""
    if not any(text.strip() for text in replies):
        return NONE, None
    for text in replies:
        for sentence in sentences.of(text) or [text]:
            said = {status: match for status, pattern in _SAID for match in [pattern.search(sentence)] if match}
            if ACCEPTED in said and REJECTED in said and \
                    said[REJECTED].start() <= said[ACCEPTED].start() < said[REJECTED].end():
                del said[ACCEPTED]  # "does not agree with the Committee" agrees with nothing
            if ACCEPTED in said and REJECTED in said and PARTLY not in said:  # "agrees …, but does not accept …"
                return PARTLY, f"{said[ACCEPTED].group(0)} … {said[REJECTED].group(0)}"
            if said:
                status, match = next(iter(said.items()))
                return status, match.group(0)
    text = " ".join(replies)
    commits, rules_out = _COMMITS.search(text), _RULES_OUT.search(text)
    if commits and rules_out:
        return PARTLY, f"{commits.group(0)} … {rules_out.group(0)}"
    if commits:
        return ACCEPTED, commits.group(0)
    if rules_out:
        return REJECTED, rules_out.group(0)
    return NOTED, None
