"""How well the ledger finds, links and reads the recommendations of real reports and their responses.

    PYTHONPATH=. .venv/bin/python benchmarks/ledger_eval.py [--real ../shared/real] [--index-dir DIR] [--misses]

Each folder of ``--real`` holds a committee ``report.pdf``, the Government's
``response.pdf`` and ``pairs.jsonl`` (``rec_id``, ``recommendation``,
``response``, ``status``: a third party's pairing of each recommendation with
its reply, and its reading of the reply as Accept, Partial or Reject). Both
PDFs of every folder are indexed together through the normal path and the
ledger read as the CLI reads it (``ledger.ledger``); the pairs are only
compared with it. A pair's recommendation is extracted when a record's text,
as one of the documents words it, holds its opening; linked at rank 1 when the record's first reply overlaps the
pair's response (either holds the other's opening), in the top 3 when one of
its first three does; its status agrees when Accept is "accepted", Reject
"rejected" and Partial "partly accepted" or "noted / under consideration": a
three-way list's Partial is all between yes and no, and every reply in these
lists that only says it "will consider" or "is exploring" is Partial. Strict
agreement (Partial as "partly accepted" only) is said beside, and what each
list's status is read as.
"""

import argparse
import json
import re
import shutil
import tempfile
import unicodedata
from collections import Counter
from pathlib import Path

from indexer.build import build_index
from indexer.config import Settings
from indexer.ledger import ledger
from indexer.store import Index
from indexer.verdicts import ACCEPTED, NOTED, PARTLY, REJECTED, STATUSES

STRICT = {"Accept": ACCEPTED, "Partial": PARTLY, "Reject": REJECTED}
AGREES = {**{listed: {status} for listed, status in STRICT.items()}, "Partial": {PARTLY, NOTED}}
OPENING = 60  # characters of a text's opening, after normalising, that must be found in the other


def plain(text: str) -> str:
    """Letters and digits only, lower-cased: PDF quotes, dashes and line breaks differ between extractions."""
    return re.sub(r"[^a-z0-9]+", "", unicodedata.normalize("NFKD", text).lower())


def overlaps(a: str, b: str) -> bool:
    a, b = plain(a), plain(b)
    return bool(a and b) and (a[:OPENING] in b or b[:OPENING] in a)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--real", type=Path, default=Path(__file__).parent.parent.parent / "shared" / "real")
    parser.add_argument("--index-dir", type=Path, help="where to build the index (default: a temporary folder)")
    parser.add_argument("--misses", action="store_true", help="list each pair that fails a measure")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="precedent-ledger-") as temporary:
        report(args.real, Path(temporary), args.index_dir, args.misses)


def report(real: Path, work: Path, index_dir: Path | None, misses: bool) -> None:
    folders = sorted(p.parent for p in real.glob("*/pairs.jsonl"))
    for folder in folders:
        for name in ("report.pdf", "response.pdf"):
            shutil.copy(folder / name, work / f"{folder.name}-{name}")
    settings = Settings.load(index_dir=str(index_dir or work / "index"), corpus=str(work))
    build_index(settings, progress=False)
    index = Index.open(settings)
    rows = ledger(index).rows
    totals, read = [0] * 6, Counter()
    for folder in folders:
        pairs = [json.loads(line) for line in (folder / "pairs.jsonl").read_text().splitlines() if line.strip()]
        mine = [row.record for row in rows if row.clock.inspection.report == f"{folder.name}-report"]
        counts = [len(pairs), 0, 0, 0, 0, 0]
        for pair in pairs:
            record = next((r for r in mine if any(plain(pair["recommendation"])[:OPENING] in plain(worded)
                                                  for worded in wordings(index, r))), None)
            replies = [paragraph(index, r.doc_id, r.paragraph) for r in (record.replies[:3] if record else ())]
            found = [record is not None, bool(replies) and overlaps(replies[0], pair["response"]),
                     any(overlaps(reply, pair["response"]) for reply in replies),
                     record is not None and record.status in AGREES[pair["status"]],
                     record is not None and record.status == STRICT[pair["status"]]]
            read[pair["status"], record.status if record else "-"] += 1
            counts[1:] = [c + f for c, f in zip(counts[1:], found)]
            if misses and not all(found[:4]):
                failed = [name for name, ok in zip(("extracted", "rank 1", "top 3", "status"), found) if not ok]
                said = f"{record.status} ({record.decided_by})" if record else "-"
                print(f"  {folder.name} {pair['rec_id']}: {', '.join(failed)}; listed {pair['status']}, read {said}")
        show(folder.name, counts)
        totals = [t + c for t, c in zip(totals, counts)]
    show("all", totals)
    for listed in STRICT:
        print(f"  listed {listed}: " + ", ".join(f"{read[listed, status]} {status}" for status in STATUSES
                                                if read[listed, status]))


def paragraph(index: Index, doc_id: str, number: int) -> str:
    return index.paragraphs[index.paragraphs.row(f"{doc_id}#p{number}")].text


def wordings(index: Index, record) -> list[str]:
    """The record's text as each document words it: a response may quote it with "DfT" for "Department for
    Transport", or leave out a cross-reference."""
    return [" ".join(paragraph(index, place.doc_id, n) for n in place.paragraphs) for place in record.places]


def show(name: str, counts: list[int]) -> None:
    total, *found = counts
    print(f"{name}: " + ", ".join(f"{what} {n}/{total} ({n / total:.0%})" for what, n in zip(
        ("extracted", "linked at rank 1", "in the top 3", "status agrees", "strictly"), found)))


if __name__ == "__main__":
    main()
