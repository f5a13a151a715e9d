"""Metadata written by people: a ``NAME.meta.json`` file beside a document, or
front matter at the top of a Markdown file.

Extraction gets most fields right but not all (a response that never names the
report it answers has no good title), so a person can supply or correct any
field of ``records.Metadata``. Such a file is checked strictly: an unknown
field, a wrong type or a date that is not a date is an error naming the file,
because a typo that silently did nothing would be worse than no override.
"""

from __future__ import annotations

import json
import re
from dataclasses import replace
from pathlib import Path

from .errors import LoadError
from .metadata import parse_date
from .records import DOC_TYPES, Metadata

SUFFIX = ".meta.json"
_DATES = ("date", "published", "signed")
_FRONT_MATTER = re.compile(r"\A---[ \t]*\n(.*?)\n---[ \t]*(?:\n|\Z)", re.DOTALL)


def sidecar_path(document: Path) -> Path | None:
    """``report.pdf.meta.json`` or ``report.meta.json`` beside ``report.pdf``, if there is one."""
    for candidate in (document.with_name(document.name + SUFFIX), document.with_name(document.stem + SUFFIX)):
        if candidate.is_file():
            return candidate
    return None


def read_sidecar(data: bytes) -> dict:
    """The checked overrides in a sidecar's bytes; raises LoadError with the reason."""
    try:
        values = json.loads(data.decode("utf-8-sig"))
    except UnicodeDecodeError:
        raise LoadError("not UTF-8 text; save it as UTF-8 JSON") from None
    except ValueError as error:
        raise LoadError(f"not valid JSON ({error}); fix it or remove the file") from None
    if not isinstance(values, dict):
        raise LoadError('must be a JSON object such as {"title": "…", "author": "…"}')
    return check(values)


def split_front_matter(text: str) -> tuple[dict, str]:
    """(overrides, the rest of the text) for Markdown opening with a ``---`` block of ``key: value`` lines."""
    match = _FRONT_MATTER.match(text)
    if not match:
        return {}, text
    values = {}
    for number, line in enumerate(match.group(1).split("\n"), start=2):
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        key, colon, value = line.partition(":")
        if not colon:
            raise LoadError(f"front matter line {number}: expected 'field: value', got {line.strip()!r}")
        value = value.strip().strip("\"'")
        values[key.strip()] = value or None
    return check(values), text[match.end():]


def check(values: dict) -> dict:
    """Overrides with dates normalised to ISO; raises LoadError naming every bad field, so one edit fixes the file."""
    names = Metadata.names()
    checked, problems = {}, []
    for key, value in values.items():
        if key in names:
            try:
                checked[key] = _field(key, value)
            except LoadError as error:
                problems.append(str(error))
    unknown = [repr(key) for key in values if key not in names]
    if unknown:
        problems.append(f"unknown field{'s' if len(unknown) > 1 else ''} {', '.join(unknown)}; use {', '.join(names)}")
    if problems:
        raise LoadError("; ".join(problems))
    return checked


def _field(key: str, value):
    """One known field's value, a date normalised to ISO; raises LoadError naming the field."""
    if value is not None and not isinstance(value, str):
        raise LoadError(f"field {key!r} must be text or null, got {type(value).__name__}")
    if key in _DATES and value is not None:
        date = parse_date(value)
        if date is None:
            raise LoadError(f"field {key!r}: {value!r} is not a date such as 2023-06-06 or 6 June 2023")
        return date
    if key == "doc_type" and value not in DOC_TYPES:
        raise LoadError(f"field 'doc_type' must be one of {', '.join(DOC_TYPES)}, got {value!r}")
    if key == "title" and not (value or "").strip():
        raise LoadError("field 'title' must not be empty")
    return value


def apply(meta: Metadata, overrides: dict) -> Metadata:
    """``meta`` with the overrides; the shown date follows an overridden signed/published date."""
    updated = replace(meta, **overrides)
    if "date" not in overrides and ("signed" in overrides or "published" in overrides):
        updated = replace(updated, date=updated.signed or updated.published or meta.date)
    return updated
