"""The web UI and JSON API: a Flask app factory around the one search function and the one ledger function.

The index is opened once, when the app is created, and kept on the app; views
reach it through ``get_index``. When there is no index yet the app still
starts, answers 503 with the command to run, and opens the index as soon as it
appears. When ``precedent index`` publishes a new generation, the next request
opens it while the requests already running finish on the old one; if it
cannot be opened, the old one goes on serving.
"""

from __future__ import annotations

import threading

from flask import Flask, current_app

from indexer.config import Settings
from indexer.errors import PrecedentError
from indexer.search import warm
from indexer.store import Index, IndexFolder


def create_app(test_config: dict | None = None, settings: Settings | None = None) -> Flask:
    """Build the app. ``test_config`` may set PRECEDENT_INDEX to an already opened Index."""
    app = Flask(__name__)
    app.url_map.strict_slashes = False  # "/api/search/" is "/api/search"
    app.url_map.merge_slashes = False  # "//x" is not found, not redirected: no address redirects anywhere
    # never debug, even with FLASK_DEBUG set: the server is waitress, and a page never shows a traceback
    app.config.update(PRECEDENT_SETTINGS=settings or Settings.load(), PRECEDENT_INDEX=None, PRECEDENT_WARM=True,
                      DEBUG=False)
    app.config.update(test_config or {})
    app.extensions["precedent_lock"] = threading.Lock()
    if app.config["PRECEDENT_INDEX"] is None:
        try:
            app.config["PRECEDENT_INDEX"] = Index.open(app.config["PRECEDENT_SETTINGS"])
        except PrecedentError as error:
            app.logger.warning("%s", error)
    if app.config["PRECEDENT_INDEX"] is not None and app.config["PRECEDENT_WARM"]:
        warm(app.config["PRECEDENT_INDEX"])

    from . import errors, headers, ledger, limits, ratelimit, views

    app.register_blueprint(views.bp)
    app.register_blueprint(ledger.bp)
    errors.init_app(app)
    headers.init_app(app)
    limits.init_app(app)
    ratelimit.init_app(app)
    return app


def get_index() -> Index:
    """The app's index, the newest generation on disk. Raises PrecedentError when there is none."""
    config = current_app.config
    index = config["PRECEDENT_INDEX"]
    if index is None:
        with current_app.extensions["precedent_lock"]:
            if config["PRECEDENT_INDEX"] is None:
                config["PRECEDENT_INDEX"] = Index.open(config["PRECEDENT_SETTINGS"])
        return config["PRECEDENT_INDEX"]
    latest = IndexFolder(index.settings.index_dir).current_name()
    if latest in (None, index.folder.name, config.get("PRECEDENT_UNOPENABLE")):
        return index
    lock = current_app.extensions["precedent_lock"]
    if not lock.acquire(blocking=False):
        return index  # another request is opening it; this one is served by the current index
    try:
        opened = Index.open(index.settings)
        if config["PRECEDENT_WARM"]:
            warm(opened)  # before it answers: the requests meanwhile are served by the index they had
        config["PRECEDENT_INDEX"] = opened
    except PrecedentError as error:
        config["PRECEDENT_UNOPENABLE"] = latest
        current_app.logger.warning("Still serving %s: %s", index.folder.name, error)
    finally:
        lock.release()
    return config["PRECEDENT_INDEX"]
