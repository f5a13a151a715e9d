"""Routes: each HTML page has a JSON twin built from the same indexer call.

Routes adapt ``indexer.search`` (search, similar), ``indexer.export``,
``indexer.ledger`` (a document's items) and ``Index.document`` to HTTP; they
never touch whoosh or numpy. A search's whole
state (query, mode, filters, order, page) lives in the URL, so any page can be
bookmarked, shared or exported as it is.
"""

from __future__ import annotations

import unicodedata
from datetime import date

from flask import Blueprint, Response, jsonify, make_response, render_template, request, url_for
from markupsafe import Markup, escape
from werkzeug.datastructures import MultiDict

from indexer.documents import slug
from indexer.errors import QueryError
from indexer.export import to_csv, to_markdown
from indexer.facets import FACETS, Filters
from indexer.ledger import ledger
from indexer.links import answers
from indexer.metadata import long_date
from indexer.records import DOC_TYPES, ROLES
from indexer.search import MODES, SORTS, check_page, check_request, every_match, search, similar

from . import get_index

bp = Blueprint("precedent", __name__)
PER_PAGE = 20
SEARCH_KEYS = ("q", "mode", "sort", "k", "from", "to", *(f.name for f in FACETS))


@bp.app_context_processor
def helpers() -> dict:
    """Display names for stored keys, the default page size, the pager, and links that change one part
    of the current search."""
    return {"roles": ROLES, "doc_types": DOC_TYPES, "modes": MODES, "sorts": SORTS, "link": link, "toggle": toggle,
            "page_numbers": page_numbers, "default_per_page": PER_PAGE}


def link(endpoint: str = "precedent.index_page", **changes) -> str:
    """The current search's URL with ``changes`` (a value, a list of values, or None to drop the
    parameter); back to page 1 unless a page is given."""
    args = MultiDict((key, value) for key, value in request.args.items(multi=True) if key in SEARCH_KEYS)
    for key, value in changes.items():
        args.setlist(key, [] if value is None else value if isinstance(value, list) else [str(value)])
    return url_for(endpoint, **args.to_dict(flat=False))


def toggle(name: str, value: str) -> str:
    """The current search's URL with one filter value added, or removed if it was chosen."""
    values = request.args.getlist(name)
    return link(**{name: [v for v in values if v != value] if value in values else [*values, value]})


def page_numbers(page: int, pages: int) -> list[int | None]:
    """The pages the pager links to: the first two, the last two and two either side of ``page``;
    None stands for a gap of several pages, and a gap of one page shows that page instead."""
    near = [n for n in range(1, pages + 1) if n <= 2 or n > pages - 2 or abs(n - page) <= 2]
    numbers = []
    for n in near:
        if numbers and n - numbers[-1] == 2:
            numbers.append(n - 1)
        elif numbers and n - numbers[-1] > 2:
            numbers.append(None)
        numbers.append(n)
    return numbers


@bp.app_template_filter("highlight")
def highlight(text: str, spans, sentence=None) -> Markup:
    """Escaped text with <mark> around the given character spans, or around the one sentence."""
    if not spans and sentence:
        spans, tag = [sentence], Markup('<mark class="sentence">%s</mark>')
    else:
        tag = Markup("<mark>%s</mark>")
    parts, last = [], 0
    for start, end in spans:
        parts.append(escape(text[last:start]))
        parts.append(tag % text[start:end])
        last = end
    parts.append(escape(text[last:]))
    return Markup("").join(parts)


@bp.app_template_filter("longdate")
def longdate(iso: str | None) -> str:
    """'2019-10-15' -> '15 October 2019', the way the letters write dates."""
    return long_date(iso) or "undated"


def _search_request(ignore: tuple[str, ...] = ()):
    """The search the URL asks for, less the parameters to ``ignore``, checked; raises QueryError
    naming the bad parameter."""
    args = MultiDict(request.args)
    for name in ignore:
        args.poplist(name)
    # an empty k is the default page size, as an empty page, mode or sort is theirs
    query, k, mode = check_request(args.get("q", ""), args.get("k") or PER_PAGE, args.get("mode", "hybrid"))
    sort, page = check_page(args.get("sort"), args.get("page"))
    return query, k, mode, Filters.from_args(args.getlist), sort, page


@bp.get("/")
def index_page():
    q, mode = request.args.get("q", ""), request.args.get("mode", "hybrid")
    context = {"q": q, "mode": mode if mode in MODES else "hybrid", "sort": request.args.get("sort", "relevance"),
               "response": None}
    if not q.strip():
        return render_template("search.html", **context)
    status = 200
    try:
        query, k, mode, filters, sort, page = _search_request()
    except QueryError as error:
        if error.parameter not in ("from", "to"):
            return render_template("search.html", **context, error=str(error)), 400
        # a date range that cannot be: the results without it, and the error beside the dates as typed
        query, k, mode, filters, sort, page = _search_request(ignore=("from", "to"))
        context["date_error"], status = str(error), 400
    context["response"] = search(get_index(), query, k, mode, filters, sort, page)
    template = "results.html" if request.headers.get("X-Requested-With") == "precedent" else "search.html"
    response = make_response(render_template(template, **context), status)
    response.vary.add("X-Requested-With")  # one URL, two bodies: a cache must tell them apart
    return response


@bp.get("/api/search")
def api_search():
    query, k, mode, filters, sort, page = _search_request()
    index = get_index()
    response = jsonify(search(index, query, k, mode, filters, sort, page).to_json())
    response.headers["X-Precedent-Generation"] = index.folder.name  # what a client caching answers keys them by
    return response


def _export():
    """Every match of the search in the URL: its page and page size (k, page) do not apply."""
    query, _, mode, filters, sort, _ = _search_request(ignore=("k", "page"))
    return every_match(get_index(), query, mode, filters, sort)


def download(body: str, mimetype: str, said: str, suffix: str) -> Response:
    """An attachment named for what it holds (a query, the ledger's filters) and its day
    ("precedent-custody-detention-2026-11-22.csv"), so a folder of exports says what each holds;
    the name is ASCII, safe in the header."""
    words = slug(unicodedata.normalize("NFKD", said).encode("ascii", "ignore").decode())
    if len(words) > 40:  # at a word's end where there is one
        words = words[:41].rsplit("-", 1)[0] if "-" in words[:41] else words[:40]
    words = words or "search"
    name = f"precedent-{words}-{date.today().isoformat()}.{suffix}"
    return Response(body, mimetype=mimetype, headers={"Content-Disposition": f'attachment; filename="{name}"'})


@bp.get("/export.csv")
def export_csv():
    response = _export()
    return download(to_csv(response, request.host_url.rstrip("/")), "text/csv", response.query, "csv")


@bp.get("/export.md")
def export_markdown():
    response = _export()
    return download(to_markdown(response, request.host_url.rstrip("/")), "text/markdown", response.query, "md")


@bp.get("/api/export")
def api_export():
    return jsonify(_export().to_json())


def _document(doc_id: str) -> dict:
    """A document, which of its items each response answers, the ledger's records that stand in it or that
    it answers, and the matches of ?q= inside it."""
    index = get_index()
    doc = index.document(doc_id)
    hits = []
    if request.args.get("q", "").strip():
        query, _, mode = check_request(request.args["q"], 100, request.args.get("mode", "hybrid"))
        hits = search(index, query, 100, mode, Filters({"document": (doc_id,)})).results
    return {"doc": doc, "answers": answers(index, doc_id), "hits": hits, "ledger": ledger(index, document=doc_id).rows}


@bp.get("/doc/<doc_id>")
def document_page(doc_id: str):
    data = _document(doc_id)
    hits = {r.paragraph: r for r in data["hits"]}
    answered_by: dict[int, list[int]] = {}  # a response may answer several items in a row
    for item, responses in data["answers"].items():
        for response in responses:
            answered_by.setdefault(response, []).append(item)
    stands_here = {row.record.id: any(p.doc_id == doc_id for p in row.record.places) for row in data["ledger"]}
    return render_template("document.html", **data, hit_at=hits, answered_by=answered_by,
                           order=sorted(hits), by_meaning=[n for n, r in hits.items() if r.by_meaning],
                           q=request.args.get("q", ""), titles=get_index().titles,
                           placed=[row for row in data["ledger"] if stands_here[row.record.id]],
                           answered_here=[row for row in data["ledger"] if not stands_here[row.record.id]])


@bp.get("/api/doc/<doc_id>")
def api_document(doc_id: str):
    data = _document(doc_id)
    return jsonify({**data["doc"].to_json(), "answers": {str(k): v for k, v in data["answers"].items()},
                    "hits": [r.paragraph for r in data["hits"]], "ledger": [row.to_json() for row in data["ledger"]]})


@bp.get("/similar/<doc_id>/<int:paragraph>")
def similar_page(doc_id: str, paragraph: int):
    source, nearest = similar(get_index(), doc_id, paragraph)
    return render_template("similar.html", source=source, nearest=nearest)


@bp.get("/api/similar/<doc_id>/<int:paragraph>")
def api_similar(doc_id: str, paragraph: int):
    source, nearest = similar(get_index(), doc_id, paragraph)
    return jsonify({"paragraph": source, "similar": nearest})


@bp.get("/accessibility")
def accessibility_page():
    return render_template("accessibility.html")


@bp.get("/api/status")
def api_status():
    manifest = get_index().manifest
    status = {key: manifest[key] for key in ("schema_version", "generation", "created", "model", "counts", "run")}
    return jsonify({**status, "not_indexed": manifest["files"]["skipped"]})
