"""Routes: each HTML page has a JSON twin built from the same search or document call.

Routes adapt ``indexer.search.search`` and ``Index.document`` to HTTP; they never
touch whoosh or numpy.
"""

from __future__ import annotations

from flask import Blueprint, jsonify, render_template, request
from markupsafe import Markup, escape

from indexer.errors import QueryError
from indexer.metadata import long_date
from indexer.records import DOC_TYPES, ROLES
from indexer.search import MODES, check_request, search

from . import get_index

bp = Blueprint("precedent", __name__)


@bp.app_context_processor
def labels() -> dict:
    """Display names for the role and document-type keys stored in the index."""
    return {"roles": ROLES, "doc_types": DOC_TYPES}


@bp.app_template_filter("highlight")
def highlight(text: str, spans) -> Markup:
    """Escaped text with <mark> around the given character spans."""
    parts, last = [], 0
    for start, end in spans:
        parts.append(escape(text[last:start]))
        parts.append(Markup("<mark>%s</mark>") % text[start:end])
        last = end
    parts.append(escape(text[last:]))
    return Markup("").join(parts)


@bp.app_template_filter("longdate")
def longdate(iso: str | None) -> str:
    """'2019-10-15' -> '15 October 2019', the way the letters write dates."""
    return long_date(iso) or "undated"


def _search_args():
    return request.args.get("q", ""), request.args.get("k", "10"), request.args.get("mode", "hybrid")


@bp.get("/")
def index_page():
    q, k, mode = _search_args()
    context = {"q": q, "mode": mode if mode in MODES else "hybrid", "k": k, "modes": MODES, "response": None}
    if not q.strip():
        return render_template("search.html", **context)
    try:
        query, k, mode = check_request(q, k, mode)
    except QueryError as error:
        return render_template("search.html", **context, error=str(error)), 400
    context["response"] = search(get_index(), query, k, mode)
    return render_template("search.html", **context)


@bp.get("/api/search")
def api_search():
    query, k, mode = check_request(*_search_args())
    return jsonify(search(get_index(), query, k, mode).to_json())


@bp.get("/doc/<doc_id>")
def document_page(doc_id: str):
    return render_template("document.html", doc=get_index().document(doc_id))


@bp.get("/api/doc/<doc_id>")
def api_document(doc_id: str):
    return jsonify(get_index().document(doc_id).to_json())


@bp.get("/api/status")
def api_status():
    manifest = get_index().manifest
    status = {key: manifest[key] for key in ("schema_version", "generation", "created", "model", "counts", "run")}
    return jsonify({**status, "not_indexed": manifest["files"]["skipped"]})
