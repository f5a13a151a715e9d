"""Check the domain relevance set against an index of corpus/.

    .venv/bin/precedent index --index-dir /tmp/domain-ix --quiet
    .venv/bin/python benchmarks/domain/validate.py [--index-dir /tmp/domain-ix]

Checks: query ids unique, kinds known and counted against the minimums, every qrels key is
one of the corpus paragraphs, scores are 1 or 2, every query has a score-2 paragraph, no pair
is judged twice; a paraphrase shares no content word (after stop words and stemming) with its
score-2 paragraphs' text, section or title; a quoted phrase occurs in each of its score-2
paragraphs; a keyword query shares a word with each of its score-2 paragraphs. Exit status 1
on any error. Stem pairs where one is a prefix of the other (young / youngster) are listed as
warnings to be read by a person.
"""

import argparse
import json
import re
import sys
from collections import Counter, defaultdict
from pathlib import Path

from whoosh.analysis import StemmingAnalyzer

from indexer.config import Settings
from indexer.store import Index

HERE = Path(__file__).parent
MINIMUM = {"keyword": 1, "paraphrase": 12, "acronym": 8, "question": 8, "scoped": 6, "phrase": 3}
ANALYZER = StemmingAnalyzer()
# Function words whoosh's short stop list keeps; they are not content words.
FUNCTION_WORDS = set("""about above after again against all am any because been before being below
between both but does doing down during each few further had has having he her here hers him his how
i into its just me more most my no nor not now off once only other our out over own same she should
so some such than their theirs them then there these they this those through too under until up
very was were what when where which while who whom why would you your""".split())


def stems(text: str) -> set[str]:
    return {t.text for t in ANALYZER(" ".join(w for w in re.findall(r"[\w'-]+", text)
                                              if w.lower() not in FUNCTION_WORDS))}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--index-dir", default="/tmp/domain-ix")
    args = parser.parse_args()
    index = Index.open(Settings.load(index_dir=args.index_dir))
    paragraphs = {p.key: p for p in index.paragraphs}
    titles = {doc_id: (doc.meta.title or "") for doc_id, doc in index.documents.items()}
    errors, warnings = [], []

    queries = [json.loads(line) for line in (HERE / "queries.jsonl").read_text().splitlines() if line.strip()]
    ids = [q["_id"] for q in queries]
    for qid, n in Counter(ids).items():
        if n > 1:
            errors.append(f"duplicate query id {qid}")
    for q in queries:
        if q.get("kind") not in MINIMUM or not q.get("text", "").strip():
            errors.append(f"{q['_id']}: bad kind or empty text")
    kinds = Counter(q["kind"] for q in queries)
    for kind, least in MINIMUM.items():
        if kinds[kind] < least:
            errors.append(f"only {kinds[kind]} {kind} queries, need {least}")
    if len(queries) < 48:
        errors.append(f"only {len(queries)} queries, need 48")

    lines = (HERE / "qrels.tsv").read_text().splitlines()
    if lines[0] != "query-id\tcorpus-id\tscore":
        errors.append(f"bad header {lines[0]!r}")
    qrels = defaultdict(dict)
    for n, line in enumerate(lines[1:], 2):
        qid, key, score = line.split("\t")
        if qid not in ids:
            errors.append(f"qrels line {n}: unknown query {qid}")
        if key not in paragraphs:
            errors.append(f"qrels line {n}: unknown paragraph {key}")
        if score not in ("1", "2"):
            errors.append(f"qrels line {n}: score {score}")
        if key in qrels[qid]:
            errors.append(f"qrels line {n}: {qid} {key} judged twice")
        qrels[qid][key] = int(score)

    for q in queries:
        qid, text = q["_id"], q["text"]
        best = [k for k, s in qrels[qid].items() if s == 2]
        if not best:
            errors.append(f"{qid}: no score-2 paragraph")
        for key in best:
            if key not in paragraphs:
                continue
            p = paragraphs[key]
            body = stems(p.text)
            if q["kind"] == "paraphrase":
                shared = stems(text) & (body | stems(p.section or "") | stems(titles.get(p.doc_id, "")))
                if shared:
                    errors.append(f"{qid} paraphrase shares {sorted(shared)} with {key}")
                near = sorted({(a, b) for a in stems(text) for b in body
                               if a != b and min(len(a), len(b)) >= 4 and (a.startswith(b) or b.startswith(a))})
                if near:
                    warnings.append(f"{qid} near-stems with {key}: {near}")
            elif q["kind"] == "phrase":
                for phrase in re.findall(r'"([^"]+)"', text):
                    if phrase.lower() not in " ".join(p.text.lower().split()):
                        errors.append(f"{qid}: phrase {phrase!r} not in {key}")
            elif q["kind"] == "keyword" and not stems(text) & body:
                errors.append(f"{qid}: keyword query shares no word with {key}")

    judged = sum(len(v) for v in qrels.values())
    twos = sum(1 for v in qrels.values() for s in v.values() if s == 2)
    print(f"{len(queries)} queries: " + ", ".join(f"{k} {kinds[k]}" for k in MINIMUM))
    print(f"{judged} judgments ({twos} score 2, {judged - twos} score 1) over "
          f"{len({k for v in qrels.values() for k in v})} of {len(paragraphs)} paragraphs")
    for w in warnings:
        print("warning:", w)
    for e in errors:
        print("ERROR:", e)
    print("OK" if not errors else f"{len(errors)} errors")
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())
