"""The one query path: the CLI, the web pages and the JSON API all call ``search``.

Modes: ``keyword`` (BM25F), ``semantic`` (cosine over MiniLM embeddings) and
``hybrid`` (the default), which fuses the top ``candidates`` of each as the
``fusion`` setting says (docs/relevance.md has the measurements behind the
default). Acronyms and terms of the vocabulary are searched with their
expansions, near-identical paragraphs are folded into one result, and every
result carries its citation and the spans of the query's words, for highlighting.
"""

from __future__ import annotations

import re
import unicodedata
from contextlib import nullcontext
from dataclasses import asdict, dataclass, field

import numpy as np

from . import deadline, facets, keyword, ledger, vectors, vocabulary
from .errors import DocumentNotFound, QueryError
from .facets import FacetCount, Filters, YearCount
from .fusion import rrf, weighted
from .metadata import citation
from .store import Index
from .vocabulary import Expansion

MODES = ("hybrid", "keyword", "semantic")
SORTS = ("relevance", "newest", "oldest")
ALWAYS_NEAREST = 10  # a search by meaning always offers this many, however loosely they match
MAX_K = 100
ALSO_IN = 20  # near-identical paragraphs listed under a result: boilerplate can stand in thousands of documents
EXPORT_LIMIT = 2000
MAX_QUERY_CHARS = 1000
MAX_QUERY_WORDS = 50  # searched words (not stop words or operators): whoosh scores each, in four fields, per match
MAX_PREFIXES = 5  # each stands for up to keyword.COMPLETIONS words
MAX_NESTING = 10  # brackets within brackets: whoosh's parser, and each step after it, recurse once a level
# dashes that Word's autocorrect puts before a word: an exclusion all the same ("–custody")
_DASHES = re.compile(r'(?:(?<=[\s(])|^)[\u2010-\u2015\u2212](?=[\w"(])')


@dataclass(frozen=True)
class Twin:
    """Where else a folded result's paragraph appears, near-identical."""

    doc_id: str
    paragraph: int
    title: str
    date: str | None
    url: str


@dataclass(frozen=True)
class Neighbour:
    """The paragraph just before or after a result, for reading it in context."""

    paragraph: int
    text: str


@dataclass(frozen=True)
class Result:
    rank: int
    score: float
    text: str
    doc_id: str
    title: str
    date: str | None
    section: str | None
    paragraph: int
    page: int | None
    role: str
    label: str | None
    doc_type: str
    author: str | None
    source: str
    url: str
    matched_terms: list[str]
    highlights: list[tuple[int, int]]
    citation: str
    also_in: list[Twin]
    before: Neighbour | None = None
    after: Neighbour | None = None
    sentence: tuple[int, int] | None = None  # for a match without the words in its text: the sentence nearest
    by_meaning: bool = False  # found by meaning alone, not by its words
    ledger: tuple[ledger.Mark, ...] = ()  # an item of the ledger, or a reply to one: its status and counterpart
    also_in_documents: int = 0  # the other documents with a near-identical paragraph; also_in lists ALSO_IN of them


@dataclass(frozen=True)
class SearchResponse:
    query: str
    mode: str
    results: list[Result]
    also_searched: list[Expansion]
    total: int = 0
    page: int = 1
    per_page: int = 10
    sort: str = "relevance"
    filters: Filters = field(default_factory=Filters)
    facets: list[FacetCount] = field(default_factory=list)
    timeline: list[YearCount] = field(default_factory=list)
    suggestion: str | None = None  # the query with unknown words respelled, for "Did you mean"
    also_excluded: list[Expansion] = field(default_factory=list)  # "-CSE" leaves out "child sexual exploitation"

    @property
    def pages(self) -> int:
        return page_count(self.total, self.per_page)

    def to_json(self) -> dict:
        return {**asdict(self), "pages": self.pages}


def page_count(total: int, per_page: int) -> int:
    """Pages of ``per_page`` results that ``total`` fill; one even when empty."""
    return max(1, -(-total // per_page))


def check_request(query: str | None, k, mode: str | None) -> tuple[str, int, str]:
    """Validate raw request values (from a form, a URL or argv); raises QueryError."""
    if unpaired := re.search(r"[\ud800-\udfff]", query or ""):  # from argv bytes that are not UTF-8
        raise QueryError(f"q: the query holds a character that is not text (U+{ord(unpaired.group()):04X}, "
                         f"at {unpaired.start() + 1}); type the query again")
    # full-width letters and signs (ｃｕｓｔｏｄｙ, ＊) as plain ones
    query = _DASHES.sub("-", unicodedata.normalize("NFKC", query or "").strip())
    if not re.search(r"\w", query):
        raise QueryError("q: the query is empty" + (f" of words ({query[:40]!r})" if query else "")
                         + "; type some words to search for")
    if len(query) > MAX_QUERY_CHARS:
        raise QueryError(f"q: the query is longer than {MAX_QUERY_CHARS} characters; keep the words that say "
                         "what you are looking for")
    if (words := len(keyword.words(keyword.without_syntax(query)))) > MAX_QUERY_WORDS:
        raise QueryError(f"q: the query has {words} words to search for; keep it to {MAX_QUERY_WORDS}, the ones "
                         "that say what you are looking for")
    if len(prefixes := keyword.prefixes(query)) > MAX_PREFIXES:
        raise QueryError(f"q: the query has {len(prefixes)} prefixes ({'*, '.join(prefixes[:3])}*…), each standing "
                         f"for up to {keyword.COMPLETIONS} words; use at most {MAX_PREFIXES}, or write the words out")
    if (depth := keyword.nesting(query)) > MAX_NESTING:
        raise QueryError(f"q: the query has brackets {depth} deep; keep them to {MAX_NESTING} deep, or leave them out")
    mode = (mode or "hybrid").strip().lower()
    if mode not in MODES:
        raise QueryError(f"mode: unknown mode {mode!r}; use one of {', '.join(MODES)}")
    try:
        k = int(k)
    except (TypeError, ValueError):
        raise QueryError(f"k: must be a whole number from 1 to {MAX_K}, got {k!r}") from None
    if not 1 <= k <= MAX_K:
        raise QueryError(f"k: must be from 1 to {MAX_K}, got {k}")
    return query, k, mode


def check_page(sort: str | None, page) -> tuple[str, int]:
    """Validate the ordering and page number of a request; raises QueryError."""
    sort = (sort or "relevance").strip().lower()
    if sort not in SORTS:
        raise QueryError(f"sort: unknown order {sort!r}; use one of {', '.join(SORTS)}")
    try:
        page = 1 if page in (None, "") else int(page)
    except (TypeError, ValueError):
        raise QueryError(f"page: must be a whole number from 1, got {page!r}") from None
    if page < 1:
        raise QueryError(f"page: must be from 1, got {page}")
    return sort, page


def search(index: Index, query: str, k: int = 10, mode: str = "hybrid", filters: Filters = Filters(),
           sort: str = "relevance", page: int = 1) -> SearchResponse:
    """Page ``page`` (``k`` a page) of the paragraphs matching ``query`` and ``filters``, in ``sort`` order.

    Raises QueryError for invalid arguments, QueryTooCostly past the query_seconds setting (see
    ``deadline``). A paragraph matches when the
    keyword side finds it, or it is among the ALWAYS_NEAREST nearest in meaning,
    or its similarity reaches ``min_similarity``; the response also counts every
    match by facet and by year, for narrowing.
    """
    query, k, mode = check_request(query, k, mode)
    sort, page = check_page(sort, page)
    with deadline.within(index.settings.query_seconds):
        return _search(index, query, k, mode, filters, sort, page)


def warm(index: Index) -> None:
    """Search once, without a time budget, so that the first real search is as fast as the rest: the model
    loaded, the ledger's marks and the vocabulary's patterns read, spelling's lookups built. At 100,000
    paragraphs the first search took 0.66 s and the next 45 ms; under the budget it could have been refused."""
    index.warm()
    with deadline.within(0):
        _search(index, "warm up", 10, "hybrid", Filters(), "relevance", 1)


def every_match(index: Index, query: str, mode: str = "hybrid", filters: Filters = Filters(),
                sort: str = "relevance") -> SearchResponse:
    """Every match of a search, up to EXPORT_LIMIT, as one page: what an export holds."""
    query, _, mode = check_request(query, 1, mode)
    sort, _ = check_page(sort, 1)
    with deadline.within(index.settings.query_seconds):
        return _search(index, query, EXPORT_LIMIT, mode, filters, sort, 1)


def _search(index: Index, query: str, k: int, mode: str, filters: Filters, sort: str, page: int) -> SearchResponse:
    if not keyword.stems(keyword.without_syntax(query)):
        raise QueryError(f"q: {query[:80]!r} has only common words or operators; add a word that says what "
                         "the paragraphs are about")
    first = (page - 1) * k
    if first >= len(index.paragraphs):  # no search has that page: say so before searching
        raise _past_the_last(page_count(len(index.paragraphs), k), page,
                             f"results in an index of {len(index.paragraphs)} paragraphs")
    allowed = index.columns.passing(filters)
    with index.keyword.reader() as reader:
        expansions = vocabulary.expansions(query) + reader.completions(query)
        parsed = keyword.parse(query, expansions)
        deadline.check("reading the query")
        wanted = keyword.without_exclusions(query)
        searched = [e for e in expansions if e.said.lower() in wanted.lower()]  # not those of what is left out
        found = _matches(index, reader, wanted, mode, parsed, searched, allowed, first + k, index.named(query))
        suggestion = reader.suggest(query)
    deadline.check("respelling the query")
    kept: dict[tuple[str, ...], np.ndarray] = {}

    def passing(skip: tuple[str, ...] = ()) -> np.ndarray:
        """The rows shown, folded, when every filter applies but those named in ``skip``."""
        applied = tuple(name for name in (*filters.chosen, "date") if name not in skip)
        if applied not in kept:
            mask = index.columns.passing(filters, skip)
            rows = found.rows if mask is None else found.rows & mask
            kept[applied] = np.setdiff1d(np.flatnonzero(rows), found.hidden(rows), assume_unique=True)
        return kept[applied]

    shown = found.rows if allowed is None else found.rows & allowed
    total = len(passing())
    deadline.check("counting the matches")
    pages = page_count(total, k)
    if page > pages:
        raise _past_the_last(pages, page, "results")
    if sort == "relevance":
        ranked = found.ranked(shown, first + k)
    else:
        ranked = found.ranked(shown, total)
        dates = index.columns.date(np.array([row for row, _ in ranked], dtype=np.int64))
        undated = index.columns.undated()
        order = sorted(range(len(ranked)), key=lambda n: dates[n], reverse=sort == "newest")  # stable: ties by relevance
        ranked = [ranked[n] for n in order if dates[n] != undated] + [ranked[n] for n in order if dates[n] == undated]
    deadline.check("ranking")
    terms, marks = keyword.query_terms(parsed), ledger.marks(index)
    # an export's 2,000 results take seconds to build (1.5-5 s at 10,000 paragraphs): as many as EXPORT_LIMIT
    # says, whatever the query, so only a page's count against the budget
    with deadline.paused() if k > MAX_K else nullcontext():
        results = [_result(index, marks, first + n, row, score, terms, found.vector, found.worded) for n, (row, score)
                   in enumerate(deadline.checked(ranked[first:first + k], "building the results"), 1)]
    # what each filter would give: the matches passing every other filter, as the values they have
    counts = facets.count({name: index.columns.count(passing((name,)), name) for name in facets.NAMES}, filters,
                          index.titles)
    timeline = facets.timeline(index.columns.per_year(passing(("year", "date"))), filters)
    deadline.check("counting the facets")
    return SearchResponse(query, mode, results, searched, total, page, k, sort, filters, counts, timeline, suggestion,
                          [e for e in expansions if e not in searched])


def _past_the_last(pages: int, page: int, of: str) -> QueryError:
    return QueryError(f"page: there {'is' if pages == 1 else 'are'} only {pages} page{'s' * (pages > 1)} of {of}, "
                      f"got {page}")


def similar(index: Index, doc_id: str, paragraph: int, k: int = 5) -> tuple[Result, list[Result]]:
    """A paragraph and the ``k`` nearest paragraphs in other documents: its precedents and successors."""
    try:
        row = index.paragraphs.row(f"{doc_id}#p{paragraph}")
    except KeyError:
        raise DocumentNotFound(f"No paragraph {paragraph} in document {doc_id!r}") from None
    others = index.columns.codes["document"] != index.columns.codes["document"][row]
    scores = np.where(others, np.asarray(index.vectors) @ index.vectors[row], -np.inf)
    nearest = _fold(index, [(r, s) for r, s in vectors.top_k(scores, 4 * k + 10) if s > -np.inf])[:k]
    marks = ledger.marks(index)
    return (_result(index, marks, 0, row, 1.0, frozenset()),
            [_result(index, marks, rank, other, score, frozenset()) for rank, (other, score) in enumerate(nearest, 1)])


class Matches:
    """What a query matches: ``rows`` (a mask over every paragraph), the best of them fused and scored
    (``head``, best first), and how the rest follow (by their similarity to the query ``vector``, or in
    reading order without one). ``worded`` marks the rows the keyword side found and ``named`` the items
    the query names by label ("Recommendation 9", "AFI 1"), which go first: a label is a citation, not a
    topic, and its words are common ("recommendation") or too short to weigh ("9"), so neither side
    ranks the item it names first.

    Only the head is scored: a page, its facets and its total need no more,
    whether the query matches ten paragraphs or a hundred thousand.
    """

    def __init__(self, index: Index, rows: np.ndarray, head: list[tuple[int, float]], similarity: np.ndarray | None,
                 vector: np.ndarray | None, worded: np.ndarray, tail_scored: bool, named: set[int]):
        self.index, self.rows, self.head, self.named = index, rows, head, named
        self.similarity, self.vector, self.worded = similarity, vector, worded
        self.tail_scored = tail_scored  # the rest keep their similarity as their score (semantic mode)
        self._place = np.full(len(rows), len(head), dtype=np.int64)
        self._place[[row for row, _ in head]] = np.arange(len(head))
        self._unnamed = np.ones(len(rows), dtype=bool)
        self._unnamed[list(named)] = False

    def ranked(self, shown: np.ndarray, needed: int) -> list[tuple[int, float]]:
        """The first ``needed`` rows of ``shown`` in relevance order, near-identical ones folded."""
        head = [(row, score) for row, score in self.head if shown[row]]
        named = [(row, self._score(row)) for row in self._in_order([r for r in self.named if shown[r]]).tolist()]
        ordered = named + [m for m in head if m[0] not in self.named]
        folded = _fold(self.index, ordered)
        if len(folded) < needed and int(shown.sum()) > len(ordered):
            rest = shown.copy()
            rest[[row for row, _ in ordered]] = False
            rest, taken = np.flatnonzero(rest), needed
            while True:  # folding may hide some: take twice as many until enough are left
                deadline.check("ranking")
                first = self._first(rest, taken).tolist()
                folded = _fold(self.index, ordered + [(row, self._score(row)) for row in first])
                if len(folded) >= needed or len(first) == len(rest):
                    break
                taken *= 2
        return folded[:needed]

    def _first(self, rows: np.ndarray, taken: int) -> np.ndarray:
        """The first ``taken`` (or a few more, where similarities tie) of ``rows``, none of them named or
        in the head, in relevance order: ordering thousands of matches to show fifty cost 20 ms a page."""
        if self.similarity is None or taken >= len(rows):
            return self._in_order(rows[:taken] if self.similarity is None else rows)
        similarity = self.similarity[rows]
        least = np.partition(similarity, len(rows) - taken)[len(rows) - taken]
        return self._in_order(rows[similarity >= least])

    def hidden(self, shown: np.ndarray) -> np.ndarray:
        """The rows of ``shown`` folded into a better-ranked near-identical paragraph of another document:
        the members of each near-identical group outside the document of its best-ranked member.

        Each group's best is found in one pass over the twinned rows, by group, not by ordering them all:
        at a million paragraphs 100,000 of them can match a query (6 ms a call against 9 sorted, at the median)."""
        rows, groups = self.index.grouped, self.index.grouped_by  # every twinned row, by group, then row
        mine = shown[rows]
        rows, groups = rows[mine], groups[mine]
        if not len(rows):
            return rows
        starts = np.flatnonzero(np.r_[True, groups[1:] != groups[:-1]])
        sizes = np.diff(np.r_[starts, len(rows)])
        goodness = self._goodness(rows)
        best = np.repeat(np.maximum.reduceat(goodness, starts), sizes)
        at = np.where(goodness == best, np.arange(len(rows)), len(rows))  # ties: the lowest row, as _in_order
        document = self.index.columns.codes["document"]
        kept = np.repeat(document[rows[np.minimum.reduceat(at, starts)]], sizes)
        return rows[document[rows] != kept]

    def _goodness(self, rows: np.ndarray) -> np.ndarray:
        """A number for each of ``rows`` that is higher the earlier ``_in_order`` puts it (ties but the row's):
        named items, by their place in the head, then by similarity; the head, by place; then by similarity."""
        similarity = np.zeros(len(rows)) if self.similarity is None else self.similarity[rows].astype(np.float64)
        depth, place = len(self.head), self._place[rows]
        return np.where(~self._unnamed[rows], 2 * depth + 4 + (depth - place) + (similarity + 1) / 4,
                        np.where(place < depth, depth + 2 + (depth - place), similarity))

    def _in_order(self, rows) -> np.ndarray:
        """``rows`` in relevance order: named items, the head, then by similarity (or reading order)."""
        rows = np.asarray(rows, dtype=np.int64)
        similarity = -self.similarity[rows] if self.similarity is not None else np.zeros(len(rows))
        return rows[np.lexsort((rows, similarity, self._place[rows], self._unnamed[rows]))]

    def _score(self, row: int) -> float:
        if self._place[row] < len(self.head):
            return self.head[self._place[row]][1]
        return float(self.similarity[row]) if self.tail_scored else 0.0


def _matches(index: Index, reader: keyword.Reader, wanted: str, mode: str, parsed: keyword.Parsed,
             expansions, allowed: np.ndarray | None, needed: int, named: set[int]) -> Matches:
    """What the query matches, with the best of the rows ``allowed`` (None: all) fused and scored: at least
    ``needed`` of them where the keyword side alone ranks. ``wanted`` is the query less what it excludes,
    and ``expansions`` those of its acronyms and everyday words that are searched, for the text to embed.

    Only each side's top ``candidates`` are fused by score; the other matches
    follow them, so ranking does not depend on how many there are.
    """
    settings = index.settings
    depth = settings.candidates
    count = len(index.paragraphs)
    runs, share, vector, similarity = [], {}, None, None
    rows = np.zeros(count, dtype=bool)
    matched = np.zeros(count, dtype=bool)  # what the keyword side finds, read once for both sides
    if mode in ("keyword", "hybrid") or parsed.strict:
        matched[reader.matches(parsed)] = True
        deadline.check("matching the keywords")
    worded = matched if mode in ("keyword", "hybrid") else np.zeros(count, dtype=bool)
    if mode in ("keyword", "hybrid"):
        hits = reader.search(parsed, max(depth, needed) if mode == "keyword" else depth, allowed)
        runs.append([(row, score) for row, score, _ in hits])
        deadline.check("scoring the keyword matches")
        share = {row: len(words) / len(parsed.words) for row, _, words in hits if parsed.words}
        rows |= worded
    if mode in ("semantic", "hybrid"):
        strict = matched if parsed.strict else None  # a strict query narrows the meaning side too
        meaning = _meaning(wanted, reader.scope_words(wanted), expansions)
        vector = index.embed_query(meaning)
        eligible = strict if allowed is None else allowed if strict is None else strict & allowed
        similarity = index.similarities(vector, eligible, depth)
        candidates = similarity if eligible is None else np.where(eligible, similarity, -np.inf)
        runs.append([(row, score) for row, score in vectors.top_k(candidates, depth) if score > -np.inf])
        # the nearest always match, and what is near enough; with nothing to embed ("-custody"), every
        # paragraph the exclusions leave, as on the keyword side
        near = np.ones(count, dtype=bool) if not meaning else similarity >= settings.min_similarity
        nearest = runs[-1][:ALWAYS_NEAREST] if allowed is None and depth >= ALWAYS_NEAREST else vectors.top_k(
            similarity if strict is None else np.where(strict, similarity, -np.inf), ALWAYS_NEAREST)
        near[[row for row, score in nearest if score > -np.inf]] = True
        rows |= near if strict is None else near & strict
        deadline.check("matching by meaning")
    if mode != "hybrid":
        head = runs[0]
    elif not parsed.strict and reader.rarity(parsed) < settings.keyword_rarity:
        head = runs[1]  # common words only: their BM25 order would be noise (docs/relevance.md)
    elif settings.fusion == "rrf":
        head = rrf([[row for row, _ in run] for run in runs], k=settings.rrf_k, depth=depth)
    else:
        head = weighted(runs, [1 - settings.semantic_weight, settings.semantic_weight], depth=depth,
                        scales=[share if settings.fusion == "adaptive" else None])
    return Matches(index, rows, [(row, score) for row, score in head if rows[row]], similarity, vector, worded,
                   mode == "semantic", named)


def _meaning(wanted: str, scope: set[str], expansions) -> str:
    """The text to embed: the query less what it excludes (``wanted``), less its scope words and its
    operators, with the ``expansions`` of its acronyms.

    "Dwyer 2023 children in custody" is about children in custody; the name and
    the year say where to look (the keyword side matches them in the document's
    context), and left in the embedded text they would only blur its meaning.
    "children NOT custody" is about children: embedded, "custody" would pull
    the paragraphs nearest custody up among those that pass.
    """
    words = keyword.without_syntax(wanted)
    topic = " ".join(word for word in words.split() if word.strip(".,;:?!'") not in scope) or words.strip()
    return topic + "".join(f" ({'; '.join(e.also)})" for e in expansions)


def _fold(index: Index, ranked: list[tuple[int, float]]) -> list[tuple[int, float]]:
    """The hits with each near-identical group shown once, at its best-ranked member."""
    rows = np.fromiter((row for row, _ in ranked), dtype=np.int64, count=len(ranked))
    return [hit for hit, folded in zip(ranked, _folded(index, rows).tolist()) if not folded]


def _folded(index: Index, rows: np.ndarray) -> np.ndarray:
    """Which of ``rows`` (best first) fold into a better-ranked near-identical paragraph of another document:
    the members of each near-identical group outside the document of its first member in ``rows``."""
    group, document = index.group[rows], index.columns.codes["document"][rows]
    twinned = group >= 0
    if not twinned.any():
        return twinned
    _, first = np.unique(group[twinned], return_index=True)
    best = np.full(int(group.max()) + 1, -1)
    best[group[twinned][first]] = document[twinned][first]
    return twinned & (document != best[group])


def _result(index: Index, marks: dict[str, tuple[ledger.Mark, ...]], rank: int, row: int, score: float,
            terms: frozenset[tuple[str, ...]], vector=None, worded: np.ndarray | None = None) -> Result:
    """Paragraph ``row`` as a result, with what it is to the ledger (``marks``, ``ledger.marks``); one with none
    of the query's ``terms`` in its text gets the sentence nearest the query ``vector`` marked instead of words,
    and is a match by meaning alone unless the keyword side found it (``worded``: by its title, section or author)."""
    p = index.paragraphs[row]
    meta = index.documents.meta(p.doc_id)
    spans = keyword.match_spans(p.text, terms)
    sentence = index.nearest_sentence(row, vector) if vector is not None and not spans else None
    matched = list(dict.fromkeys(p.text[start:end].lower() for start, end in spans))
    rows = index.twins(row)
    twins = [index.paragraphs[other] for other in rows[:ALSO_IN]]
    documents = len(np.unique(index.paragraphs.document[list(rows)])) if rows else 0
    before, after = (Neighbour(n.paragraph, n.text) if n else None for n in index.neighbours(row))
    return Result(rank, round(score, 6), p.text, p.doc_id, p.title, p.date, p.section, p.paragraph,
                  p.page, p.role, p.label, meta.doc_type, meta.author, p.source, p.url, matched, spans,
                  citation(p, meta), [Twin(t.doc_id, t.paragraph, t.title, t.date, t.url) for t in twins],
                  before, after, sentence, sentence is not None and not (worded is not None and worded[row]),
                  marks.get(p.key, ()), documents)
