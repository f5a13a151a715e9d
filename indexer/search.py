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
from dataclasses import asdict, dataclass, field

from . import facets, keyword, vectors, vocabulary
from .errors import DocumentNotFound, QueryError
from .facets import FacetCount, Filters, YearCount
from .fusion import rrf, weighted
from .metadata import long_date
from .records import ROLES, Metadata, Paragraph
from .store import Index
from .vocabulary import Expansion

MODES = ("hybrid", "keyword", "semantic")
SORTS = ("relevance", "newest", "oldest")
ALWAYS_NEAREST = 10  # a search by meaning always offers this many, however loosely they match
MAX_K = 100
EXPORT_LIMIT = 2000
MAX_QUERY_CHARS = 1000
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
    # full-width letters and signs (ｃｕｓｔｏｄｙ, ＊) as plain ones
    query = _DASHES.sub("-", unicodedata.normalize("NFKC", query or "").strip())
    if not re.search(r"\w", query):
        raise QueryError("q: the query is empty" + (f" of words ({query[:40]!r})" if query else "")
                         + "; type some words to search for")
    if len(query) > MAX_QUERY_CHARS:
        raise QueryError(f"q: the query is longer than {MAX_QUERY_CHARS} characters; keep the words that say "
                         "what you are looking for")
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

    Raises QueryError for invalid arguments. A paragraph matches when the
    keyword side finds it, or it is among the ALWAYS_NEAREST nearest in meaning,
    or its similarity reaches ``min_similarity``; the response also counts every
    match by facet and by year, for narrowing.
    """
    query, k, mode = check_request(query, k, mode)
    sort, page = check_page(sort, page)
    return _search(index, query, k, mode, filters, sort, page)


def every_match(index: Index, query: str, mode: str = "hybrid", filters: Filters = Filters(),
                sort: str = "relevance") -> SearchResponse:
    """Every match of a search, up to EXPORT_LIMIT, as one page: what an export holds."""
    query, _, mode = check_request(query, 1, mode)
    sort, _ = check_page(sort, 1)
    return _search(index, query, EXPORT_LIMIT, mode, filters, sort, 1)


def _search(index: Index, query: str, k: int, mode: str, filters: Filters, sort: str, page: int) -> SearchResponse:
    if not keyword.stems(keyword.without_syntax(query)):
        raise QueryError(f"q: {query[:80]!r} has only common words or operators; add a word that says what "
                         "the paragraphs are about")
    with index.keyword.reader() as reader:
        expansions = vocabulary.expansions(query) + reader.completions(query)
        parsed = keyword.parse(query, expansions)
        wanted = keyword.without_exclusions(query)
        searched = [e for e in expansions if e.said.lower() in wanted.lower()]  # not those of what is left out
        matches, vector, worded = _matches(index, reader, wanted, mode, parsed, searched)
        suggestion = reader.suggest(query)
    matches = _named_first(index, query, matches)
    shown = _fold(index, [m for m in matches if filters.passes(index.facet_values[m[0]], index.dates[m[0]])])
    pages = page_count(len(shown), k)
    if page > pages:
        raise QueryError(f"page: there {'is' if pages == 1 else 'are'} only {pages} page{'s' * (pages > 1)} "
                         f"of results, got {page}")
    if sort != "relevance":
        undated = [m for m in shown if not index.dates[m[0]]]
        dated = sorted((m for m in shown if index.dates[m[0]]), key=lambda m: index.dates[m[0]],
                       reverse=sort == "newest")
        shown = dated + undated  # sorted() is stable: equal dates stay in relevance order
    terms = keyword.query_terms(parsed)
    first = (page - 1) * k
    results = [_result(index, first + n, row, score, terms, vector, worded)
               for n, (row, score) in enumerate(shown[first:first + k], 1)]
    # what each filter would give: the matches passing every other filter, as the values they have
    passing = {skip: [index.facet_values[row] for row, _ in _fold(index, [
                   m for m in matches if filters.passes(index.facet_values[m[0]], index.dates[m[0]], skip)])]
               for skip in (*((name,) for name in facets.NAMES), ("year", "date"))}
    return SearchResponse(query, mode, results, searched, len(shown), page, k, sort, filters,
                          facets.count(passing, filters, index.titles),
                          facets.timeline(passing[("year", "date")], filters), suggestion,
                          [e for e in expansions if e not in searched])


def similar(index: Index, doc_id: str, paragraph: int, k: int = 5) -> tuple[Result, list[Result]]:
    """A paragraph and the ``k`` nearest paragraphs in other documents: its precedents and successors."""
    try:
        row = index.rows[f"{doc_id}#p{paragraph}"]
    except KeyError:
        raise DocumentNotFound(f"No paragraph {paragraph} in document {doc_id!r}") from None
    others = {r for r, p in enumerate(index.paragraphs) if p.doc_id != doc_id}
    nearest = _fold(index, vectors.top_k(index.vectors @ index.vectors[row], len(others), rows=others))[:k]
    return (_result(index, 0, row, 1.0, frozenset()),
            [_result(index, rank, other, score, frozenset()) for rank, (other, score) in enumerate(nearest, 1)])


def _matches(index: Index, reader: keyword.Reader, wanted: str, mode: str, parsed: keyword.Parsed,
             expansions) -> tuple[list, object, set[int]]:
    """Every matching (row, score), best first; the query's vector when one was embedded; and the
    rows the keyword side found. ``wanted`` is the query less what it excludes, and ``expansions``
    those of its acronyms and everyday words that are searched, for the text to embed.

    Only each side's top ``candidates`` are fused by score; the other matches
    follow them, so ranking does not depend on how many there are.
    """
    settings = index.settings
    depth = settings.candidates
    runs, share, worded, vector = [], {}, set(), None
    if mode in ("keyword", "hybrid"):
        hits = reader.search(parsed, None)
        runs.append([(index.rows[key], score) for key, score, _ in hits])
        share = {index.rows[key]: len(words) / len(parsed.words) for key, _, words in hits if parsed.words}
        worded = {row for row, _ in runs[-1]}
    found = set(worded)
    if mode in ("semantic", "hybrid"):
        allowed = reader.matching(parsed)
        rows = None if allowed is None else {index.rows[key] for key in allowed}
        meaning = _meaning(wanted, reader.scope_words(wanted), expansions)
        vector = index.embed_query(meaning)
        runs.append(vectors.top_k(index.similarities(vector), len(index.paragraphs), rows=rows))
        # nothing to embed ("-custody"): every paragraph the exclusions leave, as the keyword side has
        found.update(row for rank, (row, score) in enumerate(runs[-1])
                     if rank < ALWAYS_NEAREST or score >= settings.min_similarity or not meaning)
    if mode != "hybrid":
        ranked = runs[0]
    elif not parsed.strict and reader.rarity(parsed) < settings.keyword_rarity:
        ranked = runs[1]  # common words only: their BM25 order would be noise (docs/relevance.md)
    elif settings.fusion == "rrf":
        ranked = rrf([[row for row, _ in run] for run in runs], k=settings.rrf_k, depth=depth)
    else:
        ranked = weighted(runs, [1 - settings.semantic_weight, settings.semantic_weight], depth=depth,
                          scales=[share if settings.fusion == "adaptive" else None])
    return [(row, score) for row, score in ranked if row in found], vector, worded


def _named_first(index: Index, query: str, matches: list[tuple[int, float]]) -> list[tuple[int, float]]:
    """The matches with the items the query names by label ("Recommendation 9", "AFI 1") first.

    A label is a citation, not a topic: its words are common ("recommendation")
    or too short to weigh ("9"), so neither side ranks the item it names first.
    """
    named = index.named(query)
    return [m for m in matches if m[0] in named] + [m for m in matches if m[0] not in named]


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
    kept, seen = [], set()
    for row, score in ranked:
        if row in seen:
            continue
        seen.update(index.twins.get(row, ()))
        kept.append((row, score))
    return kept


def _result(index: Index, rank: int, row: int, score: float, terms: frozenset[tuple[str, ...]], vector=None,
            worded: set[int] = frozenset()) -> Result:
    """Paragraph ``row`` as a result; one with none of the query's ``terms`` in its text gets the sentence
    nearest the query ``vector`` marked instead of words, and is a match by meaning alone unless
    the keyword side found it (``worded``: by its title, section or author)."""
    p = index.paragraphs[row]
    meta = index.document(p.doc_id).meta
    spans = keyword.match_spans(p.text, terms)
    sentence = index.nearest_sentence(row, vector) if vector is not None and not spans else None
    matched = list(dict.fromkeys(p.text[start:end].lower() for start, end in spans))
    twins = [index.paragraphs[other] for other in index.twins.get(row, ())]
    before, after = (Neighbour(n.paragraph, n.text) if n else None for n in index.neighbours(row))
    return Result(rank, round(score, 6), p.text, p.doc_id, p.title, p.date, p.section, p.paragraph,
                  p.page, p.role, p.label, meta.doc_type, meta.author, p.source, p.url, matched, spans,
                  citation(p, meta), [Twin(t.doc_id, t.paragraph, t.title, t.date, t.url) for t in twins],
                  before, after, sentence, sentence is not None and row not in worded)


def citation(p: Paragraph, meta: Metadata) -> str:
    """A reference to paste: 'Author, Title, 6 June 2023, Commissioner's response, p. 12 ¶3'."""
    where = f"p. {p.page} ¶{p.paragraph}" if p.page else f"¶{p.paragraph}"
    part = p.label or (ROLES[p.role] if p.role != "other" else p.section)
    parts = [meta.author, meta.title, long_date(meta.date), part if part != meta.title else None, where]
    return ", ".join(x for x in parts if x)

