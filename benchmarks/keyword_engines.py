"""whoosh against tantivy as the keyword engine: build throughput and query latency, keyword side only.

    PYTHONPATH=. .venv/bin/python benchmarks/keyword_engines.py [--paragraphs 20000] [--repeats 5]

Indexes the passages of the MS MARCO and DBpedia sets (/work/shared/eval, or
--eval), one paragraph each, cycled with their sentences rotated until there
are --paragraphs; then times ``reader.search(parsed, 100)`` and
``reader.matches(parsed)`` for the sets' first ten queries each, with four
strict ones, on both engines. No embedding. Prints paragraphs per second,
median and p95 milliseconds, and whether the engines match the same rows.
"""

import argparse
import json
import re
import statistics
import tempfile
import time
from pathlib import Path

from indexer import keyword
from indexer.records import Paragraph

SETS = ("msmarco", "dbpedia")
STRICT = ['"heart disease"', "water AND temperature", "film -actor", "+river city"]


def read_jsonl(path: Path) -> list[dict]:
    with open(path, encoding="utf-8") as handle:  # by "\n" only: the texts hold other line separators
        return [json.loads(line) for line in handle]


def paragraphs(folder: Path, count: int) -> list[Paragraph]:
    texts = [row["text"] for name in SETS for row in read_jsonl(folder / name / "corpus.jsonl")]
    found = []
    for n in range(count):
        sentences = re.split(r"(?<=[.!?])\s+", texts[n % len(texts)])
        turn = (n // len(texts)) % len(sentences)
        found.append(Paragraph(f"d{n // 100}", n % 100 + 1, " ".join(sentences[turn:] + sentences[:turn]),
                               None, f"Document {n // 100}", None, f"d{n // 100}.txt"))
    return found


def queries(folder: Path) -> list[str]:
    typed = [row["text"] for name in SETS for row in read_jsonl(folder / name / "queries.jsonl")[:10]]
    return typed + STRICT


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


def top(hits, k: int = 10) -> set[int]:
    return {row for row, _, _ in hits[:k]}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--eval", type=Path, default=Path("/work/shared/eval"))
    parser.add_argument("--paragraphs", type=int, default=20_000)
    parser.add_argument("--repeats", type=int, default=5)
    args = parser.parse_args()
    found = paragraphs(args.eval, args.paragraphs)
    rows = {p.key: row for row, p in enumerate(found)}
    contexts = {p.doc_id: "" for p in found}
    asked = queries(args.eval)
    results = {}
    with tempfile.TemporaryDirectory() as work:
        for name in keyword.ENGINES:
            engine = keyword.engine(name)
            started = time.perf_counter()
            engine.build(Path(work) / name, found, contexts, rows)
            built = time.perf_counter() - started
            index = engine.KeywordIndex(Path(work) / name)
            searches, matching, answers = [], [], []
            with index.reader() as reader:
                for text in asked:
                    parsed = keyword.parse(text, reader.completions(text))
                    for _ in range(args.repeats):
                        started = time.perf_counter()
                        hits = reader.search(parsed, 100)
                        middle = time.perf_counter()
                        rows_found = reader.matches(parsed)
                        searches.append((middle - started) * 1000)
                        matching.append((time.perf_counter() - middle) * 1000)
                    answers.append((hits, rows_found))
            both = [s + m for s, m in zip(searches, matching)]
            results[name] = answers
            print(f"{name:8} build {len(found) / built:8.0f} ¶/s ({built:.1f} s)   search+matches "
                  f"p50 {statistics.median(both):6.1f} ms  p95 {percentile(both, 0.95):6.1f} ms   "
                  f"(search p50 {statistics.median(searches):.1f}, matches p50 {statistics.median(matching):.1f})")
    whoosh, tantivy = results["whoosh"], results["tantivy"]
    same = sum(a[1].tolist() == b[1].tolist() for a, b in zip(whoosh, tantivy))
    overlap = statistics.fmean(len(top(a[0]) & top(b[0])) / max(1, len(top(a[0]))) for a, b in zip(whoosh, tantivy))
    counts = [len(a[1]) for a in whoosh]
    print(f"{len(asked)} queries, {statistics.median(counts):.0f} matches at the median (max {max(counts)}); "
          f"same rows matched on {same}/{len(asked)}; top-10 overlap {overlap:.2f}")


if __name__ == "__main__":
    main()
