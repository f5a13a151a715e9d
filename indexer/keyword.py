"""The keyword side: a whoosh BM25F index over paragraph text, section, title and context.

This is the only module that imports whoosh (little maintained, so kept behind
one door). Natural-language queries are OR queries with a bonus for matching
more words and for finding them close together, so "what did we say about
custody detention" does not require every word; question words are stop
words. Quoted phrases, AND / OR / NOT, +required / -excluded words and
prefixes ("custod*") keep their usual meaning. Such a query is *strict*:
only paragraphs that satisfy it match, and ``Reader.matches`` says which, so
the semantic side can honour it too. British and American spellings are folded to one form in the
index and in queries, and vocabulary expansions ("JTAI" -> "joint targeted
area inspection") are searched as alternatives.
"""

from __future__ import annotations

import copy
import functools
import math
import re
import shutil
import string
import sys
import threading
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import NamedTuple

import numpy as np
from whoosh import index as whoosh_index
from whoosh import collectors, qparser, query, scoring
from whoosh.analysis import STOP_WORDS, Filter, LowercaseFilter, RegexTokenizer, StemFilter, StopFilter
from whoosh.fields import ID, TEXT, Schema

from . import deadline, postings, querytree, spelling, vocabulary
from .errors import QueryError
from .records import Paragraph
from .vocabulary import Expansion

# How people ask, not what they ask about: "what did we say about ...".
QUESTION_WORDS = frozenset(
    "about any did do does done had has how i me my our ours regarding said say says tell there they "
    "was were what whats which who whom why where".split()
)
FIELD_BOOSTS = {"text": 1.0, "section": 0.5, "title": 0.3, "context": 0.3}
PROXIMITY = {"slop": 4, "boost": 0.5}  # a bonus when the query's words occur within a few words of each other
BM25 = {"B": 0.75, "K1": 1.2}  # whoosh's defaults
COMPLETIONS = 50  # the most frequent words a prefix stands for: "con*" would be hundreds


class SpellingFilter(Filter):
    """British spellings to American, so "behaviour" and "behavior" are one word."""

    def __call__(self, tokens):
        table = vocabulary.spellings()
        for token in tokens:
            token.text = table.get(token.text, token.text)
            yield token


# Single letters go, single digits stay: "Recommendation 9" and "AFI 2" are how people cite.
ANALYZER = (RegexTokenizer() | LowercaseFilter() | SpellingFilter()
            | StopFilter(stoplist=STOP_WORDS | QUESTION_WORDS | set(string.ascii_lowercase), minsize=1)
            | (_STEMMER := StemFilter()))
SCHEMA = Schema(
    key=ID(stored=True, unique=True),
    doc_id=ID(stored=True),
    text=TEXT(analyzer=ANALYZER, phrase=True, spelling=True),  # keeps unstemmed words for suggestions
    section=TEXT(analyzer=ANALYZER, phrase=True),
    title=TEXT(analyzer=ANALYZER, phrase=True),
    context=TEXT(analyzer=ANALYZER, phrase=True),
)


ROWS = "rows.npy"  # whoosh document number -> paragraph row of the generation (-1: deleted)
ENGINES = ("whoosh", "tantivy")
INCREMENTAL = True  # build() updates a copy of the previous generation's index


def engine(name: str):
    """The module that builds and opens keyword indexes of engine ``name`` (one of ENGINES): this one for
    whoosh, ``keyword_tantivy`` for tantivy. Both offer ``INCREMENTAL``, ``build`` and ``KeywordIndex``."""
    if name == "tantivy":
        from . import keyword_tantivy

        return keyword_tantivy
    if name != "whoosh":
        raise ValueError(f"unknown keyword engine {name!r}; use one of {', '.join(ENGINES)}")
    return sys.modules[__name__]


_WORD = re.compile(RegexTokenizer().expression.pattern)
_STOPPED = frozenset(STOP_WORDS | QUESTION_WORDS | set(string.ascii_lowercase))


def words(text: str) -> list[tuple[str, str, int, int]]:
    """(spelled, stemmed, start, end) of each word ANALYZER keeps of ``text``, the same words, read
    without its chain of token objects: several times faster, and highlighting reads every result's
    text (``tests/test_keyword.py`` holds the two to agreeing)."""
    table, stem, found = vocabulary.spellings(), _STEMMER._stem, []
    for match in _WORD.finditer(text):
        word = match.group().lower()
        word = table.get(word, word)
        if word not in _STOPPED:
            found.append((word, stem(word), match.start(), match.end()))
    return found


def spelled_and_stemmed(text: str) -> tuple[list[str], list[str]]:
    """The words of ``text`` as ANALYZER gives them without stemming (what suggestions and completions
    offer) and with it (what is searched), in one pass."""
    found = words(text)
    return [spelled for spelled, _, _, _ in found], [stemmed for _, stemmed, _, _ in found]


def analysed(paragraphs: Iterable[Paragraph], contexts: dict[str, str]) -> Iterator[tuple[Paragraph, list[str],
                                                                                      dict[str, tuple[str, ...]]]]:
    """Each paragraph with the words of its text unstemmed, and each field's words as searched: what
    both engines index and the postings hold. A document's title and context are analysed once."""
    stemmed = functools.lru_cache(maxsize=4096)(lambda text: tuple(s for _, s, _, _ in words(text)))
    for p in paragraphs:
        spelled, text = spelled_and_stemmed(p.text)
        yield p, spelled, {"text": tuple(text), "section": stemmed(p.section or ""), "title": stemmed(p.title),
                           "context": stemmed(contexts.get(p.doc_id, ""))}


def write_postings(folder: Path, found: postings.Writer, rows: dict[str, int], previous: Path | None) -> None:
    """The postings of a keyword index in ``folder``: those ``found`` of the paragraphs indexed now, and
    the ``previous`` index's of the others still in ``rows``."""
    found.write(folder / postings.FOLDER, sorted(rows, key=rows.__getitem__),
                previous / postings.FOLDER if previous else None)


def build(folder: Path, paragraphs: list[Paragraph], contexts: dict[str, str], rows: dict[str, int],
          previous: Path | None = None, remove: set[str] = frozenset()) -> list[str]:
    """Write the keyword index of a new generation into ``folder``; returns the key of every live entry,
    for the caller to check against its vectors before the generation goes live.

    ``contexts`` gives each document's searchable metadata (author, area,
    year…), indexed with each of its paragraphs. With ``previous`` (the last
    generation's index), copy it and change only what changed: drop the
    paragraphs of the ``remove`` documents, then add ``paragraphs``. Without
    it, index ``paragraphs`` from scratch. ``rows`` gives every paragraph's row
    in the new generation: searches answer in rows, so that a page of results
    never loads the stored fields of every match.
    """
    if previous is None:
        folder.mkdir(parents=True)
        ix = whoosh_index.create_in(str(folder), SCHEMA)
    else:
        shutil.copytree(previous, folder, ignore=lambda at, names: [postings.FOLDER] if at == str(previous) else [])
        ix = whoosh_index.open_dir(str(folder))
    found = postings.Writer()
    with ix.writer() as writer:
        for doc_id in sorted(remove):
            writer.delete_by_term("doc_id", doc_id)
        for p, _, fields in analysed(paragraphs, contexts):
            writer.add_document(key=p.key, doc_id=p.doc_id, text=p.text, section=p.section or "", title=p.title,
                                context=contexts.get(p.doc_id, ""))
            found.add(rows[p.key], fields)
    write_postings(folder, found, rows, previous)
    with ix.searcher() as searcher:
        reader = searcher.reader()
        numbers = np.full(reader.doc_count_all(), -1, dtype=np.int64)
        keys = []
        for docnum, fields in reader.iter_docs():
            numbers[docnum] = rows.get(fields["key"], -1)
            keys.append(fields["key"])
    np.save(folder / ROWS, numbers)
    return keys


class Parsed(NamedTuple):
    """A query split into what to match and what to exclude (None: nothing).

    ``strict`` is True when the user said what must (not) match: a phrase,
    AND, OR, NOT, +word, -word, field:word or prefix*; the proximity bonus and
    expansions do not count.
    ``words`` are the analysed words the user typed (expansions excluded);
    ``aliases`` maps each analysed word of an expansion to the typed words it
    stands for, so a paragraph saying "children" has the "kids" of the query.
    """

    positive: query.Query
    negative: query.Query | None
    strict: bool
    words: frozenset[str]
    aliases: dict[str, frozenset[str]] = {}


def parse(text: str, expansions: list[Expansion] = ()) -> Parsed:
    """The whoosh query for ``text``, with each expansion's alternatives and the proximity bonus.

    A prefix ("custod*") is searched as the words ``Reader.completions`` found
    for it, given here among the expansions.
    """
    parser = qparser.MultifieldParser(
        list(FIELD_BOOSTS), SCHEMA, fieldboosts=FIELD_BOOSTS, group=qparser.OrGroup.factory(0.9), phraseclass=_Phrase
    )
    parser.remove_plugin_class(qparser.WildcardPlugin)  # "custody?" is a question, not a pattern
    parser.remove_plugin_class(qparser.RangePlugin)  # "[a TO z]" is not how people search paragraphs
    # nor are "custody^9" (a boost: "^" followed by 400 nines scored every match infinity) or "*:*";
    # "~" is punctuation ("custody~2" is not fuzzy, nor '"two words"~9' a proximity: tantivy overflowed on ~99999999999)
    parser.remove_plugin_class(qparser.BoostPlugin)
    parser.remove_plugin_class(qparser.EveryPlugin)
    parser.replace_plugin(qparser.PhrasePlugin(expr='"(?P<text>.*?)"(?P<slop>(?!))?'))
    # only the four searched fields are field names: "key:…" and "doc_id:…" are words
    parser.replace_plugin(qparser.FieldsPlugin(expr=rf"(?<!\w)(?P<text>{'|'.join(FIELD_BOOSTS)}):"))
    # + only at the start of a word, a phrase or a group: "well-being+" is not an operator
    parser.add_plugin(qparser.PlusMinusPlugin(plusexpr=r'(?:(?<=\s)|^)\+(?=[\w"(])', minusexpr=r"(?!)"))
    if doubled := _DOUBLED.search(text):
        raise QueryError(f"q: cannot read the operators of {doubled.group(0)!r} (two in a row, or a + inside "
                         "brackets); simplify them: one - leaves a word out, one + outside brackets requires it")
    has_prefix, text = bool(prefixes(text)), _plain(text)
    try:
        tree = parser.parse(text, normalize=False)
        strict = has_prefix or _has_operator(parser.tag(text))
    except Exception:  # whoosh's parser fails in many ways on operators it cannot place: "NOT NOT x", "(+x)"
        raise QueryError(f"q: cannot read the operators of {text[:80]!r} (an AND, OR or NOT with no word to act "
                         "on); simplify them, or write and, or, not in lower case "
                         "to search for the words") from None
    positive, negative = _split_exclusions(tree)
    words = frozenset(word for term in _positive_terms(positive) for word in term)
    extra = []
    if strict:
        # the expansion goes beside its acronym, in its field, so "JTAI AND Warrington" keeps its AND
        # and "title:JTAI" stays in the title; a spelled-out term's acronym would loosen the constraint
        beside: dict[str, tuple[str, ...]] = {}
        for e in expansions:
            if len(said := _said(e)) == 1:
                beside[said[0]] = beside.get(said[0], ()) + e.also
        positive = positive.accept(lambda node: _with_alternative(node, beside, parser))
        if negative is not None:  # "-custod*" excludes what "custod*" finds
            negative = negative.accept(lambda node: _with_alternative(node, beside, parser))
    else:
        extra = [parser.parse(f'"{alternative}"') for e in expansions for alternative in e.also]
        in_order = list(dict.fromkeys(_text(t) for f, t in positive.iter_all_terms() if f == "text"))
        if len(in_order) > 1:
            extra.append(_Phrase("text", in_order, **PROXIMITY))
    extra = [q for q in extra if q is not query.NullQuery]
    aliases: dict[str, set[str]] = {}
    for e in expansions:
        said = set(_said(e)) & words
        for alternative in e.also:
            for t in ANALYZER(alternative):
                aliases.setdefault(t.text, set()).update(said)
    aliases = {word: frozenset(said) for word, said in aliases.items() if said}
    return Parsed(query.Or([positive, *extra]) if extra else positive, negative, strict, words, aliases)


class _Phrase(query.Phrase):
    """A phrase that looks at the query's budget (``deadline``) before it is matched: whoosh reads the
    positions of the paragraphs holding all its words until it finds the first match, as it makes the
    matcher, 50 ms for a phrase of two common words at 10,000 paragraphs."""

    def matcher(self, searcher, context=None):
        deadline.check("checking phrases")
        return super().matcher(searcher, context)


def _said(e: Expansion) -> list[str]:
    """The analysed words an expansion stands for: "custod*" is the word "custod"."""
    return [t.text for t in ANALYZER(e.said.rstrip("*"))]


_PREFIX = re.compile(r'(?<![\w*"])(\w{3,})\*+(?=[\s)]|$)')


def prefixes(text: str) -> list[str]:
    """The words of ``text`` typed as prefixes, lower case: "custod*" outside quotes, three letters or more."""
    bare = re.sub(r'"[^"]*"', " ", _straight_quotes(text))
    return list(dict.fromkeys(m.group(1).lower() for m in _PREFIX.finditer(bare)))


def nesting(text: str) -> int:
    """How deep the brackets of ``text`` go, outside quotes: "(a OR (b c))" is 2."""
    deepest = depth = 0
    for c in re.sub(r'"[^"]*"', " ", _straight_quotes(text)):
        if c in "()":
            depth = depth + 1 if c == "(" else max(0, depth - 1)
            deepest = max(deepest, depth)
    return deepest


def _straight_quotes(text: str) -> str:
    """Curly quotes as straight ones: pasted from Word, they still make a phrase."""
    return text.translate(str.maketrans({"\u201c": '"', "\u201d": '"', "\u201e": '"'}))


# - or + at the start of a word, a phrase or a group: "multi-agency" is not "multi NOT agency"
_STARTS = r'(?:(?<=[\s(])|^)'
_MINUS = re.compile(rf'{_STARTS}-(?=[\w"(])')
_DOUBLED = re.compile(rf'{_STARTS}[-+]{{2,}}[\w"(]\S*|\(\s*\+[\w"(]\S*')
# what a query excludes: NOT or a leading - before a word, a "phrase" or a (group)
_EXCLUDED = re.compile(rf'(?:\bNOT\s+|{_STARTS}-(?=[\w"(]))(?:"[^"]*"?|\([^)]*\)?|[^\s)]+)')
# how a query is put, not what it is about: operators, field names, brackets, quotes, prefix stars
_SYNTAX = re.compile(rf'\b(?:AND|OR|ANDNOT|ANDMAYBE|REQUIRE)\b|(?i:\b(?:{"|".join(FIELD_BOOSTS)}):)|[()"+*]')


def without_exclusions(text: str) -> str:
    """``text`` less what it excludes: "children NOT custody" asks about children."""
    return _EXCLUDED.sub(" ", text)


def without_syntax(text: str) -> str:
    """``text`` less its operators, field names, brackets, quotes and prefix stars: its words alone."""
    return _SYNTAX.sub(" ", text)


def _plain(text: str) -> str:
    """Straight quotes, field names in any case ("Title:"), each -word as NOT word (whoosh reads a
    - only outside brackets), no * (a prefix is searched through its completions, and a * elsewhere
    is not a pattern) and no ? ending a word (habit, not syntax)."""
    text = _MINUS.sub("NOT ", _straight_quotes(text)).replace("*", "")
    text = re.sub(rf"(?<![\w:])({'|'.join(FIELD_BOOSTS)}):", lambda m: m.group(0).lower(), text, flags=re.I)
    return re.sub(r"(?<=\w)\?+(?=[\s)\"]|$)", "", text)


def _with_alternative(node: query.Query, beside: dict[str, tuple[str, ...]], parser) -> query.Query:
    """``node`` or'ed with the expansions of its word when it is one word, searched in its own field."""
    if isinstance(node, query.Term) and (alternatives := beside.get(_text(node.text))):
        phrases = [parser.parse(f'{node.fieldname}:"{alternative}"') for alternative in alternatives]
        return query.Or([node, *(q.with_boost(node.boost) for q in phrases if q is not query.NullQuery)])
    return node


def _split_exclusions(q: query.Query) -> tuple[query.Query, query.Query | None]:
    """Pull every NOT / -word out of the (not yet normalised) query, to be applied as a search mask.

    An exclusion excludes wherever it stands, as in a web search: "crime NOT
    Halton OR Warrington" and "children (-custody)" leave out every paragraph
    with Halton or custody. Left in place, whoosh's OR would keep them (an OR
    with a NOT matches almost everything), and its AndNot matcher lets excluded
    documents through (whoosh-reloaded 2.7.5); ``mask`` is reliable.
    Normalising first would turn "-custody" (nothing AND NOT custody) into a
    query that matches nothing.
    """
    positive, negatives = _lift_exclusions(q)
    if any(_excludes(negative) for negative in negatives):
        raise QueryError("q: cannot read an exclusion inside an exclusion, as in -(-custody) or NOT (a NOT b); "
                         "say once what to leave out")
    positive = query.Every() if positive is None else positive.normalize()
    if not negatives:
        return positive, None
    return (query.Every() if positive is query.NullQuery else positive), query.Or(negatives).normalize()


def _lift_exclusions(q: query.Query) -> tuple[query.Query | None, list[query.Query]]:
    """``q`` without its NOTs (None when nothing else is left), and what they exclude."""
    if isinstance(q, query.Not):
        return None, [q.query]
    if isinstance(q, query.AndNot):
        positive, negatives = _lift_exclusions(q.a)
        return positive, [*negatives, q.b]
    if isinstance(q, query.BinaryQuery):  # +word (Require, AndMaybe)
        (a, from_a), (b, from_b) = _lift_exclusions(q.a), _lift_exclusions(q.b)
        kept = copy.copy(q)
        kept.a, kept.b = a, b
        return (kept if a is not None and b is not None else a or b), from_a + from_b
    if isinstance(q, query.CompoundQuery):
        lifted = [_lift_exclusions(child) for child in q.subqueries]
        kept = copy.copy(q)
        kept.subqueries = [child for child, _ in lifted if child is not None]
        emptied = not kept.subqueries and any(child is None for child, _ in lifted)  # "(-custody)"
        return (None if emptied else kept), [n for _, negatives in lifted for n in negatives]
    return q, []


def _excludes(q: query.Query) -> bool:
    """Whether ``q`` holds a NOT."""
    return isinstance(q, (query.Not, query.AndNot)) or any(_excludes(child) for child in q.children())


# what the parser tags when the user typed an operator or a phrase
_OPERATORS = ("Plus", "Minus", "InfixOperator", "PrefixOperator", "PostfixOperator", "PhraseNode")


def _has_operator(group) -> bool:
    """Whether the tagged query holds an operator, a phrase or a field name put to use: decided
    before whoosh simplifies a one-word phrase, a lone +word or an explicit OR into a plain word.
    "Re: custody" names no field, and "title: custody" gives the field no word: both are words."""
    nodes = getattr(group, "nodes", ())
    for node, following in zip(nodes, [*nodes[1:], None]):
        kind = type(node).__name__
        if kind == "FieldnameNode":
            if node.fieldname in FIELD_BOOSTS and following is not None and type(following).__name__ != "Whitespace":
                return True
        elif kind in _OPERATORS or _has_operator(node):
            return True
    return False


class KeywordIndex:
    """An opened whoosh index, read through one ``Reader`` per query (which keeps it safe across threads)."""

    def __init__(self, folder: Path):
        self._ix = whoosh_index.open_dir(str(folder))
        self._local = threading.local()  # whoosh searchers are not to be shared between threads
        self._rows = np.load(folder / ROWS)
        self._docnums = np.zeros(int(self._rows.max(initial=-1)) + 1, dtype=np.int64)  # row -> document number
        self._docnums[self._rows[self._rows >= 0]] = np.flatnonzero(self._rows >= 0)
        self._postings = postings.Postings(folder / postings.FOLDER)
        self._nearest: spelling.Nearest | None = None
        self._nearest_lock = threading.Lock()

    @property
    def doc_count(self) -> int:
        return self._ix.doc_count()

    def nearest(self, searcher) -> spelling.Nearest:
        """The words of paragraph text for spelling suggestions, read from ``searcher`` on first use: once
        for the generation, not once for each query."""
        with self._nearest_lock, deadline.paused():
            if self._nearest is None:
                reader = searcher.reader()
                words = [_text(w) for w in reader.lexicon("spell_text")]
                self._nearest = spelling.Nearest(words, [reader.frequency("text", w) for w in words])
            return self._nearest

    @contextmanager
    def reader(self) -> Iterator[Reader]:
        """The searcher of this thread, opened on first use and kept: opening one reads the term tables (tens
        of milliseconds at 100,000 paragraphs), and a generation never changes once it is published."""
        searcher = getattr(self._local, "searcher", None)
        if searcher is None:
            with deadline.paused():
                searcher = self._local.searcher = self._ix.searcher(weighting=scoring.BM25F(**BM25))
        yield Reader(searcher, self._rows, self._docnums, self._postings, lambda: self.nearest(searcher))


class WordLookups:
    """What a reader says about the words of a query and where they stand, the same for every engine:
    each engine's ``Reader`` subclasses this and answers the look-ups it rests on in its own way."""

    _postings: postings.Postings

    def matches(self, q: Parsed) -> np.ndarray:
        """The rows of every paragraph the query matches, in row order: read from the postings, so
        counting a hundred thousand matches costs a millisecond or two (see ``postings``)."""
        found = self._postings.matching(neutral(q.positive), self._phrase_rows)
        if q.negative is not None:
            found &= ~self._postings.matching(neutral(q.negative), self._phrase_rows)
        return np.flatnonzero(found)

    def _phrase_rows(self, phrase: querytree.Phrase, candidates: np.ndarray) -> np.ndarray:
        """The mask of the ``candidates`` (a mask over rows, each having all the phrase's words) where
        the words stand as ``phrase`` says."""
        raise NotImplementedError

    def _frequency(self, field: str, word: str) -> int:
        """The paragraphs whose ``field`` holds the analysed ``word``."""
        raise NotImplementedError

    def _spelled(self, prefix: str) -> dict[str, int]:
        """Each word of paragraph text, unstemmed, that begins with ``prefix``: the paragraphs holding it."""
        raise NotImplementedError

    def _spelled_frequency(self, word: str) -> int:
        """The paragraphs whose text holds ``word``, unstemmed."""
        raise NotImplementedError

    def _nearest(self, word: str, maxdist: int) -> str | None:
        """The unstemmed word of paragraph text within ``maxdist`` edits of ``word`` that whoosh's
        corrector would offer, or None."""
        raise NotImplementedError

    def _count(self) -> int:
        """The paragraphs of the index."""
        raise NotImplementedError

    def scope_words(self, text: str) -> set[str]:
        """The words of ``text`` that only the context field has ("Dwyer", "2023"): a scope, not a topic."""
        scope = set()
        for token in ANALYZER(text, chars=True, mode="query"):
            if self._frequency("context", token.text) and not any(
                    self._frequency(field, token.text) for field in ("text", "section", "title")):
                scope.add(text[token.startchar:token.endchar])
        return scope

    def completions(self, text: str) -> list[Expansion]:
        """Each prefix of ``text`` ("custod*") with the COMPLETIONS most frequent words of paragraph text
        that begin with it, in either spelling: "organis*" finds "organisations", which the index
        folded to "organizations"."""
        british, found = vocabulary.british(), []
        for prefix in prefixes(text):
            deadline.check("completing prefixes")
            counts = self._spelled(prefix)
            counts.update((american, count) for american, spelled in british.items()
                          if spelled.startswith(prefix) and american not in counts
                          and (count := self._spelled_frequency(american)))
            frequent = sorted(counts, key=lambda w: (-counts[w], w))[:COMPLETIONS]
            shown = sorted({british[w] if british.get(w, "").startswith(prefix) else w for w in frequent})
            if shown:
                found.append(Expansion(f"{prefix}*", tuple(shown)))
        return found

    def warm(self) -> None:
        """Read what suggesting a spelling needs, so the first misspelt query is as fast as the rest."""
        self._nearest("", 0)

    def suggest(self, text: str) -> str | None:
        """``text`` with each word the index has never seen replaced by the nearest one it has, or None;
        operators, field names, prefixes, numbers and acronyms stay as they are."""
        corrected, changed = text, False
        # the tokenizer reuses one token object, so take what is needed as it goes
        words = [(t.text, t.startchar, t.endchar) for t in RegexTokenizer()(text, chars=True)]
        for word, start, end in reversed(words):
            deadline.check("respelling the query")
            stems = [t.text for t in ANALYZER(word)]
            if len(word) < 4 or not stems or word.isupper() or "*" in word or text[end:end + 1] == ":" or any(
                    c.isdigit() for c in word) or any(self._frequency(field, stem)
                                                      for field in FIELD_BOOSTS for stem in stems):
                continue
            # two edits only in long words: "station" is not a misspelling of "situation"
            found = self._nearest(word.lower(), 1 if len(word) < 8 else 2)
            if found:
                corrected = corrected[:start] + found + corrected[end:]
                changed = True
        return corrected if changed else None

    def rarity(self, q: Parsed) -> float:
        """How rare the query's rarest word is in paragraph text, 0 to 1: its IDF over a one-paragraph word's.

        BM25 over common words alone ("who produced the most films") ranks little
        better than chance; hybrid search leaves such a query to the semantic side.
        1 when no word of the query occurs in paragraph text: nothing to judge by.
        The IDF is whoosh's, log(N / (df + 1)) + 1, whatever the engine.
        """
        count = self._count()
        idfs = [math.log(count / (df + 1)) + 1 for word in q.words if (df := self._frequency("text", word))]
        return max(idfs) / (math.log(count / 2) + 1) if idfs else 1.0


class Reader(WordLookups):
    """The keyword index as one query sees it; paragraphs are named by their row in the generation."""

    def __init__(self, searcher, rows: np.ndarray, docnums: np.ndarray, found: postings.Postings,
                 nearest: Callable[[], spelling.Nearest]):
        self._searcher = searcher
        self._rows = rows
        self._docnums = docnums
        self._postings = found
        self._spelling = nearest

    def _frequency(self, field: str, word: str) -> int:
        return self._searcher.doc_frequency(field, word)

    def _spelled(self, prefix: str) -> dict[str, int]:
        reader = self._searcher.reader()
        return {_text(w): reader.doc_frequency("spell_text", w) for w in reader.expand_prefix("spell_text", prefix)}

    def _spelled_frequency(self, word: str) -> int:
        return self._searcher.doc_frequency("spell_text", word)

    def _nearest(self, word: str, maxdist: int) -> str | None:
        return self._spelling()(word, maxdist)

    def _count(self) -> int:
        return self._searcher.doc_count_all()

    def search(self, q: Parsed, limit: int, allowed: np.ndarray | None = None) -> list[tuple[int, float, frozenset[str]]]:
        """(row, BM25F score, the query's words it has) of the best ``limit`` matches, best first; only
        among the rows ``allowed`` (a mask over rows) when given."""
        only = None if allowed is None else set(self._docnums[np.flatnonzero(allowed)].tolist())
        if only is not None and not only:
            return []  # whoosh reads an empty filter as none
        # as searcher.search(q.positive, limit=limit, mask=q.negative, filter=only, terms=True), with the
        # budget looked at as the matches are scored: 10 common words took 1.5 s at 10,000 paragraphs
        found = collectors.FilterCollector(collectors.TermsCollector(_Timed(self._searcher.collector(limit=limit))),
                                           only, q.negative)
        self._searcher.search_with_collector(q.positive, found)
        return [(int(self._rows[hit.docnum]), hit.score, _typed(hit.matched_terms(), q)) for hit in found.results()]

    def _phrase_rows(self, phrase: querytree.Phrase, candidates: np.ndarray) -> np.ndarray:
        q = _Phrase(phrase.field, list(phrase.words), slop=phrase.slop)
        found = np.zeros(len(candidates), dtype=bool)
        docs = deadline.checked(self._searcher.docs_for_query(q), "checking phrases")
        found[self._rows[np.fromiter(docs, dtype=np.int64)]] = True
        return found & candidates


class _Timed(collectors.WrappingCollector):
    """A collector whose matches look at the query's budget (``deadline``) as they are scored."""

    def matches(self):
        return deadline.checked(self.child.matches(), "scoring the keyword matches")


def neutral(q: query.Query) -> querytree.Node:
    """``q``, a tree of what ``parse`` builds, as plain data (``querytree``) for another engine to search;
    raises ValueError for a kind of node ``parse`` never makes."""
    boost = q.boost
    if q is query.NullQuery:
        return querytree.Nothing()
    if isinstance(q, query.Term):
        return querytree.Term(q.fieldname, _text(q.text), boost)
    if isinstance(q, query.Phrase):
        return querytree.Phrase(q.fieldname, tuple(_text(word) for word in q.words), q.slop, boost)
    if isinstance(q, query.Every):
        return querytree.Every(boost)
    if isinstance(q, query.Require):
        return querytree.Require(neutral(q.a), neutral(q.b), boost)
    if isinstance(q, query.AndMaybe):
        return querytree.AndMaybe(neutral(q.a), neutral(q.b), boost)
    if isinstance(q, query.Or):
        return querytree.Or(tuple(neutral(child) for child in q.subqueries), boost, q.scale)
    if isinstance(q, query.And):
        return querytree.And(tuple(neutral(child) for child in q.subqueries), boost)
    raise ValueError(f"no neutral form for {type(q).__name__} ({q})")


def query_terms(q: Parsed) -> frozenset[tuple[str, ...]]:
    """What to highlight: the analysed words a query asks for (not those under NOT), one to a
    tuple, and each exact phrase as the tuple of its words, so "child sexual exploitation" (the
    expansion of "CSE") marks the phrase, not every "child" of a paragraph without it."""
    return frozenset(_positive_terms(q.positive))


def _positive_terms(q: query.Query):
    if isinstance(q, query.Not):
        return
    if isinstance(q, query.AndNot):
        yield from _positive_terms(q.a)
    elif isinstance(q, query.Phrase) and q.slop == 1:
        yield tuple(_text(word) for word in q.words)
    elif isinstance(q, (query.Term, query.Phrase)):  # a proximity bonus asks for its words anywhere
        for _, term in q.iter_all_terms():
            yield (_text(term),)
    elif not q.is_leaf():
        for child in q.children():
            yield from _positive_terms(child)


def stems(text: str) -> set[str]:
    """The analysed forms of the words in ``text``."""
    return {stemmed for _, stemmed, _, _ in words(text)}


def match_spans(text: str, terms: frozenset[tuple[str, ...]]) -> list[tuple[int, int]]:
    """Character spans of the words of ``text`` that are one of ``terms``, and of each place one of its
    phrases stands (one span from its first word to its last; see ``query_terms``), in order."""
    if not terms:
        return []
    tokens = [(stemmed, start, end) for _, stemmed, start, end in words(text)]
    stemmed = [word for word, _, _ in tokens]
    starting: dict[str, list[tuple[str, ...]]] = {}
    for term in terms:
        starting.setdefault(term[0], []).append(term)
    found = sorted((tokens[start][1], tokens[start + len(term) - 1][2])
                   for start, word in enumerate(stemmed) for term in starting.get(word, ())
                   if tuple(stemmed[start:start + len(term)]) == term)
    spans: list[tuple[int, int]] = []
    for start, end in found:  # a word inside a phrase already marked is not marked twice
        if spans and start < spans[-1][1]:
            spans[-1] = (spans[-1][0], max(end, spans[-1][1]))
        else:
            spans.append((start, end))
    return spans


def _typed(matched, q: Parsed) -> frozenset[str]:
    """The typed words of ``q`` a hit has, itself or through an expansion."""
    found = set()
    for _, term in matched:
        word = _text(term)
        found.update(q.aliases.get(word, ()))
        if word in q.words:
            found.add(word)
    return frozenset(found)


def _text(term: str | bytes) -> str:
    return term.decode() if isinstance(term, bytes) else term
