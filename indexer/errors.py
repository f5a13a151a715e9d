"""One error family: every failure a user can cause or fix is a PrecedentError.

The CLI prints these as ``Error: <message>`` and exits 1; the web app maps them
to an HTTP status through ``status``. Anything else is a bug.
"""


class PrecedentError(Exception):
    """Base class; ``status`` is the HTTP status the web app answers with."""

    status = 500


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
