"""A seeded generator of inspection-like corpora of N paragraphs, for measuring Precedent at scale.

    python benchmarks/synth.py OUT_DIR --paragraphs 10000 [--seed 0] [--shared ../shared/eval]

Documents are Markdown files with front matter (title, date, doc_type, inspectorate, inspection
type, author, role, area: what Precedent reads from a real letter's tables and signature), headings
("Summary", "Recommendations", "Commissioner's response"), numbered items opening with a bold label
("**Recommendation 3** - …", "**AFI 1** - …") and about 40 paragraphs each. Inspection reports and
letters by HMICFRS, Ofsted, CQC and HMI Probation, and responses by PCCs, constabularies and
councils, dated 2013–2026, for the 43 police areas of England and Wales.

Paragraphs are sentences recombined: those of the shipped corpus (read by Precedent's own loader),
domain sentences made from templates and topics, and, when ``../shared/eval`` is there, sentences
of the msmarco and dbpedia BEIR sets, which widen the vocabulary as real collections do. The same
seed gives the same files byte for byte. ``Synth.sentences`` lists every distinct source sentence
used, which is what the suite's cached encoder embeds (once).
"""

from __future__ import annotations

import argparse
import json
import random
import re
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_SHARED = ROOT.parent / "shared" / "eval"
EVAL_SETS = ("msmarco", "dbpedia")
MAX_EVAL_SENTENCES = 2500  # per set: bounds the one-off embedding of the sentence cache

FORCES = [
    "Avon and Somerset", "Bedfordshire", "Cambridgeshire", "Cheshire", "City of London", "Cleveland",
    "Cumbria", "Derbyshire", "Devon and Cornwall", "Dorset", "Durham", "Dyfed-Powys", "Essex",
    "Gloucestershire", "Greater Manchester", "Gwent", "Hampshire", "Hertfordshire", "Humberside", "Kent",
    "Lancashire", "Leicestershire", "Lincolnshire", "Merseyside", "Metropolitan", "Norfolk",
    "North Wales", "North Yorkshire", "Northamptonshire", "Northumbria", "Nottinghamshire", "South Wales",
    "South Yorkshire", "Staffordshire", "Suffolk", "Surrey", "Sussex", "Thames Valley", "Warwickshire",
    "West Mercia", "West Midlands", "West Yorkshire", "Wiltshire",
]
COUNCILS = {
    "Cheshire": ["Halton", "Warrington", "Cheshire East", "Cheshire West and Chester"],
    "Merseyside": ["Liverpool", "Wirral", "Sefton", "Knowsley"],
    "Greater Manchester": ["Manchester", "Salford", "Oldham", "Rochdale"],
    "West Yorkshire": ["Leeds", "Bradford", "Kirklees", "Wakefield"],
    "South Yorkshire": ["Sheffield", "Rotherham", "Doncaster", "Barnsley"],
    "West Midlands": ["Birmingham", "Coventry", "Wolverhampton", "Sandwell"],
}
INSPECTORATES = {
    "HMICFRS": "His Majesty's Inspectorate of Constabulary and Fire & Rescue Services",
    "Ofsted": "Ofsted",
    "CQC": "the Care Quality Commission",
    "HMI Probation": "His Majesty's Inspectorate of Probation",
}
INSPECTION_TYPES = ["PEEL", "National Thematic", "JTAI", "Post-inspection review", "Focused visit"]
TOPICS = [
    "custody", "the detention of children in police custody", "child sexual exploitation (CSE)", "knife crime",
    "missing children", "stop and search", "vetting", "domestic abuse", "county lines", "mental health",
    "the response to rape and serious sexual offences", "violence against women and girls",
    "neighbourhood policing", "counter-corruption", "the use of force", "digital forensics",
    "youth offending", "hate crime", "fraud", "modern slavery and human trafficking", "call handling",
    "victims' needs", "the management of registered sex offenders", "online child abuse",
    "child protection", "anti-social behaviour", "road safety", "stalking and harassment",
    "the welfare of detainees", "safeguarding vulnerable adults",
]
_FINDINGS = [
    "Inspectors found that the force's approach to {t} was inconsistent across its districts.",
    "The force has made good progress in how it deals with {t} since our last inspection.",
    "We found that supervisors did not always review decisions about {t} in good time.",
    "Officers and staff told us they had not received enough training on {t}.",
    "The force does not have a clear understanding of the demand created by {t}.",
    "Partner agencies told us that information about {t} was not always shared quickly enough.",
    "Leaders have set out a clear vision for improving the response to {t}.",
    "In too many of the cases we reviewed, the records about {t} were incomplete.",
    "The force's performance data on {t} is not used well enough to drive improvement.",
    "We saw examples of effective multi-agency work on {t}, but practice was not consistent.",
    "Frontline officers understood the risks associated with {t} and acted to protect people.",
    "The quality of investigations involving {t} varies considerably.",
]
_ITEMS = [
    "Within six months, the force should review its policy on {t} and make sure that it is followed.",
    "The chief constable should ensure that officers are trained to recognise and respond to {t}.",
    "The force should improve how it records and analyses information about {t}.",
    "Police forces should work with partners to develop a shared problem profile of {t}.",
    "The force should make sure that supervisors oversee decisions about {t} effectively.",
    "All chief constables should ensure that the voice of the child is recorded in cases of {t}.",
    "The force should evaluate the effectiveness of its work on {t} and share what it learns.",
    "Leaders should make sure there are enough skilled investigators to deal with {t}.",
]
_RESPONSES = [
    "I have discussed the findings on {t} with the Chief Constable at my accountability board.",
    "I welcome the report's findings on {t} and will monitor the force's progress closely.",
    "The Constabulary has already put in place a plan to improve its response to {t}.",
    "I have asked the Chief Constable for regular updates on the actions taken on {t}.",
    "I am pleased that the inspectorate recognised the progress made on {t}.",
    "This recommendation has been accepted and an action plan on {t} is in place.",
    "I will continue to hold the Chief Constable to account for the response to {t}.",
    "I have commissioned additional services for victims affected by {t}.",
    "The force agrees with this recommendation and work on {t} is under way.",
    "Progress against the recommendation on {t} will be reported to the police and crime panel.",
]
_GOOD_SENTENCE = re.compile(r"^[A-Z0-9\"'‘“(][^\n\t*<>#|@]{28,380}[.!?]$")


@dataclass
class Synth:
    root: Path
    documents: int = 0
    paragraphs: int = 0
    sentences: list[str] = field(default_factory=list)  # every distinct source sentence used


def source_sentences(shared: Path | None = DEFAULT_SHARED) -> tuple[list[list[str]], list[list[str]]]:
    """(domain passages, general passages), each passage a list of sentences that read on from each other.

    Domain: the shipped corpus's paragraphs and, per topic, the template sentences about it; general:
    passages of the eval sets, when there. A synthetic paragraph is a run of one passage's sentences,
    so its meaning holds together as a real paragraph's does.
    """
    from indexer import sentences as split

    def passage(text: str) -> list[str]:
        text = " ".join(text.split())
        return [s for s in (split.of(text) or [text]) if _GOOD_SENTENCE.match(s)]

    domain = [passage(p) for p in _corpus_paragraphs(ROOT / "corpus")]
    rng = random.Random(0)  # template sentences about one topic, in a fixed shuffled order
    domain += [rng.sample([t.format(t=topic) for t in group], len(group))
               for topic in TOPICS for group in (_FINDINGS, _ITEMS, _RESPONSES)]
    general = []
    for name in EVAL_SETS if shared and shared.is_dir() else ():
        path = shared / name / "corpus.jsonl"
        if not path.is_file():
            continue
        count = 0
        with open(path, encoding="utf-8") as handle:
            for line in handle:
                found = [s for s in passage(json.loads(line).get("text", "")) if s.isascii()]
                general.append(found)
                count += len(found)
                if count >= MAX_EVAL_SENTENCES:
                    break
    return [p for p in domain if p], [p for p in general if p]


def _corpus_paragraphs(folder: Path) -> list[str]:
    """The paragraphs of the shipped corpus, as Precedent reads them."""
    from indexer.documents import discover, load, read_bytes

    files, _ = discover([folder])
    texts = []
    for file in files:
        document, _ = load(file, read_bytes(file.path, 100), "d", None, "off")
        texts += [p.text for p in document.paragraphs()]
    return texts


def generate(out: Path, paragraphs: int, seed: int = 0, shared: Path | None = DEFAULT_SHARED) -> Synth:
    """Write a corpus of about ``paragraphs`` paragraphs into ``out`` (emptied of .md files first)."""
    rng = random.Random(seed)
    domain, general = source_sentences(shared)
    out.mkdir(parents=True, exist_ok=True)
    for old in out.rglob("*.md"):
        old.unlink()
    synth, used = Synth(out), {}
    number = 0
    while synth.paragraphs < paragraphs:
        size = min(rng.randint(25, 55), paragraphs - synth.paragraphs)
        number += 1
        path, text, count = _document(rng, number, size, domain, general, used)
        path = out / path
        path.parent.mkdir(exist_ok=True)
        path.write_text(text, encoding="utf-8")
        synth.documents += 1
        synth.paragraphs += count
    synth.sentences = list(used)
    return synth


def _document(rng: random.Random, number: int, size: int, domain, general, used) -> tuple[str, str, int]:
    force = rng.choice(FORCES)
    inspectorate = rng.choices(list(INSPECTORATES), weights=[6, 2, 1, 1])[0]
    kind = rng.choices(["inspection", "pcc_response", "force_response", "council"], weights=[45, 35, 12, 8])[0]
    if kind == "council" and force not in COUNCILS:
        kind = "pcc_response"
    year = rng.randint(2013, 2026)
    day = f"{year}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}"
    topics = rng.sample(TOPICS, 3)
    inspection_type = "JTAI" if inspectorate != "HMICFRS" else rng.choice(INSPECTION_TYPES)
    subject = f"{inspection_type} inspection of {force}: {topics[0]}"
    area = force
    if kind == "inspection":
        title, author = subject, f"{inspectorate} inspection team"
        role = f"His Majesty's Inspector of {'Constabulary' if inspectorate == 'HMICFRS' else inspectorate}"
        doc_type, answer = "inspection", None
    elif kind == "pcc_response":
        title = f"Response of the Police and Crime Commissioner for {force} to the {inspectorate} report: {subject}"
        author, role, doc_type, answer = "Police and Crime Commissioner", \
            f"Police and Crime Commissioner for {force}", "pcc_response", "Commissioner's response"
    elif kind == "force_response":
        title = f"{force} Police response to the {inspectorate} report: {subject}"
        author, role, doc_type, answer = "Chief Constable", f"Chief Constable of {force}", "force_response", \
            "Chief Constable's response"
    else:
        area = rng.choice(COUNCILS[force])
        title = f"{area} Council's statement of action following the {inspection_type} in {area}"
        author, role, doc_type, answer = "Director of Children's Services", \
            f"Director of Children's Services, {area} Council", "other", "Council's response"
    front = {"title": title, "date": day, "doc_type": doc_type, "inspectorate": inspectorate,
             "inspection_type": inspection_type, "author": author, "author_role": role, "area": area}
    lines = ["---", *(f"{k}: {json.dumps(v, ensure_ascii=False)}" for k, v in front.items()), "---", "",
             f"# {title}", ""]
    count = 0

    def paragraph(lead: str = "", domain_share: float = 0.45) -> None:
        """Runs of one or two sentences from several passages: recombined, so rarely repeated whole."""
        nonlocal count
        pool = domain if rng.random() < domain_share or not general else general
        wanted = rng.choices([1, 2, 3, 4, 5, 6], [3, 18, 27, 25, 17, 10])[0]
        chosen = []
        while len(chosen) < wanted:
            group = rng.choice(pool)
            length = min(len(group), wanted - len(chosen), rng.choice((1, 2)))
            start = rng.randint(0, len(group) - length)
            chosen += group[start:start + length]
        for sentence in chosen:
            used.setdefault(sentence, None)
        lines.extend([lead + " ".join(chosen), ""])
        count += 1

    sections = _plan(rng, size, kind, answer)
    for heading, items in sections:
        lines.extend([f"## {heading}", ""])
        for n, label in enumerate(items):
            if count >= size:
                break
            if label and kind == "inspection":
                paragraph(f"**{label}** - ", 0.8)
            elif label:  # a response quotes the item under its heading, then answers it
                lines.extend([f"### {label}", ""])
                paragraph("", 0.8)
                if count < size:
                    paragraph("", 0.6)
            else:
                paragraph()
    while count < size:
        paragraph()
    slug = re.sub(r"[^a-z0-9]+", "-", f"{inspectorate} {area} {kind}".lower()).strip("-")
    return f"{year}/{day}-{slug}-{number:06d}.md", "\n".join(lines), count


def _plan(rng: random.Random, size: int, kind: str, answer: str | None) -> list[tuple[str, list]]:
    """Headings and, under each, the paragraphs' labels (None for an unlabelled paragraph)."""
    recs = [f"Recommendation {n}" for n in range(1, rng.randint(2, 10))]
    afis = [f"AFI {n}" for n in range(1, rng.randint(1, 6))]
    plain = lambda n: [None] * max(1, n)  # noqa: E731
    if kind == "inspection":
        return [("Summary", plain(size // 6)), ("Key findings", plain(size // 3)), ("Recommendations", recs),
                ("Areas for improvement", afis), ("Next steps", plain(size))]
    return [("Report summary", plain(size // 6)), (answer, plain(size // 4)), ("Recommendations", recs),
            ("Areas for improvement", afis), (answer, plain(size))]


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out", type=Path)
    parser.add_argument("--paragraphs", type=int, default=10_000)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--shared", type=Path, default=DEFAULT_SHARED, help="BEIR sets folder (optional)")
    args = parser.parse_args(argv)
    synth = generate(args.out, args.paragraphs, args.seed, args.shared)
    print(f"{synth.documents} documents, {synth.paragraphs} paragraphs, {len(synth.sentences)} distinct sentences "
          f"in {synth.root}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
