"""Precedent at the sizes its users mean: build, query, serve, re-index; writes docs/benchmarks.md.

    make bench                      # 10k and 100k paragraphs
    PYTHONPATH=. .venv/bin/python benchmarks/suite.py --sizes 10k,100k,1m --repeat 3 --out docs/benchmarks.md

For each size a synthetic corpus (``benchmarks/synth.py``, seed 0) is indexed with the real pipeline
and a cached encoder (``benchmarks/cached_encoder.py``: real sentence vectors embedded once, paragraph
vectors their noisy mean; queries are embedded by the real model), so the build's embed stage is not
the real one: real embedding throughput is measured on its own, on real paragraphs. Then every mode's
latency through ``indexer.search.search``, the server (start, RSS, HTTP with 8 loopback clients), the
re-indexing of one changed document, and, side by side in the same run, the floor (query encode +
exact dot product + tantivy) and a naive baseline (rank-bm25 + sentence-transformers'
semantic_search + RRF). Timings on a shared machine are noisy: medians and p95, and ratios measured
in the same run, are the figures to read. Work files go to ``.bench-cache/`` (git-ignored).
"""

from __future__ import annotations

import os

# as `precedent` does (indexer/cli.py): threads waiting for work sleep, so the model and numpy do not fight
os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")

import argparse
import cProfile
import io
import json
import platform
import pstats
import re
import shutil
import socket
import statistics
import subprocess
import sys
import threading
import time
import urllib.parse
import urllib.request
from datetime import datetime, timezone
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks import synth  # noqa: E402
from benchmarks.cached_encoder import CachedEncoder, SentenceCache  # noqa: E402
from indexer.build import build_index  # noqa: E402
from indexer.config import Settings  # noqa: E402
from indexer.errors import QueryError  # noqa: E402
from indexer.facets import Filters  # noqa: E402
from indexer.search import MODES, search, warm  # noqa: E402
from indexer.store import Index  # noqa: E402

CACHE = ROOT / ".bench-cache"
NOTES = ROOT / "benchmarks" / "targets.md"
SIZES = {"10k": 10_000, "100k": 100_000, "1m": 1_000_000}
QUERIES = [
    "custody", "children detained in police custody overnight", "child sexual exploitation", "CSE",
    "knife crime", "missing children", "stop and search", "vetting", "domestic abuse", "county lines",
    "voice of the child", "mental health", "registered sex offenders", "violence against women and girls",
    "rape investigations", "counter-corruption", "use of force", "digital forensics", "youth offending",
    "hate crime", "modern slavery", "call handling", "victims' needs", "problem profiles",
    "multi-agency risk management", "accountability board", "police and crime panel",
    "safeguarding vulnerable adults", "Recommendation 3", "online child abuse",
]
FILTERS = Filters({"year": ("2019",), "doc_type": ("pcc_response",)})
HTTP_EXTRA = ["police", "children", "training", "partners"]
CLIENTS = 8
HTTP_QUERIES = 30  # of QUERIES, each with every HTTP_EXTRA word: 120 distinct requests a load


# ---------------------------------------------------------------- helpers

def ms(seconds: list[float]) -> dict:
    if not seconds:
        return {"n": 0, "median": None, "p95": None}
    ordered = sorted(seconds)
    return {"n": len(ordered), "median": statistics.median(ordered) * 1000,
            "p95": ordered[min(len(ordered) - 1, int(round(0.95 * (len(ordered) - 1))))] * 1000}


def machine() -> dict:
    cpu = next((line.split(":", 1)[1].strip() for line in open("/proc/cpuinfo") if line.startswith("model name")),
               platform.processor())
    mem = next(int(line.split()[1]) for line in open("/proc/meminfo") if line.startswith("MemTotal"))
    return {"cpu": cpu, "cores": os.cpu_count(), "ram_gib": mem / 1024 / 1024, "python": platform.python_version(),
            "load": os.getloadavg()}


def disk(path: Path) -> int:
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file())


def settings_for(index_dir: Path, corpus: Path, engine: str | None = None) -> Settings:
    """No time budget: the suite measures how long queries take, and would lose the slowest to 503s."""
    return Settings.load(env={}, index_dir=str(index_dir), corpus=str(corpus), keyword_engine=engine,
                         query_seconds="0")


def log(*parts) -> None:
    print(f"[{time.strftime('%H:%M:%S')}]", *parts, file=sys.stderr, flush=True)


# ---------------------------------------------------------------- real embedding throughput

def embed_throughput(sample: int, rounds: int = 3) -> dict:
    """¶/s of the real model on real paragraphs: sentence-transformers in float32 (the reference) and each
    encoder, interleaved (each slice of 100 texts by every encoder in turn, so a load swing hits all alike);
    each encoder's ratio to the reference is the median of ``rounds`` rounds."""
    from indexer.encoders import open_encoder
    from indexer.vectors import _load_model

    settings = Settings.load(env={}, model_cache=str(CACHE / "models"))
    texts = _real_paragraphs(sample)
    reference = _load_model(settings.model_path(), "float32")
    encoders = {"torch float32 (sentence-transformers)": None,
                **{f"{name}{' (the default)' if name == settings.encoder else ''}": open_encoder(settings, name)
                   for name in ("torch", "onnx")}}

    def encode(label: str, part: list[str]) -> None:
        if encoders[label] is None:
            reference.encode_document(part, batch_size=settings.batch_size)
        else:
            encoders[label].encode_documents(part, settings.batch_size)

    for label in encoders:
        encode(label, texts[:32])  # load and warm
    seconds = {label: [0.0] * rounds for label in encoders}
    labels = list(encoders)
    for round_ in range(rounds):
        for number, start in enumerate(range(0, len(texts), 100)):
            turn = (round_ + number) % len(labels)
            for label in labels[turn:] + labels[:turn]:
                clock = time.perf_counter()
                encode(label, texts[start : start + 100])
                seconds[label][round_] += time.perf_counter() - clock
    result = {"paragraphs": len(texts), "source": texts and _REAL_SOURCE[0], "rounds": rounds}
    base = seconds["torch float32 (sentence-transformers)"]
    for label, encoder in encoders.items():
        queries = []
        for q in QUERIES[:20] if encoder else ():
            clock = time.perf_counter()
            encoder.encode_query(q)
            queries.append(time.perf_counter() - clock)
        result[label] = {"per_s": len(texts) / statistics.median(seconds[label]),
                         "ratio": statistics.median(b / t for b, t in zip(base, seconds[label])),
                         "precision": encoder.precision if encoder else "float32", "query": ms(queries)}
    return result


def _ratio(embedding: dict, row: dict) -> float:
    """A row's speed over torch float32's: measured interleaved, or (results of before) from the two rates."""
    return row.get("ratio") or row["per_s"] / embedding["torch float32"]["per_s"]


_REAL_SOURCE = [""]


def _real_paragraphs(n: int) -> list[str]:
    path = synth.DEFAULT_SHARED / "msmarco" / "corpus.jsonl"
    if path.is_file():
        _REAL_SOURCE[0] = "msmarco passages"
        with open(path, encoding="utf-8") as handle:
            return [json.loads(line)["text"] for _, line in zip(range(n), handle)]
    _REAL_SOURCE[0] = "the shipped corpus's paragraphs, repeated"
    texts = synth._corpus_paragraphs(ROOT / "corpus")
    return (texts * (n // max(1, len(texts)) + 1))[:n]


# ---------------------------------------------------------------- build

def build(size: str, paragraphs: int, cache: SentenceCache, engine: str) -> dict:
    corpus, index_dir = CACHE / f"corpus-{size}", CACHE / f"index-{size}-{engine}"
    started = time.perf_counter()
    made = synth.generate(corpus, paragraphs, seed=0)
    generated = time.perf_counter() - started
    primed = cache.ensure(made.sentences)
    shutil.rmtree(index_dir, ignore_errors=True)
    settings = settings_for(index_dir, corpus, engine)
    encoder = CachedEncoder(cache)
    report = build_index(settings, [corpus], rebuild=True, progress=False, encoder=encoder)
    current = index_dir / (index_dir / "CURRENT").read_text().strip()
    parts = {name: disk(current / name) if (current / name).is_dir() else (current / name).stat().st_size
             for name in ("keyword", "vectors.npy", "sentences.npy", "documents.jsonl")
             if (current / name).exists()}
    return {"documents": report.documents, "paragraphs": report.paragraphs, "sentences": len(made.sentences),
            "generate_s": generated, "primed": primed, "seconds": report.seconds, "parse_s": report.parse_seconds,
            "embed_s": report.embed_seconds, "duplicates_s": report.duplicates_seconds,
            "keyword_s": report.keyword_seconds, "ledger_s": report.ledger_seconds, "folded": report.folded, "disk": disk(current), "parts": parts,
            "corpus": str(corpus), "index_dir": str(index_dir), "engine": engine}


# ---------------------------------------------------------------- queries through search()

def query_latency(index: Index, repeat: int, queries: list[str] = QUERIES) -> dict:
    """search() per mode, with and without FILTERS, page 1 (query vector not cached) and page 5 (cached)."""
    out = {}
    for mode in MODES:
        for filtered in (False, True):
            filters = FILTERS if filtered else Filters()
            first, fifth, totals, skipped = [], [], [], 0
            for _ in range(repeat):
                for query in queries:
                    index.embed_query.cache_clear()
                    clock = time.perf_counter()
                    response = search(index, query, 10, mode, filters)
                    first.append(time.perf_counter() - clock)
                    totals.append(response.total)
                    clock = time.perf_counter()
                    try:
                        search(index, query, 10, mode, filters, page=5)
                        fifth.append(time.perf_counter() - clock)
                    except QueryError:
                        skipped += 1
            out[f"{mode}{' + filters' if filtered else ''}"] = {
                "page1": ms(first), "page5": ms(fifth), "page5_skipped": skipped,
                "total_median": statistics.median(totals)}
    return out


def profile_hybrid(index: Index, queries: list[str], top: int = 14) -> str:
    profiler = cProfile.Profile()
    profiler.enable()
    for query in queries:
        index.embed_query.cache_clear()
        search(index, query, 10, "hybrid")
    profiler.disable()
    text = io.StringIO()
    pstats.Stats(profiler, stream=text).sort_stats("tottime").print_stats(top)
    lines = [line for line in text.getvalue().splitlines() if re.match(r"\s*\d", line)]
    return "\n".join(lines[:top])


# ---------------------------------------------------------------- floor and naive baseline

def baselines(index: Index, repeat: int, queries: list[str] = QUERIES) -> dict:
    """Floor: encode + exact dot product + tantivy; naive: rank-bm25 + semantic_search + RRF."""
    texts = [p.text for p in index.paragraphs]
    matrix = np.array(index.vectors, dtype=np.float32)  # a writable copy, for torch.from_numpy
    model = index.embedder
    out = {}
    try:
        import tantivy  # pip install tantivy==0.27.0; rank-bm25 below: pip install rank-bm25
        from rank_bm25 import BM25Okapi
    except ImportError as error:
        log(f"floor and naive baseline skipped: {error}")
        return {}

    started = time.perf_counter()
    schema = tantivy.SchemaBuilder().add_text_field("body", stored=False).add_integer_field(
        "row", stored=True).build()
    where = CACHE / "tantivy"
    shutil.rmtree(where, ignore_errors=True)
    where.mkdir(parents=True)
    tindex = tantivy.Index(schema, str(where))
    writer = tindex.writer()
    for row, text in enumerate(texts):
        writer.add_document(tantivy.Document(body=text, row=row))
    writer.commit()
    tindex.reload()
    out["tantivy_build_s"] = time.perf_counter() - started
    searcher = tindex.searcher()
    encode, dot, keyword_t, floor = [], [], [], []
    for _ in range(repeat):
        for query in queries:
            c0 = time.perf_counter()
            vector = model.encode_query(query)
            c1 = time.perf_counter()
            scores = matrix @ vector
            top = np.argpartition(-scores, 10)[:10]
            top[np.argsort(-scores[top])]
            c2 = time.perf_counter()
            parsed = tindex.parse_query(re.sub(r"[^\w\s]", " ", query), ["body"])
            searcher.search(parsed, 10)
            c3 = time.perf_counter()
            encode.append(c1 - c0), dot.append(c2 - c1), keyword_t.append(c3 - c2), floor.append(c3 - c0)
    out.update({"encode": ms(encode), "dot": ms(dot), "tantivy": ms(keyword_t), "floor": ms(floor)})

    if len(texts) <= 200_000:
        from sentence_transformers import util
        import torch

        started = time.perf_counter()
        tokenise = lambda t: re.findall(r"\w+", t.lower())  # noqa: E731
        bm25 = BM25Okapi([tokenise(t) for t in texts])
        tensor = torch.from_numpy(matrix)
        out["naive_build_s"] = time.perf_counter() - started
        naive = []
        for _ in range(max(1, repeat // 2)):
            for query in queries:
                clock = time.perf_counter()
                vector = torch.from_numpy(model.encode_query(query)[None, :])
                dense = util.semantic_search(vector, tensor, top_k=100)[0]
                sparse = np.argsort(-bm25.get_scores(tokenise(query)))[:100]
                fused = {}
                for rank, hit in enumerate(dense):
                    fused[hit["corpus_id"]] = fused.get(hit["corpus_id"], 0) + 1 / (60 + rank)
                for rank, row in enumerate(sparse):
                    fused[int(row)] = fused.get(int(row), 0) + 1 / (60 + rank)
                sorted(fused, key=fused.get, reverse=True)[:10]
                naive.append(time.perf_counter() - clock)
        out["naive"] = ms(naive)
    return out


# ---------------------------------------------------------------- server

def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def memory_mb(pid: int) -> dict:
    """The server's memory: the largest RSS of its processes (each serves on its own, so this is what one
    needs), their count, and the PSS of them all (pages shared, such as the index files, counted once)."""
    pids = [pid, *map(int, Path(f"/proc/{pid}/task/{pid}/children").read_text().split())]
    rss, pss = [], 0
    for each in pids:
        fields = dict(line.split(":", 1) for line in open(f"/proc/{each}/smaps_rollup") if ":" in line)
        rss.append(int(fields["Rss"].split()[0]) / 1024)
        pss += int(fields["Pss"].split()[0]) / 1024
    return {"rss": max(rss), "pss": pss, "processes": len(pids)}


def get(url: str, timeout: float = 60) -> tuple[int, bytes]:
    try:
        with urllib.request.urlopen(url, timeout=timeout) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as error:
        return error.code, b""


def serve(index_dir: Path, corpus: Path) -> dict:
    port = free_port()
    env = {**os.environ, "PYTHONPATH": str(ROOT), "PRECEDENT_INDEX_DIR": str(index_dir),
            "PRECEDENT_CORPUS": str(corpus), "PRECEDENT_RATE_LIMIT": "0",  # 8 clients ask far more than an office
           "PRECEDENT_QUERY_SECONDS": "0"}
    started = time.perf_counter()
    process = subprocess.Popen([sys.executable, "-m", "indexer.cli", "serve", "--index-dir", str(index_dir),
                                "--host", "127.0.0.1", "--port", str(port)], cwd=ROOT, env=env,
                               stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    base = f"http://127.0.0.1:{port}"
    out = {}
    try:
        while time.perf_counter() - started < 300:
            try:
                status, _ = get(f"{base}/api/search?q=custody", timeout=60)
                if status == 200:
                    break
            except OSError:
                time.sleep(0.1)
        else:
            raise RuntimeError("server did not answer within 300 s")
        out["start_s"] = time.perf_counter() - started
        memory = memory_mb(process.pid)
        out["rss_start_mb"], out["pss_start_mb"], out["processes"] = memory["rss"], memory["pss"], memory["processes"]
        queries = [f"{q} {extra}" for extra in HTTP_EXTRA for q in QUERIES[:HTTP_QUERIES]]  # distinct: no query-vector cache hits
        for label, params in (("hybrid", {"mode": "hybrid"}), ("keyword", {"mode": "keyword"}),
                              ("hybrid + filters", {"mode": "hybrid", "year": "2019", "doc_type": "pcc_response"})):
            out[label] = load(base, queries, params)
            queries = queries[len(queries) // 3:] + queries[:len(queries) // 3]
        memory = memory_mb(process.pid)
        out["rss_mb"], out["pss_mb"] = memory["rss"], memory["pss"]
    finally:
        process.terminate()
        try:
            process.wait(10)
        except subprocess.TimeoutExpired:
            process.kill()
    return out


def load(base: str, queries: list[str], params: dict) -> dict:
    """CLIENTS threads sharing the queries, each request timed; queries/s over the whole run."""
    lock, times, errors, pending = threading.Lock(), [], [0], list(queries)

    def client():
        while True:
            with lock:
                if not pending:
                    return
                query = pending.pop()
            url = f"{base}/api/search?" + urllib.parse.urlencode({"q": query, **params})
            clock = time.perf_counter()
            status, _ = get(url)
            with lock:
                times.append(time.perf_counter() - clock)
                errors[0] += status != 200
    started = time.perf_counter()
    threads = [threading.Thread(target=client) for _ in range(CLIENTS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    wall = time.perf_counter() - started
    return {**ms(times), "qps": len(times) / wall, "errors": errors[0], "requests": len(times)}


# ---------------------------------------------------------------- re-index one changed document

def reindex_one(built: dict, cache: SentenceCache) -> dict:
    corpus, index_dir = Path(built["corpus"]), Path(built["index_dir"])
    victim = sorted(corpus.rglob("*.md"))[len(built) % 7]
    stamp = datetime.now(timezone.utc).strftime("%H%M%S%f")
    victim.write_text(victim.read_text(encoding="utf-8") + f"\nThis paragraph was added to the document at "
                      f"{stamp} to measure re-indexing one changed document.\n", encoding="utf-8")
    settings = settings_for(index_dir, corpus, built["engine"])
    report = build_index(settings, [corpus], progress=False, encoder=CachedEncoder(cache))
    return {"seconds": report.seconds, "added": report.added, "embedded": report.embedded,
            "parse_s": report.parse_seconds, "embed_s": report.embed_seconds,
            "duplicates_s": report.duplicates_seconds, "keyword_s": report.keyword_seconds,
            "ledger_s": report.ledger_seconds}


# ---------------------------------------------------------------- sample corpus (real encoder)

def sample(repeat: int) -> dict:
    index_dir = CACHE / "index-sample"
    settings = settings_for(index_dir, ROOT / "corpus")
    report = build_index(settings, [ROOT / "corpus"], rebuild=True, progress=False)
    index = Index.open(settings)
    warm(index)
    with searching():
        latency = query_latency(index, repeat)
    return {"paragraphs": report.paragraphs, "build_s": report.seconds, "queries": latency, "disk": disk(index_dir)}


def searching():
    """BLAS on one thread, as in every searching ``precedent`` process (indexer/cli.py says why)."""
    from threadpoolctl import threadpool_limits  # pip install threadpoolctl

    return threadpool_limits(1, user_api="blas")


# ---------------------------------------------------------------- one size

def run_size(size: str, paragraphs: int, repeat: int, cache: SentenceCache, with_server: bool,
             queries: list[str] = QUERIES, engine: str = "tantivy", built: dict | None = None) -> dict:
    """Every figure of one size, on the index ``built`` by an earlier run (its build figures kept), or on
    one built now."""
    if built and (Path(built["index_dir"]) / "CURRENT").is_file():
        log(f"{size}: reusing {built['index_dir']}")
        result = {"build": built}
    else:
        log(f"{size}: generating and building ({engine})")
        result = {"build": build(size, paragraphs, cache, engine)}
        log(f"{size}: built in {result['build']['seconds']:.1f} s; opening")
    settings = settings_for(Path(result["build"]["index_dir"]), Path(result["build"]["corpus"]), engine)
    clock = time.perf_counter()
    index = Index.open(settings)
    warm(index)
    result["open_s"] = time.perf_counter() - clock
    with searching():
        log(f"{size}: queries")
        result["queries"] = query_latency(index, repeat, queries)
        result["query_count"] = len(queries)
        log(f"{size}: floor and naive baseline")
        result["baselines"] = baselines(index, repeat, queries)
        if len(index.paragraphs) >= 100_000:
            log(f"{size}: profile")
            result["profile"] = profile_hybrid(index, queries)
    del index
    if with_server:
        log(f"{size}: server")
        result["server"] = serve(Path(result["build"]["index_dir"]), Path(result["build"]["corpus"]))
    log(f"{size}: re-index one changed document")
    result["reindex"] = reindex_one(result["build"], cache)
    return result


# ---------------------------------------------------------------- report

def f(value, digits=0, unit="") -> str:
    if value is None:
        return "—"
    return f"{value:,.{digits}f}{unit}"


def write_report(results: dict, out: Path) -> None:
    m = results["machine"]
    lines = [
        "# Benchmarks", "",
        f"Written by `{results['command']}` on {results['date']} (`make bench` runs it; `benchmarks/suite.py`).", "",
        f"Machine: {m['cpu']}, {m['cores']} cores, {m['ram_gib']:.0f} GiB RAM, Python {m['python']}; "
        f"load average at the start {m['load'][0]:.1f}. Timings on two cores are noisy, the more so on a machine "
        "shared with other work: read medians, p95 and the ratios measured in the same run.", "",
        "**How the synthetic corpora are made.** `benchmarks/synth.py` (seed 0) writes inspection-like "
        "Markdown documents (~40 paragraphs, front matter, headings, numbered recommendations and AFIs, "
        "Commissioner's responses) whose paragraphs recombine sentences of the shipped corpus, domain "
        "templates and the msmarco/dbpedia sets. **Vectors of every synthetic index (rows marked †) come "
        "from the cached encoder** (`benchmarks/cached_encoder.py`): each distinct source sentence embedded "
        "once by the real model, a paragraph's vector the normalised mean of its sentences' plus seeded noise; "
        "queries are embedded by the real model. So the build's embed stage there is not the real one; real "
        "embedding throughput is the table below.", "",
        f"Keyword engine of the synthetic indexes: **{results.get('engine', 'whoosh')}** "
        "(`PRECEDENT_KEYWORD_ENGINE`), unless the size says another in brackets; the sample corpus uses the "
        "default settings.", "",
    ]
    e = results.get("embedding")
    if e:
        lines += ["## Embedding (real model, real paragraphs)", "",
                  f"{e['paragraphs']} {e['source']}, one process, the encoders interleaved 100 texts at a time; "
                  f"× torch fp32 is the median of {e.get('rounds', 1)} rounds' ratios.", "",
                  "| encoder | precision | ¶/s | × torch fp32 | query encode median / p95 ms |", "|---|---|---|---|---|"]
        for label, row in e.items():
            if isinstance(row, dict):
                lines.append(f"| {label} | {row['precision']} | {f(row['per_s'], 1)} | {_ratio(e, row):.2f}× | "
                             f"{f(row['query']['median'], 1)} / {f(row['query']['p95'], 1)} |")
        lines.append("")
    sizes = results["sizes"]
    if sizes:
        lines += ["## Build †", "",
                  "| size | documents | paragraphs | distinct sentences | total s | parse s | embed s † | "
                  "duplicates s | keyword s | ledger s | folded | index on disk | keyword / vectors / sentences |",
                  "|---|---|---|---|---|---|---|---|---|---|---|---|---|"]
        for size, r in sizes.items():
            b, p = r["build"], r["build"]["parts"]
            mb = lambda n: f"{n / 1e6:,.0f} MB"  # noqa: E731
            lines.append(f"| {size} ({r.get('query_count', len(QUERIES))} queries) | {b['documents']:,} | {b['paragraphs']:,} | {b['sentences']:,} | "
                         f"{f(b['seconds'], 1)} | {f(b['parse_s'], 1)} | {f(b['embed_s'], 1)} | "
                         f"{f(b['duplicates_s'], 1)} | {f(b['keyword_s'], 1)} | {f(b.get('ledger_s'), 1)} | "
                         f"{b['folded']:,} | {mb(b['disk'])} | "
                         f"{mb(p.get('keyword', 0))} / {mb(p.get('vectors.npy', 0))} / "
                         f"{mb(p.get('sentences.npy', 0))} |")
        lines += ["", "## Query latency through `search()` †", "",
                  f"{len(QUERIES)} domain queries (fewer where the size's row says) × {results['repeat']} runs, k=10, in process (facets, timeline, "
                  "highlighting included). Page 1 with the query vector cache cleared before each query (a new "
                  "query: includes encoding it); page 5 right after, as a reader paging (vector cached). "
                  "Filters: year 2019 and doc_type pcc_response. \"matches\": median `total`.", "",
                  "| size | mode | p1 median ms | p1 p95 ms | p5 median ms | p5 p95 ms | matches |",
                  "|---|---|---|---|---|---|---|"]
        rows = [(s, r["queries"]) for s, r in sizes.items()]
        if results.get("sample"):
            rows.insert(0, (f"sample corpus ({results['sample']['paragraphs']} ¶, real encoder)",
                            results["sample"]["queries"]))
        for size, queries in rows:
            for mode, q in queries.items():
                lines.append(f"| {size} | {mode} | {f(q['page1']['median'], 1)} | {f(q['page1']['p95'], 1)} | "
                             f"{f(q['page5']['median'], 1)} | {f(q['page5']['p95'], 1)} | {q['total_median']:,.0f} |")
        lines += ["", "## Floor and naive baseline, same run †", "",
                  "Floor: the real model's query encode + exact dot product over the paragraph vectors + tantivy "
                  "(top 10) on the same paragraphs. Naive: query encode + `sentence_transformers.util."
                  "semantic_search` (top 100) + rank-bm25 `BM25Okapi` (top 100) + RRF (k=60). Ratio = Precedent's "
                  "hybrid page 1 (unfiltered) over each.", "",
                  "| size | encode med/p95 | dot med/p95 | tantivy med/p95 | floor med/p95 | naive med/p95 | "
                  "hybrid med/p95 | hybrid p95 ÷ floor p95 | hybrid p95 ÷ naive p95 | hybrid page 5 (query vector "
                  "cached) med/p95 ÷ (dot + tantivy) med/p95 |",
                  "|---|---|---|---|---|---|---|---|---|---|"]
        for size, r in sizes.items():
            bl, h = r["baselines"], r["queries"]["hybrid"]["page1"]
            if not bl:
                lines.append(f"| {size} | not measured: tantivy or rank-bm25 not installed |")
                continue
            pair = lambda d: f"{f(d['median'], 1)} / {f(d['p95'], 1)}" if d else "—"  # noqa: E731
            naive = bl.get("naive")
            lines.append(f"| {size} | {pair(bl['encode'])} | {pair(bl['dot'])} | {pair(bl['tantivy'])} | "
                         f"{pair(bl['floor'])} | {pair(naive)} | {pair(h)} | {h['p95'] / bl['floor']['p95']:.1f}× | "
                         f"{(h['p95'] / naive['p95']) if naive else float('nan'):.1f}× | "
                         f"{_without_encode(r)} |")
        if any("server" in r for r in sizes.values()):
            lines += ["", "## Server †", "",
                      f"`python -m indexer.cli serve` on 127.0.0.1 with its defaults (one process per core, 4 "
                      f"threads each); start = launch until the first `/api/search?q=custody` answers 200 (model "
                      f"loaded, first query run). {CLIENTS} concurrent loopback clients (threads of the suite's "
                      f"process, on the same cores), {HTTP_QUERIES * len(HTTP_EXTRA)} distinct queries each load "
                      "(no query-vector cache hits). RSS: the largest of the server's processes (each serves on its "
                      "own: what one needs); PSS: all of them, pages they share (the index files) counted once; both "
                      "from /proc/PID/smaps_rollup.", "",
                      "| size | processes | start s | RSS at start MB | RSS after MB | PSS after MB | load | median ms | "
                      "p95 ms | queries/s | errors |", "|---|---|---|---|---|---|---|---|---|---|---|"]
            for size, r in sizes.items():
                s = r.get("server")
                if not s:
                    continue
                for label in ("hybrid", "keyword", "hybrid + filters"):
                    lines.append(f"| {size} | {s.get('processes', 1)} | {f(s['start_s'], 1)} | {f(s['rss_start_mb'])} | "
                                 f"{f(s['rss_mb'])} | {f(s.get('pss_mb'))} | "
                                 f"{label} | {f(s[label]['median'], 1)} | {f(s[label]['p95'], 1)} | "
                                 f"{f(s[label]['qps'], 1)} | {s[label]['errors']} |")
        lines += ["", "## Re-indexing one changed document †", "",
                  "One file edited (a new paragraph appended, embedded by the real model), then `build_index` "
                  "again (incremental).", "",
                  "| size | seconds | parse s | embed s | duplicates s | keyword s | ledger s |",
                  "|---|---|---|---|---|---|---|"]
        for size, r in sizes.items():
            x = r["reindex"]
            lines.append(f"| {size} | {f(x['seconds'], 1)} | {f(x['parse_s'], 1)} | {f(x['embed_s'], 2)} | "
                         f"{f(x['duplicates_s'], 1)} | {f(x['keyword_s'], 1)} | {f(x.get('ledger_s'), 1)} |")
    lines += ["", "## Targets", "", "| target | figure | met |", "|---|---|---|"]
    lines += [f"| {t} | {fig} | {met} |" for t, fig, met in targets(results)]
    if NOTES.is_file():  # written by hand after a run: why a target is missed, and what was tried
        lines += ["", NOTES.read_text(encoding="utf-8").strip()]
    for size, r in sizes.items():
        if r.get("profile"):
            lines += ["", f"## Where hybrid search spends its time at {size} (cProfile, {r.get('query_count', len(QUERIES))} queries, "
                      "top by own time) †", "", "```", "   ncalls  tottime  percall  cumtime  percall filename:lineno",
                      r["profile"], "```"]
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text("\n".join(lines) + "\n", encoding="utf-8")


def _without_encode(r: dict) -> str:
    """Precedent's own query path beside the floor's search parts: both without encoding the query."""
    h, bl = r["queries"]["hybrid"]["page5"], r["baselines"]
    if not h.get("median") or not bl:
        return "—"
    med, p95 = bl["dot"]["median"] + bl["tantivy"]["median"], bl["dot"]["p95"] + bl["tantivy"]["p95"]
    return f"{h['median']:,.1f} / {h['p95']:,.1f} ms ÷ {med:,.1f} / {p95:,.1f} ms = {h['median'] / med:,.0f}× / " \
           f"{h['p95'] / p95:,.0f}×"


def targets(results: dict) -> list[tuple[str, str, str]]:
    rows = []

    def check(name, value, limit, fmt, better="low", note=""):
        if value is None:
            rows.append((name, "not measured" + note, "—"))
            return
        met = value <= limit if better == "low" else value >= limit
        rows.append((name, fmt.format(value) + note, "met" if met else "**not met**"))

    e = results.get("embedding")
    if e:
        best = max(_ratio(e, v) for v in e.values() if isinstance(v, dict))
        check("embedding ≥ 3× torch fp32 ¶/s", best, 3, "{:.2f}× (the fastest encoder)", "high")
    s100 = results["sizes"].get("100k", {})
    q100 = s100.get("queries", {})
    h = q100.get("hybrid", {}).get("page1", {}).get("p95")
    check("hybrid p95 at 100k ≤ 40 ms †", h, 40, "{:.0f} ms")
    floor = s100.get("baselines", {}).get("floor", {}).get("p95")
    check("hybrid p95 at 100k ≤ 1.5× the floor †", h / floor if h and floor else None, 1.5, "{:.1f}×")
    check("keyword p95 at 100k ≤ 15 ms †", q100.get("keyword", {}).get("page1", {}).get("p95"), 15, "{:.0f} ms")
    q1m = results["sizes"].get("1m", {}).get("queries", {})
    check("1M hybrid p95 ≤ 250 ms †", q1m.get("hybrid", {}).get("page1", {}).get("p95"), 250, "{:.0f} ms",
          note="" if q1m else " (run with --sizes …,1m)")
    sq = (results.get("sample") or {}).get("queries", {})
    check("sample corpus hybrid median ≤ 10 ms", sq.get("hybrid", {}).get("page1", {}).get("median"), 10, "{:.1f} ms")
    server = s100.get("server", {})
    check("server start ≤ 5 s at 100k †", server.get("start_s"), 5, "{:.1f} s")
    check("RSS ≤ 2.5 GB at 1M †", results["sizes"].get("1m", {}).get("server", {}).get("rss_mb"), 2500, "{:.0f} MB")
    check("≥ 50 hybrid queries/s over HTTP at 100k, 8 clients †", server.get("hybrid", {}).get("qps"), 50,
          "{:.1f} q/s", "high")
    check("one changed document in a 100k index re-indexed ≤ 10 s †", s100.get("reindex", {}).get("seconds"), 10,
          "{:.1f} s")
    return rows


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="10k,100k", help="comma-separated: 10k, 100k, 1m (or a number)")
    parser.add_argument("--repeat", type=int, default=3, help="runs of each query set (default 3)")
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "benchmarks.md")
    parser.add_argument("--embed-sample", type=int, default=500, help="real paragraphs embedded for ¶/s (0: skip)")
    parser.add_argument("--queries", type=int, default=len(QUERIES), help=f"how many of the {len(QUERIES)} "
                        "domain queries to run (default all)")
    parser.add_argument("--engines", default="tantivy", help="keyword engines of the synthetic indexes, comma-"
                        "separated (default tantivy, which the README recommends at these sizes); the first is the "
                        "one the targets are read from, the others are reported as 'SIZE (ENGINE)'")
    parser.add_argument("--report-only", action="store_true", help="rewrite --out from .bench-cache/results.json")
    parser.add_argument("--no-server", action="store_true", help="skip the HTTP measurements")
    parser.add_argument("--reuse", action="store_true", help="measure on the indexes the last run built (and "
                        "report its build figures) instead of building them again: to measure again on a quieter "
                        "machine")
    parser.add_argument("--keep", action="store_true", help="keep the figures of the last run (.bench-cache/"
                        "results.json) for the sizes and sections not measured now; the report names both runs")
    args = parser.parse_args(argv)
    os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
    CACHE.mkdir(exist_ok=True)
    if args.report_only:
        write_report(json.loads((CACHE / "results.json").read_text()), args.out)
        return 0
    results = {"machine": machine(), "date": datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
               "command": "python benchmarks/suite.py " + " ".join(argv if argv is not None else sys.argv[1:]),
               "repeat": args.repeat, "sizes": {}}
    if args.keep and (CACHE / "results.json").is_file():
        last = json.loads((CACHE / "results.json").read_text())
        results["command"] = f"{last['command']} ({last['date']}), then {results['command']}"
        results["sizes"] = last.get("sizes", {})
        results["embedding"], results["sample"] = last.get("embedding"), last.get("sample")
        results["repeat"] = f"{last['repeat']} (first run) or {args.repeat}"
    if args.embed_sample and not results.get("embedding"):
        log("real embedding throughput")
        results["embedding"] = embed_throughput(args.embed_sample)
    if not results.get("sample"):
        log("sample corpus")
        results["sample"] = sample(args.repeat)
    cache = SentenceCache(CACHE / "sentences", Settings.load(env={}))
    last_sizes = json.loads((CACHE / "results.json").read_text())["sizes"] if (
        args.reuse and (CACHE / "results.json").is_file()) else {}
    engines = [e.strip() for e in args.engines.split(",") if e.strip()]
    results["engine"] = engines[0]
    for size in [s.strip().lower() for s in args.sizes.split(",") if s.strip()]:
        count = SIZES.get(size) or int(size)
        for engine in engines:
            label = size if engine == engines[0] else f"{size} ({engine})"
            results["sizes"][label] = run_size(size, count, args.repeat, cache, not args.no_server,
                                               QUERIES[:args.queries], engine,
                                               last_sizes.get(label, {}).get("build"))
        (CACHE / "results.json").write_text(json.dumps(results, indent=1, default=str))
        write_report(results, args.out)  # after every size, so a long run leaves what it measured
    results["cache"] = {"embedded_now": cache.embedded, "embed_s": cache.embed_seconds}
    (CACHE / "results.json").write_text(json.dumps(results, indent=1, default=str))
    write_report(results, args.out)
    log(f"wrote {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
