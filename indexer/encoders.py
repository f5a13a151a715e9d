"""What turns text into vectors, behind one small interface, and which implementation a setting names.

An index's vectors all come from one encoder, named in its manifest: a build
reuses stored vectors only when the configured encoder made them, and a search
embeds its query with the encoder of the index it searches, so vectors of two
encoders are never compared. The torch encoder embeds queries in its model's
float32 ONNX graph, the same function as torch float32 (see vectors.Embedder):
a search process never imports torch.
"""

from __future__ import annotations

from typing import Protocol

import numpy as np

from .config import Settings

ENCODERS = ("onnx", "torch")


class Encoder(Protocol):
    name: str  # what the manifest records: vectors of different encoders are not mixed
    precision: str  # what documents are embedded in, for the build report
    dimension: int

    def encode_documents(self, texts: list[str], batch_size: int, progress=None) -> np.ndarray:
        """(len(texts), dimension) float32 unit rows, in the order given; ``progress(n)`` after each batch."""

    def encode_query(self, text: str) -> np.ndarray:
        """A (dimension,) float32 unit vector."""


def open_encoder(settings: Settings, name: str | None = None) -> Encoder:
    """The encoder called ``name`` (default: the configured one) for the configured model; loads nothing yet."""
    if (name or settings.encoder) == "onnx":
        from .onnx_encoder import OnnxEncoder

        return OnnxEncoder(settings.model_path(), settings.model_cache_dir())
    from .vectors import Embedder

    return Embedder(settings.model_path(), settings.precision, settings.model_cache_dir())
