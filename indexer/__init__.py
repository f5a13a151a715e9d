"""Precedent: hybrid paragraph search over inspection letters and responses.

Data flows one way: files (documents) -> paragraphs -> keyword index and
vectors (build) -> search -> CLI or web.
"""

__version__ = "0.1.0"
