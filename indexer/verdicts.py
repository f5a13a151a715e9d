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
_PHRASES = {  # the phrases of each status; the more particular status first, where two match one sentence
    PARTLY: [rf"(?:partially|partly|in part)\s+{_AGREE}",
             rf"{_AGREE}(?:\s+\S+){{0,5}}?\s+in\s+(?:part|principle)",  # "accepts this recommendation in part"
             rf"{_AGREE}\s+(?:with\s+)?(?:the\s+|its\s+)?(?:spirit|intent|intention|thrust|principle|aims?|objectives?"
             r"|sentiment)\s+(?:of|behind)",
             r"agree(?:s|d)?\s+with\s+(?:some|parts?|elements|much)\s+of"],
    REJECTED: [r"(?:do|does|did|will|can|could)\s*(?:not|n['’]t)\s+(?:fully\s+)?(?:accept|agree|support|endorse)",
               r"(?:cannot|unable\s+to)\s+(?:accept|agree|support)", r"disagree(?:s|d)?", r"reject(?:s|ed)?",
               r"not\s+(?:been\s+)?accepted", r"declines?\s+(?:to|the)", r"is\s+not\s+(?:minded|persuaded)",
               r"(?:does|do)\s+not\s+(?:believe|consider|think)\s+(?:that\s+)?(?:it|this|there)\s+(?:is|would\s+be)\s+"
               r"(?:appropriate|necessary|right|desirable|feasible|needed|a\s+need)"],
    ACCEPTED: [rf"{_AGREE}\s+(?:with\s+)?(?:(?:this|the|these|that|all|each|its|their)\s+)?(?:\w+['’]s?\s+)?"
               r"(?:recommendations?|conclusions?|committee|proposals?|findings?|report)",
               r"(?:we|government|constabulary|force|department|commissioner|I)\s+(?:fully\s+)?(?:agree|accept)s?",
               r"(?:fully\s+)?accepted", r"welcomes?\s+(?:this|the)\s+recommendation",
               r"(?:already|fully)\s+(?:comply|complies|compliant|implemented|in\s+place|meets?|met|achieved)",
               r"(?:existing|full)\s+compliance",
               r"(?:has|have)\s+been\s+(?:implemented|completed|actioned|discharged|achieved)"],
    # "will consider" defers; "continue to explore", "in order to assess" say what is done, and why
    NOTED: [r"note[sd]?\s+(?:the|this|these|that)\s+(?:recommendations?|committee|report|conclusions?)",
            r"will\s+(?:further\s+|now\s+|carefully\s+)?(?:consider|explore|examine|look\s+(?:at|into))",
            r"under\s+(?:consideration|review)", r"(?:is|are)\s+(?:currently\s+|now\s+)?(?:considering|exploring)",
            r"(?:give|giving)\s+(?:careful\s+|further\s+)?consideration", r"will\s+respond"],
}
# no verdict said: what the reply commits to, and what it rules out
_COMMITTING = [r"will", r"(?:is|are)\s+committed\s+to", r"commits\s+to", r"continues?\s+to",
               r"(?:has|have)\s+(?:already\s+)?(?:appointed|introduced|established|launched|published|invested|made)",
               r"recognises?\s+the\s+(?:importance|need|value)"]
_RULING_OUT = [r"no\s+(?:current\s+)?plans?", r"(?:does|do)\s+not\s+have\s+(?:any\s+)?plans",
               r"not\s+(?:yet|currently|be\s+possible|possible|appropriate|feasible|practical|necessary)",
               r"(?:does|do)\s+not\s+(?:believe|consider|think|intend)",
               r"(?:is|are)\s+not\s+(?:intended|the\s+right)", r"it\s+would\s+not\s+be"]


def _any(phrases: list[str]) -> re.Pattern:
    return re.compile("|".join(rf"\b(?:{phrase})\b" for phrase in phrases), re.I)


_SAID = {status: _any(phrases) for status, phrases in _PHRASES.items()}
_COMMITS, _RULES_OUT = _any(_COMMITTING), _any(_RULING_OUT)


def verdict(replies: list[str]) -> tuple[str, str | None]:
    """(status, the words that decided it) of the replies to one item, in reading order; no replies: NONE."""
    if not any(text.strip() for text in replies):
        return NONE, None
    for text in replies:
        for sentence in sentences.of(text) or [text]:
            said = {status: found for status, pattern in _SAID.items() if (found := pattern.search(sentence))}
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
