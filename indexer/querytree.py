"""A parsed keyword query as plain data, for an engine that is not whoosh to search.

``keyword.parse`` reads the query language with whoosh's parser and
``keyword.neutral`` turns the tree it gives into these nodes, so a second
engine translates a handful of dataclasses instead of reading the query
again. Words are already analysed (lower case, American spelling, stemmed);
a ``boost`` multiplies the score of what the node matches.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Term:
    """One analysed word in one field."""

    field: str
    text: str
    boost: float = 1.0


@dataclass(frozen=True)
class Phrase:
    """Words in order in one field, each at most ``slop`` positions after the one before (whoosh's
    meaning: 1 is side by side, 4 leaves up to three words between)."""

    field: str
    words: tuple[str, ...]
    slop: int = 1
    boost: float = 1.0


@dataclass(frozen=True)
class Or:
    """Any of ``children``, scores added; with ``scale``, whoosh's coordination bonus for each further
    word matched (None: none)."""

    children: tuple[Node, ...]
    boost: float = 1.0
    scale: float | None = None


@dataclass(frozen=True)
class And:
    """All of ``children``, scores added."""

    children: tuple[Node, ...]
    boost: float = 1.0


@dataclass(frozen=True)
class AndMaybe:
    """``required`` must match; ``optional`` adds its score where it matches too ("+custody children")."""

    required: Node
    optional: Node
    boost: float = 1.0


@dataclass(frozen=True)
class Require:
    """Both must match; only ``scored`` is scored ("custody REQUIRE knife")."""

    scored: Node
    required: Node
    boost: float = 1.0


@dataclass(frozen=True)
class Every:
    """Every paragraph: what a query of exclusions alone ("-custody") starts from."""

    boost: float = 1.0


@dataclass(frozen=True)
class Nothing:
    """No paragraph: a query of stop words alone."""

    boost: float = 1.0


Node = Term | Phrase | Or | And | AndMaybe | Require | Every | Nothing


def leaves(node: Node):
    """The Terms and Phrases of ``node``, in order."""
    if isinstance(node, (Term, Phrase)):
        yield node
    elif isinstance(node, (Or, And)):
        for child in node.children:
            yield from leaves(child)
    elif isinstance(node, AndMaybe):
        yield from leaves(node.required)
        yield from leaves(node.optional)
    elif isinstance(node, Require):
        yield from leaves(node.scored)
        yield from leaves(node.required)
