"""``precedent eval`` on a small BEIR folder written by the test."""

import json

import pytest

from indexer.cli import main
from indexer.errors import ConfigError
from indexer.evaluate import load_dataset

PASSAGES = {
    "p1": ("Custody", "Children were detained in police custody overnight because no bed was found."),
    "p2": ("Knives", "Knife crime in Halton fell after the partnership met every week."),
    "p3": ("Profiles", "Few forces have problem profiles of group-based child sexual exploitation."),
    "p4": ("Budget", "First paragraph about the budget.\n\nThe second paragraph is about ferrets escaping."),
    "p5": ("Training", "Officers were trained to recognise the voice of the child."),
}
QUERIES = {"q1": "children held in police cells", "q2": "knife crime Halton", "q3": "escaped ferrets",
           "q4": "unjudged query"}
QRELS = [("q1", "p1", 2), ("q2", "p2", 1), ("q3", "p4", 1), ("q3", "p5", 0)]


def write_dataset(folder):
    (folder / "qrels").mkdir(parents=True)
    with open(folder / "corpus.jsonl", "w") as handle:
        for pid, (title, text) in PASSAGES.items():
            handle.write(json.dumps({"_id": pid, "title": title, "text": text}) + "\n")
    with open(folder / "queries.jsonl", "w") as handle:
        for qid, text in QUERIES.items():
            handle.write(json.dumps({"_id": qid, "text": text}) + "\n")
    lines = ["query-id\tcorpus-id\tscore"] + [f"{q}\t{p}\t{s}" for q, p, s in QRELS]
    (folder / "qrels" / "test.tsv").write_text("\n".join(lines) + "\n")
    return folder


def test_eval_prints_the_figures_of_every_mode(tmp_path, capsys):
    dataset = write_dataset(tmp_path / "tiny")
    code = main(["eval", str(dataset), "--json", "--work-dir", str(tmp_path / "work")])
    result = json.loads(capsys.readouterr().out)
    assert code == 0
    assert (result["dataset"], result["passages"], result["indexed"], result["queries"]) == ("tiny", 5, 5, 3)
    assert set(result["modes"]) == {"hybrid", "keyword", "semantic"}
    for figures in result["modes"].values():
        assert set(figures) == {"nDCG@10", "Recall@10", "Recall@100", "MRR@10", "median_ms"}
        assert figures["Recall@10"] == 1.0  # five passages: every relevant one is in the top 10
    # the ferrets are in the second paragraph of p4: the passage scores by its best paragraph
    assert result["modes"]["keyword"]["MRR@10"] == 1.0

    code = main(["eval", str(dataset), "--mode", "keyword", "--work-dir", str(tmp_path / "work")])
    out = capsys.readouterr().out  # a second run reuses the indexed files
    assert code == 0 and "tiny: 5 passages (5 indexed), 3 queries; indexed in" in out
    assert out.splitlines()[1].split() == ["mode", "nDCG@10", "Recall@10", "Recall@100", "MRR@10", "median", "ms"]
    assert out.splitlines()[2].startswith("keyword") and len(out.splitlines()) == 3


@pytest.mark.parametrize("breakage, message", [
    (lambda d: (d / "corpus.jsonl").unlink(), "corpus.jsonl: cannot be read"),
    (lambda d: (d / "queries.jsonl").write_text("{not json\n"), "queries.jsonl: not JSON lines"),
    (lambda d: (d / "qrels" / "test.tsv").write_text("q1 p1\n"), "test.tsv, line 1: expected query-id"),
    (lambda d: (d / "qrels" / "test.tsv").write_text("qx\tp1\t1\n"), "no query in queries.jsonl has judgments"),
])
def test_bad_dataset_names_the_file(tmp_path, breakage, message):
    dataset = write_dataset(tmp_path / "tiny")
    breakage(dataset)
    with pytest.raises(ConfigError, match=message):
        load_dataset(dataset)


def test_unknown_mode_is_a_one_line_error(tmp_path, capsys):
    code = main(["eval", str(write_dataset(tmp_path / "tiny")), "--mode", "fuzzy"])
    assert code == 1 and capsys.readouterr().err.startswith("Error: --mode: unknown mode 'fuzzy'")

