"""``precedent eval``: relevance figures for a BEIR-format dataset, per search mode.

The dataset goes through the normal indexing path: each corpus entry is
written as a text file (title as its first line, then the text), indexed with
``build_index`` and searched with ``search``, so the figures measure what
users get. A corpus entry split into several paragraphs scores by its best
paragraph. With ``work_dir`` the generated files and the index are kept, and a
second run on the same dataset reuses them (incremental indexing).
"""

from __future__ import annotations

import json
import statistics
import tempfile
import time
from dataclasses import dataclass, field, replace
from pathlib import Path

from . import metrics
from .build import build_index
from .config import Settings
from .errors import ConfigError
from .search import MAX_K, MODES, search, warm
from .store import Index


@dataclass
class Dataset:
    name: str
    corpus: dict[str, tuple[str, str]]  # id -> (title, text)
    queries: dict[str, str]  # id -> text, only the queries that have judgments
    qrels: dict[str, dict[str, int]]  # query id -> corpus id -> grade


@dataclass
class ModeResult:
    mode: str
    figures: dict[str, float]
    median_ms: float
    per_query: dict[str, dict[str, float]] = field(repr=False)


@dataclass
class Evaluation:
    dataset: str
    passages: int
    indexed: int
    queries: int
    index_seconds: float
    embed_seconds: float
    modes: list[ModeResult]

    def to_json(self) -> dict:
        return {**{k: v for k, v in vars(self).items() if k != "modes"},
                "modes": {m.mode: {**m.figures, "median_ms": m.median_ms} for m in self.modes}}


def load_dataset(folder: Path) -> Dataset:
    """Read corpus.jsonl, queries.jsonl and qrels/test.tsv; raises ConfigError naming a bad file."""
    corpus = {row["_id"]: (row.get("title") or "", row.get("text") or "") for row in _jsonl(folder / "corpus.jsonl")}
    queries, qrels = read_queries(folder / "queries.jsonl"), read_qrels(folder / "qrels" / "test.tsv")
    judged = {q: text for q, text in queries.items() if q in qrels}
    if not judged:
        raise ConfigError(f"{folder}: no query in queries.jsonl has judgments in qrels/test.tsv")
    return Dataset(folder.name, corpus, judged, qrels)


def read_queries(path: Path) -> dict[str, str]:
    return {row["_id"]: row["text"] for row in _jsonl(path)}


def read_qrels(path: Path) -> dict[str, dict[str, int]]:
    """query id -> corpus id -> grade, from a BEIR qrels TSV (header line optional)."""
    qrels: dict[str, dict[str, int]] = {}
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except OSError as error:
        raise ConfigError(f"{path}: cannot be read ({error.strerror}); a BEIR folder has qrels/test.tsv") from None
    for number, line in enumerate(lines, start=1):
        cells = line.split("\t")
        if number == 1 and cells[0] == "query-id" or not line.strip():
            continue
        if len(cells) != 3 or not cells[2].strip().lstrip("-").isdigit():
            raise ConfigError(f"{path}, line {number}: expected query-id<TAB>corpus-id<TAB>score")
        qrels.setdefault(cells[0], {})[cells[1]] = int(cells[2])
    return qrels


def _jsonl(path: Path) -> list[dict]:
    try:
        with open(path, encoding="utf-8") as handle:
            return [json.loads(line) for line in handle if line.strip()]
    except OSError as error:
        raise ConfigError(f"{path}: cannot be read ({error.strerror}); give a BEIR-format folder") from None
    except ValueError as error:
        raise ConfigError(f"{path}: not JSON lines ({error})") from None


def evaluate(folder: Path, settings: Settings, modes=MODES, work_dir: Path | None = None,
             progress: bool = True) -> Evaluation:
    """Index the dataset in ``folder`` and score every judged query in each of ``modes``."""
    dataset = load_dataset(folder)
    with tempfile.TemporaryDirectory(prefix="precedent-eval-") as scratch:
        root = work_dir or Path(scratch)
        docs, ids = write_corpus(dataset, root / "documents")
        # no time budget: a relevance figure counts every query, however long it takes
        settings = replace(settings, index_dir=root / "index", corpus=docs, query_seconds=0.0)
        report = build_index(settings, progress=progress)
        index = Index.open(settings)
        warm(index)
        # a corpus entry ranks by its best paragraph
        results = [run_mode(index, dataset.queries, dataset.qrels, mode, lambda r: ids[r.doc_id]) for mode in modes]
    return Evaluation(dataset.name, len(dataset.corpus), report.documents, len(dataset.queries),
                      round(report.seconds, 1), round(report.embed_seconds, 1), results)


def write_corpus(dataset: Dataset, folder: Path) -> tuple[Path, dict[str, str]]:
    """One text file per corpus entry; returns the folder and doc_id -> corpus id."""
    folder.mkdir(parents=True, exist_ok=True)
    ids = {}
    for number, (corpus_id, (title, text)) in enumerate(sorted(dataset.corpus.items())):
        name = f"d{number:07d}"
        content = f"{title}\n\n{text}\n" if title.strip() else f"{text}\n"
        path = folder / f"{name}.txt"
        if not path.exists() or path.read_text(encoding="utf-8") != content:
            path.write_text(content, encoding="utf-8")
        ids[name] = corpus_id
    return folder, ids


def run_mode(index: Index, queries: dict[str, str], qrels: dict[str, dict[str, int]], mode: str,
             identify) -> ModeResult:
    """Score every query in one mode; ``identify`` maps a result to the id the judgments use."""
    per_query, timings = {}, []
    for query_id, text in queries.items():
        started = time.perf_counter()
        results = search(index, text, k=MAX_K, mode=mode).results
        timings.append(time.perf_counter() - started)
        # a folded result stands for its near-identical twins too, listed with it
        ranking = list(dict.fromkeys(identify(item) for r in results for item in (r, *r.also_in)))
        per_query[query_id] = metrics.scores(ranking, qrels[query_id])
    names = next(iter(per_query.values())).keys()
    figures = {name: round(statistics.fmean(q[name] for q in per_query.values()), 3) for name in names}
    return ModeResult(mode, figures, round(statistics.median(timings) * 1000, 1), per_query)
