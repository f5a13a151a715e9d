"""The domain's words: acronyms with their expansions, British and American spellings.

Staff type "JTAI Halton" where the letter says "joint targeted area
inspection", "kids in cells" where it says "children in custody", and
"behavior" where it says "behaviour". The lists are plain text files in this
folder, meant to be read and extended by people who know the domain:
``vocabulary.txt`` (``CSE: child sexual exploitation``, both ways, a trailing
``!`` on a short form that is also an English word, which then matches only
in capitals), ``everyday.txt`` (``kids: children; young people``, one way)
and ``spellings.txt`` (``organisation organization``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path

HERE = Path(__file__).parent


@dataclass(frozen=True)
class Term:
    short: str
    expansions: tuple[str, ...]
    capitals_only: bool  # "ACE", not "ace"


@dataclass(frozen=True)
class Expansion:
    """What a query said, and what was searched for as well."""

    said: str
    also: tuple[str, ...]


@cache
def terms(path: Path = HERE / "vocabulary.txt") -> tuple[Term, ...]:
    result = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        short, colon, rest = line.partition(":")
        expansions = tuple(e.strip() for e in rest.split(";") if e.strip())
        if not colon or not short.strip() or not expansions:
            raise ValueError(f"{path}, line {number}: expected 'SHORT: expansion; expansion'")
        short = short.strip()
        result.append(Term(short.rstrip("!"), expansions, short.endswith("!")))
    return tuple(result)


@cache
def spellings(path: Path = HERE / "spellings.txt") -> dict[str, str]:
    """British form -> American form, to fold both to one word in the keyword index."""
    pairs = {}
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        words = line.split("#", 1)[0].split()
        if not words:
            continue
        if len(words) != 2:
            raise ValueError(f"{path}, line {number}: expected 'british american'")
        pairs[words[0].lower()] = words[1].lower()
    return pairs


@cache
def british() -> dict[str, str]:
    """American form -> British form, to show a folded word as the letters spell it."""
    return {american: british for british, american in spellings().items()}


@cache
def everyday(path: Path = HERE / "everyday.txt") -> tuple[Term, ...]:
    """Everyday words and the official wording they stand for ("kids: children; young people")."""
    return terms(path)


# a term starts a word or follows the "-" that excludes it ("-CSE"), not a hyphen inside a word ("non-CSE")
_START = r"(?<!\w)(?<!\w-)"


def expansions(query: str) -> list[Expansion]:
    """The vocabulary entries a query mentions, by short form or by one of its expansions,
    and the official wording of the everyday words it uses (one way: "kids" -> "children")."""
    found = []
    lowered = " ".join(re.findall(r"[\w'’-]+", query.lower())).replace("’", "'")
    for term, pattern in _everyday_patterns():
        if pattern.search(lowered):
            found.append(Expansion(term.short, term.expansions))
    for term, pattern, spelled_out in _term_patterns():
        if pattern.search(query):
            found.append(Expansion(term.short, term.expansions))
            continue
        for expansion, expanded in spelled_out:
            if expanded.search(lowered):
                found.append(Expansion(expansion, (term.short,)))
                break
    return found


def _whole(words: str, flags: int = 0) -> re.Pattern:
    return re.compile(rf"{_START}{re.escape(words)}(?![\w-])", flags)


@cache
def _everyday_patterns() -> list[tuple[Term, re.Pattern]]:
    """Compiled once: the vocabulary has more patterns than ``re`` caches, so each query compiled them all."""
    return [(term, _whole(term.short)) for term in everyday()]


@cache
def _term_patterns() -> list[tuple[Term, re.Pattern, list[tuple[str, re.Pattern]]]]:
    return [(term, _whole(term.short, 0 if term.capitals_only else re.IGNORECASE),
             [(expansion, _whole(expansion)) for expansion in term.expansions]) for term in terms()]
