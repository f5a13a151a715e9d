"""The web UI and JSON API: a Flask app factory around the one search function.

The index is opened once, when the app is created, and kept on the app; views
reach it through ``get_index``. When there is no index yet the app still
starts, answers 503 with the command to run, and opens the index as soon as it
appears.
"""

from __future__ import annotations

import threading

from flask import Flask, current_app

from indexer.config import Settings
from indexer.errors import PrecedentError
from indexer.store import Index


def create_app(test_config: dict | None = None, settings: Settings | None = None) -> Flask:
    """Build the app. ``test_config`` may set PRECEDENT_INDEX to an already opened Index."""
    app = Flask(__name__)
    app.config.update(PRECEDENT_SETTINGS=settings or Settings.load(), PRECEDENT_INDEX=None, PRECEDENT_WARM=True)
    app.config.update(test_config or {})
    app.extensions["precedent_lock"] = threading.Lock()
    if app.config["PRECEDENT_INDEX"] is None:
        try:
            app.config["PRECEDENT_INDEX"] = Index.open(app.config["PRECEDENT_SETTINGS"])
        except PrecedentError as error:
            app.logger.warning("%s", error)
    if app.config["PRECEDENT_INDEX"] is not None and app.config["PRECEDENT_WARM"]:
        app.config["PRECEDENT_INDEX"].warm()

    from . import errors, views

    app.register_blueprint(views.bp)
    errors.init_app(app)
    return app


def get_index() -> Index:
    """The app's index; opens it on first use if it was missing at start. Raises PrecedentError."""
    config = current_app.config
    if config["PRECEDENT_INDEX"] is None:
        with current_app.extensions["precedent_lock"]:
            if config["PRECEDENT_INDEX"] is None:
                config["PRECEDENT_INDEX"] = Index.open(config["PRECEDENT_SETTINGS"])
    return config["PRECEDENT_INDEX"]
