"""Parts of index files read when asked for, with ``os.pread``, not memory-mapped.

A mapped file's pages count in the process's memory once read, and stay counted. The
1,000 paragraphs whose sentences a query blends (``vectors.scores``) lie all over
sentences.npy, and the kernel maps the pages around each one it reads: one query left
500 of its 556 MB resident at 100,000 paragraphs, and at a million the file is 5.5 GB.
Read into a buffer instead, the rows stay in the page cache, shared and reclaimable,
and the process holds only the rows it asked for, while it uses them.
"""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np


def read(path: Path, start: int, size: int) -> bytes:
    """``size`` bytes of ``path`` from byte ``start``."""
    with open(path, "rb") as handle:
        return os.pread(handle.fileno(), size, start)


class Rows:
    """The rows of a matrix saved by ``np.save``, read by ``rows[numbers]`` (an array of row numbers, or a
    slice) into a new array; ``np.asarray(rows)`` reads them all. Raises ValueError for a file that is not
    a whole C-ordered matrix."""

    def __init__(self, path: Path):
        with open(path, "rb") as handle:
            version = np.lib.format.read_magic(handle)
            header = np.lib.format.read_array_header_1_0 if version == (1, 0) else np.lib.format.read_array_header_2_0
            self.shape, fortran, self.dtype = header(handle)
            self._start = handle.tell()
        if fortran or len(self.shape) != 2:
            raise ValueError(f"{path}: not a matrix of rows")
        self._width = self.shape[1] * self.dtype.itemsize
        if os.path.getsize(path) != self._start + self.shape[0] * self._width:
            raise ValueError(f"{path}: {os.path.getsize(path)} bytes, not {self.shape[0]} rows of {self._width}")
        self.path = path

    def __len__(self) -> int:
        return self.shape[0]

    def __getitem__(self, numbers) -> np.ndarray:
        numbers = np.arange(len(self))[numbers] if isinstance(numbers, slice) else np.asarray(numbers, np.int64)
        out = np.empty((len(numbers), self.shape[1]), self.dtype)
        if not len(numbers):
            return out
        if numbers.min() < 0 or numbers.max() >= len(self):
            raise IndexError(f"{self.path}: rows {numbers.min()} to {numbers.max()} of {len(self)}")
        # one read per run of consecutive rows: a paragraph's sentences are one run
        breaks = np.flatnonzero(np.diff(numbers) != 1) + 1
        starts, ends = np.r_[0, breaks], np.r_[breaks, len(numbers)]
        buffer, width = memoryview(out).cast("B"), self._width
        with open(self.path, "rb") as handle:
            for first, start, end in zip(numbers[starts].tolist(), starts.tolist(), ends.tolist()):
                os.preadv(handle.fileno(), [buffer[start * width:end * width]], self._start + first * width)
        return out

    def __array__(self, dtype=None, copy=None) -> np.ndarray:
        return self[:] if dtype is None else self[:].astype(dtype)
