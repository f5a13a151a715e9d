"""Whether a response accepts what it answers, read from its own words.

Government and police responses say it in a few set ways: "The Government
agrees with the Committee's recommendation", "accepts in principle", "does not
accept", "will consider", "There is existing compliance with the AFI". Every
sentence of the replies is read, and the first that says a verdict heads the
reading (the more particular phrase, when it has two: "accepts this
recommendation in principle"). A rejection stands, as a long reply often agrees
with something else after it ("The Government does not agree with the
Committee's view of the pledges. … The Government agrees that obesity is a
significant … problem"); an acceptance that it, or a sentence after it, takes
part of back ("but there are no plans to …", "is a matter for the regulator")
is partly accepted; so is a deferral ("will consider") beside something
accepted or done: the reply does part and defers the rest. A reply that says
no verdict, as many do ("The Government is committed to …", "There are
currently no plans to …"), is read from what it commits to and what it holds
back. The words that decided are kept, for a person to check.
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
             rf"{_AGREE}\s+(?:with\s+)?(?:the\s+|its\s+)?(?:\w+['’]s?\s+)?(?:spirit|intent|intention|thrust|principle"
             r"|aims?|objectives?|sentiment|ambitions?)(?:\s+(?:of|behind))?",  # "the Committee's aims"
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
               r"shares?\s+(?:the|its|their)\s+(?:\w+['’]s?\s+)?(?:view|concerns?)",  # "shares the Committee's view"
               r"(?:has|have)\s+been\s+(?:implemented|completed|actioned|discharged|achieved)",
               r"(?:is|are)\s+(?:now\s+)?(?:complete|completed|discharged)"],
    # "will consider" defers; "continue to explore", "in order to assess" say what is done, and why
    NOTED: [r"note[sd]?\s+(?:the|this|these|that)\s+(?:recommendations?|committee|report|conclusions?)",
            r"will\s+(?:further\s+|now\s+|carefully\s+)?(?:consider|explore|examine|look\s+(?:at|into))",
            r"under\s+(?:consideration|review)", r"(?:is|are)\s+(?:currently\s+|now\s+)?(?:considering|exploring)",
            r"(?:give|giving)\s+(?:careful\s+|further\s+)?consideration", r"will\s+respond"],
}
# what a reply commits to, and what it holds back: rules out, or passes to another or makes conditional
_COMMITTING = [r"will", r"(?:is|are)\s+committed\s+to", r"commits\s+to", r"continues?\s+to",
               r"(?:has|have)\s+(?:already\s+)?(?:appointed|introduced|established|launched|published|invested|made)",
               r"(?:has|have)\s+(?:already\s+)?been\s+(?:appointed|introduced|established|launched|published)",
               r"(?:has|have)\s+(?:already\s+)?(?:taken\s+(?:steps|action)|put\s+in\s+place|set\s+up|begun|started)",
               r"(?:work|steps)\s+(?:is|are)\s+(?:now\s+)?(?:ongoing|under\s*way|in\s+progress)",
               r"recognises?\s+the\s+(?:importance|need|value)", r"(?<!not\s)intends?\s+to",
               r"(?:is|are)\s+(?:actively\s+|already\s+|now\s+)?working\s+(?:with|to|on|towards)",
               r"(?:is|are)\s+(?:now\s+)?being\s+(?:addressed|implemented|progressed|delivered|taken\s+forward)"]
_NOT_YET = [r"not\s+(?:yet|currently)"]  # the state of the work: after an acceptance, not a qualification of it
_RULING_OUT = [r"no\s+(?:current\s+)?plans?", r"(?:does|do)\s+not\s+have\s+(?:any\s+)?plans",
               r"not\s+(?:be\s+)?(?:possible|appropriate|feasible|practical|necessary|the\s+right)",
               r"not\s+(?:\w+\s+)?at\s+(?:this|the\s+present)\s+time",
               r"(?:no|without\s+(?:the|any))\s+need\s+(?:for|to)",
               r"(?:does|do)\s+not\s+(?:believe|consider|think|intend|see)", r"unable\s+to",
               r"(?:we|government|force|department|constabulary|commissioner|I)\s+(?:cannot|can\s*not|can['’]t"
               r"|could\s+not)",
               r"(?:is|are)\s+not\s+intended", r"it\s+would\s+not\s+be",
               r"but\s+(?:it|this|that|we|they)\s+(?:is|are|do|does|will|would)\s*(?:not|n['’]t)"]
# the decision passed to another, or made conditional; in a PCC's response "an operational matter for the Chief
# Constable" names whom the recommendation is addressed to, and passes nothing
_HEDGING = [r"(?:is|are)\s+(?:a|an|entirely\s+a)?\s*(?:operational\s+)?matters?\s+for"
            r"(?!\s+(?:the\s+)?chief\s+constable)", r"operationally\s+independent",
            r"(?:sets?|decides?|determines?)\s+(?:its|their)\s+own", r"subject\s+to"]


def _any(phrases: list[str]) -> re.Pattern:
    return re.compile("|".join(rf"\b(?:{phrase})\b" for phrase in phrases), re.I)


_SAID = {status: _any(phrases) for status, phrases in _PHRASES.items()}
_COMMITS, _HEDGES = _any(_COMMITTING), _any(_HEDGING)
_RULES_OUT, _HOLDS_BACK = _any(_RULING_OUT + _NOT_YET), _any(_RULING_OUT)


def verdict(replies: list[str]) -> tuple[str, str | None]:
    """(status, the words that decided it) of the replies to one item, in reading order; no replies: NONE."""
    if not any(text.strip() for text in replies):
        return NONE, None
    pieces = [sentence for text in replies for sentence in sentences.of(text) or [text]]
    said = [_said(piece) for piece in pieces]
    first = next((n for n, found in enumerate(said) if found), None)
    if first is None:
        return _undeclared(" ".join(pieces))
    status, words = said[first]
    taken = next(filter(None, map(_taking_back, pieces[first:], said[first:])), None)
    done = next(filter(None, map(_done, pieces, said)), None)
    if status == ACCEPTED and taken:
        return PARTLY, f"{words} … {taken}"
    if status == NOTED and done:
        return PARTLY, f"{words} … {done}"
    return status, words


def _said(sentence: str) -> tuple[str, str] | None:
    """The verdict a sentence says, and its words; None when it says none."""
    said = {status: found for status, pattern in _SAID.items() if (found := pattern.search(sentence))}
    if ACCEPTED in said and REJECTED in said and \
            said[REJECTED].start() <= said[ACCEPTED].start() < said[REJECTED].end():
        del said[ACCEPTED]  # "does not agree with the Committee" agrees with nothing
    if ACCEPTED in said and REJECTED in said and PARTLY not in said:  # "agrees …, but does not accept …"
        return PARTLY, f"{said[ACCEPTED].group(0)} … {said[REJECTED].group(0)}"
    return next(((status, found.group(0)) for status, found in said.items()), None)


def _taking_back(sentence: str, said: tuple[str, str] | None) -> str | None:
    """The words by which a sentence of an acceptance, or one after it, takes part of it back: a refusal, a
    part accepted, a ruling out, or the decision passed to another. Not "not yet": after an acceptance that is
    how far the work has got; nor "will consider", which after one is more work, not less."""
    if said and said[0] in (PARTLY, REJECTED):
        return said[1]
    found = _HOLDS_BACK.search(sentence) or _HEDGES.search(sentence)
    return found.group(0) if found else None


def _done(sentence: str, said: tuple[str, str] | None) -> str | None:
    """What a sentence that defers nothing accepts or commits to, beside a deferral."""
    if said:
        return said[1] if said[0] in (ACCEPTED, PARTLY) else None
    found = _COMMITS.search(sentence)
    return found.group(0) if found else None


def _undeclared(text: str) -> tuple[str, str | None]:
    """A reply that says no verdict, read from what it commits to and what it holds back: both, partly
    accepted; commitments alone, accepted; a ruling out alone, rejected; the decision passed to another, or
    nothing of either, noted."""
    commits, held = _COMMITS.search(text), _RULES_OUT.search(text) or _HEDGES.search(text)
    if commits and held:
        return PARTLY, f"{commits.group(0)} … {held.group(0)}"
    if commits:
        return ACCEPTED, commits.group(0)
    if held:
        return (REJECTED if _RULES_OUT.search(text) else NOTED), held.group(0)
    return NOTED, None
