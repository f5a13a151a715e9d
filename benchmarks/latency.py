"""Median warm query latency per mode on an existing index (default: .precedent-index).

    .venv/bin/python benchmarks/latency.py [--index-dir DIR] [--repeat 20]

Timings are noisy on shared machines: read medians and the ratio between modes,
not single runs.
"""

import argparse
import statistics
import time

from indexer.config import Settings
from indexer.search import MODES, search, warm
from indexer.store import Index

QUERIES = [
    "what did we say about custody detention",
    "children kept in police cells overnight",
    "victim blaming language",
    '"problem profiles"',
    "knife crime NOT Halton",
]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--index-dir")
    parser.add_argument("--repeat", type=int, default=20)
    args = parser.parse_args()
    index = Index.open(Settings.load(index_dir=args.index_dir, query_seconds="0"))  # timed, never stopped
    warm(index)
    print(f"{len(index.paragraphs)} paragraphs; median of {args.repeat} runs x {len(QUERIES)} queries")
    for mode in MODES:
        times = []
        for _ in range(args.repeat):
            for query in QUERIES:
                started = time.perf_counter()
                search(index, query, 10, mode)
                times.append(time.perf_counter() - started)
        print(f"{mode:9} median {statistics.median(times) * 1000:6.1f} ms   p90 "
              f"{statistics.quantiles(times, n=10)[-1] * 1000:6.1f} ms")


if __name__ == "__main__":
    main()
