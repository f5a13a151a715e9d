"""Compare ways of fusing keyword and semantic hits, on a BEIR dataset or the domain set.

    .venv/bin/python benchmarks/fusion.py DATASET_DIR|domain [--work-dir DIR]

Indexes the dataset as ``precedent eval`` does (reusing DIR when given; the
domain set is corpus/ judged per paragraph), then scores keyword, semantic,
RRF, weighted and adaptive fusion at several semantic weights on the same
index in one process. docs/relevance.md records what it printed and the
default it led to.
"""

import argparse
import dataclasses
from pathlib import Path

from indexer.build import build_index
from indexer.config import Settings
from indexer.evaluate import load_dataset, read_qrels, read_queries, run_mode, write_corpus
from indexer.store import Index

REPO = Path(__file__).resolve().parent.parent
VARIANTS = [("keyword", {}), ("semantic", {}), ("hybrid", {"fusion": "rrf"})] + [
    ("hybrid", {"fusion": fusion, "semantic_weight": w})
    for fusion in ("weighted", "adaptive") for w in (0.3, 0.4, 0.5, 0.6, 0.7, 0.8)
]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("dataset", help="a BEIR folder, or 'domain' for benchmarks/domain over corpus/")
    parser.add_argument("--work-dir", type=Path, default=None)
    args = parser.parse_args()
    work = args.work_dir or Path(f"/tmp/precedent-fusion-{Path(args.dataset).name}")
    if args.dataset == "domain":
        name, corpus = "domain", REPO / "corpus"
        queries = read_queries(REPO / "benchmarks/domain/queries.jsonl")
        qrels = read_qrels(REPO / "benchmarks/domain/qrels.tsv")

        def identify(result):
            return f"{result.doc_id}#p{result.paragraph}"
    else:
        dataset = load_dataset(Path(args.dataset))
        name, queries, qrels = dataset.name, dataset.queries, dataset.qrels
        corpus, ids = write_corpus(dataset, work / "documents")

        def identify(result):
            return ids[result.doc_id]
    settings = Settings.load(index_dir=str(work / "index"), corpus=str(corpus), query_seconds="0")  # every query counts
    build_index(settings)
    index = Index.open(settings)
    print(f"{name}: {len(queries)} queries")
    for mode, overrides in VARIANTS:
        index.settings = dataclasses.replace(settings, **overrides)
        figures = run_mode(index, queries, qrels, mode, identify).figures
        label = mode + "".join(f" {k}={v}" for k, v in overrides.items())
        print(f"  {label:<45} " + "  ".join(f"{k} {v:.3f}" for k, v in figures.items()))


if __name__ == "__main__":
    main()
