"""The domain relevance set (benchmarks/domain/) over corpus/, judged per paragraph.

    .venv/bin/python benchmarks/domain_eval.py [--index-dir DIR] [--set DIR]

Builds (or reuses) an index of corpus/ and prints nDCG@10, Recall@10,
Recall@100 and MRR@10 per mode, then per kind of query for hybrid, and lists
every paraphrase query whose first relevant paragraph is below rank 5.
tests/test_relevance.py holds the same set to the targets.
"""

import argparse
import json
import statistics
from pathlib import Path

from indexer.build import build_index
from indexer.config import Settings
from indexer.evaluate import read_qrels, read_queries, run_mode
from indexer.search import MODES
from indexer.store import Index

HERE = Path(__file__).parent / "domain"


def key(result) -> str:
    return f"{result.doc_id}#p{result.paragraph}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--index-dir", default="/tmp/precedent-domain-index")
    parser.add_argument("--set", type=Path, default=HERE, help="a folder with queries.jsonl and qrels.tsv "
                        "(default: the domain set; benchmarks/domain/heldout is the held-out paraphrase set)")
    args = parser.parse_args()
    settings = Settings.load(index_dir=args.index_dir, corpus=str(Path(__file__).parent.parent / "corpus"),
                             query_seconds="0")  # every query counts
    build_index(settings, progress=False)
    index = Index.open(settings)
    queries, qrels = read_queries(args.set / "queries.jsonl"), read_qrels(args.set / "qrels.tsv")
    kinds = {row["_id"]: row["kind"] for row in map(json.loads, (args.set / "queries.jsonl").read_text().splitlines())}
    print(f"domain: {len(queries)} queries over {len(index.paragraphs)} paragraphs")
    print(f"{'mode':<10}{'nDCG@10':>10}{'Recall@10':>11}{'Recall@100':>12}{'MRR@10':>9}")
    for mode in MODES:
        result = run_mode(index, queries, qrels, mode, key)
        print(f"{mode:<10}" + "".join(f"{v:>{w}.3f}" for v, w in zip(result.figures.values(), (10, 11, 12, 9))))
        if mode == "hybrid":
            hybrid = result
    print("hybrid by kind:")
    for kind in sorted(set(kinds.values())):
        ids = [q for q in queries if kinds[q] == kind]
        mrr = statistics.fmean(hybrid.per_query[q]["MRR@10"] for q in ids)
        print(f"  {kind:<11} {len(ids):>3} queries  MRR@10 {mrr:.3f}")
    late = [q for q in queries if kinds[q] == "paraphrase" and hybrid.per_query[q]["MRR@10"] < 1 / 5]
    print("paraphrases without a relevant paragraph in the top 5:", ", ".join(late) or "none")


if __name__ == "__main__":
    main()
