"""One error family: every failure a user can cause or fix is a PrecedentError.

The CLI prints these as ``Error: <message>`` and exits 1; the web app maps them
to an HTTP status through ``status``. Anything else is a bug.
"""


class PrecedentError(Exception):
    """Base class; ``status`` is the HTTP status the web app answers with."""

    status = 500
    retry_after: int | None = None  # for a 503 that passes: the seconds after which to ask again


class ConfigError(PrecedentError):
    """A setting or command-line value is invalid."""

    status = 400


class NothingIndexed(PrecedentError):
    """No file of an index run yielded a document; ``skipped`` says why, file by file."""

    def __init__(self, message: str, skipped: list):
        super().__init__(message)
        self.skipped = skipped


class QueryError(PrecedentError):
    """A search request is invalid (empty query, unknown mode, k out of range). Its message opens
    with the request parameter at fault, as the web names it: "k: must be from 1 to 100"."""

    status = 400

    @property
    def parameter(self) -> str:
        return str(self).split(":", 1)[0]


class QueryTooCostly(QueryError):
    """A search ran past its time budget (the query_seconds setting) and was stopped, so that one costly
    query cannot hold a server thread: the query asks too much, or the server is too busy to answer it now."""

    status = 503
    retry_after = 5


class IndexMissingError(PrecedentError):
    """There is no index yet: the user must run ``precedent index``."""

    status = 503


class IndexMismatchError(PrecedentError):
    """The index on disk was built by another schema or model: re-index."""

    status = 503


class DocumentNotFound(PrecedentError):
    """No indexed document has the requested id."""

    status = 404


class ModelError(PrecedentError):
    """The embedding model could not be loaded from its configured path."""

    status = 503


class LoadError(Exception):
    """A file that yields no document; the message is the one-line reason.

    Not a PrecedentError: it never stops a run. The build records it against
    the file, prints it in the summary and keeps indexing the other files.
    """
