"""The one query path: the CLI, the web pages and the JSON API all call ``search``.

Modes: ``keyword`` (BM25F), ``semantic`` (cosine over MiniLM embeddings) and
``hybrid`` (the default), which fuses the top ``candidates`` of each as the
``fusion`` setting says (docs/relevance.md has the measurements behind the
default). Acronyms and terms of the vocabulary are searched with their
expansions, near-identical paragraphs are folded into one result, and every
result carries its citation and the spans of the query's words, for highlighting.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

from . import keyword, vectors, vocabulary
from .errors import QueryError
from .fusion import rrf, weighted
from .metadata import long_date
from .records import ROLES, Metadata, Paragraph
from .store import Index
from .vocabulary import Expansion

MODES = ("hybrid", "keyword", "semantic")
MAX_K = 100
MAX_QUERY_CHARS = 1000


@dataclass(frozen=True)
class Twin:
    """Where else a folded result's paragraph appears, near-identical."""

    doc_id: str
    paragraph: int
    title: str
    date: str | None
    url: str


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


@dataclass(frozen=True)
class SearchResponse:
    query: str
    mode: str
    results: list[Result]
    also_searched: list[Expansion]

    def to_json(self) -> dict:
        return asdict(self)


def check_request(query: str | None, k, mode: str | None) -> tuple[str, int, str]:
    """Validate raw request values (from a form, a URL or argv); raises QueryError."""
    query = (query or "").strip()
    if not query:
        raise QueryError("q: the query is empty; type some words to search for")
    if len(query) > MAX_QUERY_CHARS:
        raise QueryError(f"q: the query is longer than {MAX_QUERY_CHARS} characters")
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


def search(index: Index, query: str, k: int = 10, mode: str = "hybrid") -> SearchResponse:
    """The top ``k`` paragraphs for ``query``; raises QueryError for invalid arguments."""
    query, k, mode = check_request(query, k, mode)
    settings = index.settings
    depth = max(settings.candidates, k)
    expansions = vocabulary.expansions(query)
    parsed = keyword.parse(query, expansions)
    runs, share = [], {}
    if mode in ("keyword", "hybrid"):
        hits = index.keyword.search(parsed, depth)
        runs.append([(index.rows[key], score) for key, score, _ in hits])
        share = {index.rows[key]: len(words) / len(parsed.words) for key, _, words in hits if parsed.words}
    if mode in ("semantic", "hybrid"):
        allowed = index.keyword.matching(parsed)
        rows = None if allowed is None else {index.rows[key] for key in allowed}
        meaning = _meaning(query, index.keyword.scope_words(query), expansions)
        runs.append(vectors.top_k(index.vectors, index.embed_query(meaning), depth, rows=rows))
    if mode != "hybrid":
        ranked = runs[0]
    elif settings.fusion == "rrf":
        ranked = rrf([[row for row, _ in run] for run in runs], k=settings.rrf_k, depth=depth)
    else:
        ranked = weighted(runs, [1 - settings.semantic_weight, settings.semantic_weight], depth=depth,
                          scales=[share if settings.fusion == "adaptive" else None])
    stems = keyword.query_stems(parsed)
    results = [_result(index, rank, row, score, stems) for rank, (row, score) in enumerate(_fold(index, ranked, k), 1)]
    return SearchResponse(query, mode, results, expansions)


def _meaning(query: str, scope: set[str], expansions) -> str:
    """The text to embed: the query less its scope words, with the expansions of its acronyms.

    "Dwyer 2023 children in custody" is about children in custody; the name and
    the year say where to look (the keyword side matches them in the document's
    context), and left in the embedded text they would only blur its meaning.
    """
    topic = " ".join(word for word in query.split() if word.strip(".,;:?!()\"'") not in scope) or query
    return topic + "".join(f" ({'; '.join(e.also)})" for e in expansions)


def _fold(index: Index, ranked: list[tuple[int, float]], k: int) -> list[tuple[int, float]]:
    """The first ``k`` hits, each near-identical group shown once, at its best-ranked member."""
    kept, seen = [], set()
    for row, score in ranked:
        if row in seen:
            continue
        seen.update(index.twins.get(row, ()))
        kept.append((row, score))
        if len(kept) == k:
            break
    return kept


def _result(index: Index, rank: int, row: int, score: float, stems: set[str]) -> Result:
    p = index.paragraphs[row]
    meta = index.document(p.doc_id).meta
    spans = keyword.match_spans(p.text, stems)
    terms = list(dict.fromkeys(p.text[start:end].lower() for start, end in spans))
    twins = [index.paragraphs[other] for other in index.twins.get(row, ())]
    return Result(rank, round(score, 6), p.text, p.doc_id, p.title, p.date, p.section, p.paragraph,
                  p.page, p.role, p.label, meta.doc_type, meta.author, p.source, p.url, terms, spans,
                  citation(p, meta), [Twin(t.doc_id, t.paragraph, t.title, t.date, t.url) for t in twins])


def citation(p: Paragraph, meta: Metadata) -> str:
    """A reference to paste: 'Author, Title, 6 June 2023, Commissioner's response, p. 12 ¶3'."""
    where = f"p. {p.page} ¶{p.paragraph}" if p.page else f"¶{p.paragraph}"
    part = p.label or (ROLES[p.role] if p.role != "other" else p.section)
    parts = [meta.author, meta.title, long_date(meta.date), part if part != meta.title else None, where]
    return ", ".join(x for x in parts if x)

