"""The one query path: the CLI, the web pages and the JSON API all call ``search``.

Modes: ``keyword`` (BM25F), ``semantic`` (cosine over MiniLM embeddings) and
``hybrid`` (the default), which fuses the top ``candidates`` of each with
reciprocal rank fusion. Every result carries its citation and the spans of the
query's words in its text, for highlighting.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

from . import keyword, vectors
from .errors import QueryError
from .fusion import rrf
from .metadata import long_date
from .records import ROLES, Metadata, Paragraph
from .store import Index

MODES = ("hybrid", "keyword", "semantic")
MAX_K = 100
MAX_QUERY_CHARS = 1000


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


@dataclass(frozen=True)
class SearchResponse:
    query: str
    mode: str
    results: list[Result]

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
    depth = max(index.settings.candidates, k)
    rankings = []
    if mode in ("keyword", "hybrid"):
        rankings.append([(index.rows[key], score) for key, score in index.keyword.search(query, depth)])
    if mode in ("semantic", "hybrid"):
        allowed = index.keyword.matching(query)
        rows = None if allowed is None else {index.rows[key] for key in allowed}
        rankings.append(vectors.top_k(index.vectors, index.embed_query(query), depth, rows=rows))
    if mode == "hybrid":
        ranked = rrf([[row for row, _ in ranking] for ranking in rankings], k=index.settings.rrf_k, depth=depth)
    else:
        ranked = rankings[0]
    stems = keyword.query_stems(query)
    return SearchResponse(query, mode, [_result(index, rank, row, score, stems)
                                        for rank, (row, score) in enumerate(ranked[:k], start=1)])


def _result(index: Index, rank: int, row: int, score: float, stems: set[str]) -> Result:
    p = index.paragraphs[row]
    meta = index.document(p.doc_id).meta
    spans = keyword.match_spans(p.text, stems)
    terms = list(dict.fromkeys(p.text[start:end].lower() for start, end in spans))
    return Result(rank, round(score, 6), p.text, p.doc_id, p.title, p.date, p.section, p.paragraph,
                  p.page, p.role, p.label, meta.doc_type, meta.author, p.source, p.url, terms, spans,
                  citation(p, meta))


def citation(p: Paragraph, meta: Metadata) -> str:
    """A reference to paste: 'Author, Title, 6 June 2023, Commissioner's response, p. 12 ¶3'."""
    where = f"p. {p.page} ¶{p.paragraph}" if p.page else f"¶{p.paragraph}"
    part = p.label or (ROLES[p.role] if p.role != "other" else p.section)
    parts = [meta.author, meta.title, long_date(meta.date), part if part != meta.title else None, where]
    return ", ".join(x for x in parts if x)

