"""Paragraphs per second and query latency of torch float32, torch bfloat16 and the int8 ONNX encoder.

    .venv/bin/python benchmarks/encoders.py [BEIR_FOLDER] [-n 1000] [--ndcg]

All variants run in one process, interleaved, median of 3 runs each: machines are
shared and baselines drift between processes, so read the ratios. ``--ndcg`` adds
nDCG@10 of pure semantic search (every corpus entry ranked by cosine) on the whole
folder for float32 and ONNX. The int8 model is exported into a temporary folder,
so the cold export and warm load times are measured too.
"""

import argparse
import os
import statistics
import tempfile
import time
from pathlib import Path

import numpy as np

from indexer.config import Settings
from indexer.evaluate import load_dataset
from indexer.metrics import ndcg
from indexer.onnx_encoder import OnnxEncoder

QUERIES = ["what did we say about custody detention", "children kept in police cells overnight",
           "victim blaming language", "knife crime", "how long does it take to renew a passport"]


class Torch:
    """sentence-transformers itself, which sorts a call's texts by length as the index build does."""

    def __init__(self, model):
        self.model = model

    def encode_documents(self, texts, batch_size):
        return self.model.encode_document(texts, batch_size=batch_size, normalize_embeddings=True)

    def encode_query(self, text):
        return self.model.encode_query(text, normalize_embeddings=True)


def timed(function, *args) -> float:
    started = time.perf_counter()
    function(*args)
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("folder", nargs="?", default="../shared/eval/msmarco", type=Path)
    parser.add_argument("-n", type=int, default=1000, help="passages timed (default 1000)")
    parser.add_argument("--batch-size", type=int, default=32)
    parser.add_argument("--ndcg", action="store_true", help="also nDCG@10 of semantic search on the whole folder")
    args = parser.parse_args()
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    import torch
    from sentence_transformers import SentenceTransformer

    dataset = load_dataset(args.folder)
    texts = [f"{title} {text}".strip() for title, text in dataset.corpus.values()]
    path = Settings.load().model_path()
    fp32 = SentenceTransformer(path, device="cpu", local_files_only=True)
    encoders = {"torch fp32": Torch(fp32)}
    if torch.ops.mkldnn._is_mkldnn_bf16_supported():
        encoders["torch bf16"] = Torch(SentenceTransformer(path, device="cpu", local_files_only=True).to(torch.bfloat16))
    with tempfile.TemporaryDirectory() as cache:
        cold = timed(OnnxEncoder(path, Path(cache)).encode_query, "warm up")
        onnx = OnnxEncoder(path, Path(cache))
        warm = timed(onnx.encode_query, "warm up")
        encoders[f"onnx int8 ({onnx.quantization})"] = onnx
        print(f"ONNX export + first query (cold): {cold:.1f} s; load + first query (cached file): {warm:.2f} s")
        sample = texts[: args.n]
        runs = {name: [] for name in encoders}
        queries = {name: [] for name in encoders}
        for _ in range(3):
            for name, encoder in encoders.items():
                runs[name].append(timed(encoder.encode_documents, sample, args.batch_size))
                queries[name] += [timed(encoder.encode_query, query) for query in QUERIES for _ in range(3)]
        quality = {}
        if args.ndcg:
            for name in ("torch fp32", f"onnx int8 ({onnx.quantization})"):
                quality[name] = semantic_ndcg(encoders[name], dataset, texts, args.batch_size)
    base = len(sample) / statistics.median(runs["torch fp32"])
    print(f"\n{args.folder.name}: {len(sample)} passages, batch {args.batch_size}, "
          f"{len(os.sched_getaffinity(0))} CPUs, median of 3\n")
    print("| encoder | ¶/s | vs fp32 | query ms | nDCG@10 |\n|---|---|---|---|---|")
    for name in encoders:
        rate = len(sample) / statistics.median(runs[name])
        score = f"{quality[name]:.4f}" if name in quality else ""
        print(f"| {name} | {rate:.1f} | {rate / base:.2f}x | {statistics.median(queries[name]) * 1000:.1f} | {score} |")


def semantic_ndcg(encoder, dataset, texts, batch_size) -> float:
    """Mean nDCG@10 over the judged queries, every corpus entry ranked by cosine."""
    ids = list(dataset.corpus)
    vectors = np.asarray(encoder.encode_documents(texts, batch_size), dtype=np.float32)
    figures = []
    for query_id, query in dataset.queries.items():
        order = np.argsort(-(vectors @ np.asarray(encoder.encode_query(query), dtype=np.float32)), kind="stable")
        figures.append(ndcg([ids[i] for i in order[:10]], dataset.qrels[query_id]))
    return float(np.mean(figures))


if __name__ == "__main__":
    main()
