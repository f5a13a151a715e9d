"""Every file of a generation with its size and CRC-32, written last before the switch and checked when the
generation is opened, so that a truncated or damaged file is found and named, never searched.

Sizes, and the checksums of files up to SMALL, are checked at every open (a
search from the command line opens the index each time); the checksums of every
file when a server starts and before a build reuses the generation (``whole``):
at a million paragraphs the files hold 10 GB, 3 s of CRC-32 on this machine.
"""

from __future__ import annotations

import json
import zlib
from pathlib import Path

CHECKSUMS = "checksums.json"
SMALL = 64 * 1024 * 1024
_CHUNK = 16 * 1024 * 1024


def write(folder: Path) -> None:
    """List every file under ``folder`` with its size and checksum."""
    files = {path.relative_to(folder).as_posix(): [path.stat().st_size, _crc(path)]
             for path in sorted(folder.rglob("*")) if path.is_file() and path.name != CHECKSUMS}
    (folder / CHECKSUMS).write_text(json.dumps(files, indent=0), encoding="utf-8")


def problem(folder: Path, whole: bool = False) -> str | None:
    """What is wrong with the first file of ``folder`` that is missing, of another size than when written, or
    (of those up to SMALL, or all when ``whole``) of another checksum; None when nothing is."""
    try:
        listed = json.loads((folder / CHECKSUMS).read_text(encoding="utf-8"))
        files = {name: (int(size), int(crc)) for name, (size, crc) in listed.items()}
    except (OSError, ValueError, TypeError, AttributeError):
        return f"{folder / CHECKSUMS} is missing or damaged"
    for name, (size, crc) in files.items():
        path = folder / name
        try:
            actual = path.stat().st_size
        except OSError:
            return f"{path} is missing"
        if actual != size:
            return f"{path} holds {actual:,} bytes where {size:,} were written: cut short or changed"
        if (whole or size <= SMALL) and _crc(path) != crc:
            return f"{path} is damaged: its checksum is not the one written with it"
    return None


def _crc(path: Path) -> int:
    crc = 0
    with open(path, "rb") as handle:
        while chunk := handle.read(_CHUNK):
            crc = zlib.crc32(chunk, crc)
    return crc
