"""The ledger's page, its JSON twin and its CSV: each adapts ``indexer.ledger.ledger`` to HTTP.

Its filters are a GET form and its rows open with <details>, so the page works
without a script, and a ledger, like a search, is a URL to bookmark, share or
export as it is.
"""

from __future__ import annotations

from flask import Blueprint, jsonify, render_template, request

from indexer.errors import QueryError
from indexer.export import ledger_csv
from indexer.ledger import LedgerView, ledger, quotes
from indexer.store import Index
from indexer.verdicts import STATUSES

from . import get_index
from .views import download

bp = Blueprint("ledger", __name__)
# how each reply was found, as the page says it (``links.Link`` and ``ledger.Reply``)
HOW = {"heading": "under its heading", "label": "names it", "the AFI": "names it as the AFI",
       "order": "in the letter's order", "shared": "answered with the next item",
       "similarity": "nearest in meaning and words"}
_YES, _NO = ("yes", "true", "1", "on"), ("", "no", "false", "0", "off")
FILTERS = ("status", "inspectorate", "year", "document", "overdue", "today")


def _view(index: Index) -> LedgerView:
    """The ledger the URL asks for; raises QueryError naming the bad parameter."""
    args = request.args
    overdue = args.get("overdue", "").strip().lower()
    if overdue not in _YES + _NO:
        raise QueryError(f"overdue: {args['overdue']!r} is not yes or no")
    return ledger(index, args.get("status"), args.get("inspectorate"), args.get("year"), overdue in _YES,
                  args.get("today"), args.get("document"))


@bp.get("/ledger")
def ledger_page():
    index = get_index()
    everything = ledger(index).clocks  # what the form offers to choose from
    try:
        view, error = _view(index), None
    except QueryError as found:
        view, error = None, str(found)
    choices = {"statuses": STATUSES,
               "inspectorates": sorted({c.inspection.inspectorate for c in everything if c.inspection.inspectorate}),
               "documents": sorted({doc for c in everything for doc in c.inspection.documents},
                                   key=lambda doc: (index.titles[doc], doc))}
    # the export links carry the filters as given, and nothing else: url_for reads _external, _scheme and
    # _method as instructions, not parameters
    asked = {name: request.args[name] for name in FILTERS if name in request.args}
    return render_template("ledger.html", view=view, error=error, quotes=quotes(index, view) if view else {},
                           titles=index.titles, how=HOW, asked=asked, **choices), 400 if error else 200


@bp.get("/api/ledger")
def api_ledger():
    return jsonify(_view(get_index()).to_json())


@bp.get("/ledger.csv")
def ledger_csv_file():
    view = _view(get_index())
    said = " ".join(["ledger", *(name if value is True else str(value) for name, value in view.filters.items())])
    return download(ledger_csv(view, request.host_url.rstrip("/")), "text/csv", said, "csv")
