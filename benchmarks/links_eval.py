"""How many recommendations of a real response are linked to the reply that answers them.

    .venv/bin/python benchmarks/links_eval.py [--real ../shared/real] [--index-dir DIR]

Each folder of ``--real`` holds a Government ``response.pdf`` and ``pairs.jsonl``
(``rec_id``, ``response``: the published pairing of each recommendation with
its reply). The responses are indexed through the normal path; a pair counts
as linked when the document view's answers for "Recommendation <rec_id>"
include the paragraph that opens the pair's reply.
"""

import argparse
import json
import shutil
import tempfile
from pathlib import Path

from indexer.build import build_index
from indexer.config import Settings
from indexer.links import answers
from indexer.store import Index


def words(text: str) -> str:
    return " ".join(text.split())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--real", type=Path, default=Path(__file__).parent.parent.parent / "shared" / "real")
    parser.add_argument("--index-dir", type=Path, help="where to build the index (default: a temporary folder)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="precedent-links-") as temporary:
        report(args.real, Path(temporary), args.index_dir)


def report(real: Path, work: Path, index_dir: Path | None) -> None:
    folders = sorted(p.parent for p in real.glob("*/pairs.jsonl"))
    for folder in folders:
        shutil.copy(folder / "response.pdf", work / f"{folder.name}.pdf")
    settings = Settings.load(index_dir=str(index_dir or work / "index"), corpus=str(work))
    build_index(settings, progress=False)
    index = Index.open(settings)
    for folder in folders:
        pairs = [json.loads(line) for line in (folder / "pairs.jsonl").read_text().splitlines() if line.strip()]
        paragraphs = {p.paragraph: p for p in index.document(folder.name).paragraphs()}
        items = {p.label: n for n, p in paragraphs.items() if p.role == "recommendation"}
        linked = answers(index, folder.name)
        found = sum(f"Recommendation {pair['rec_id']}" in items for pair in pairs)
        right = sum(words(pair["response"])[:40] in " ".join(words(paragraphs[r].text) for r in linked.get(
            items.get(f"Recommendation {pair['rec_id']}"), [])) for pair in pairs)
        print(f"{folder.name}: {len(pairs)} recommendations; {found} recognised, {right} linked to their reply")


if __name__ == "__main__":
    main()
