"""The domain relevance set (benchmarks/domain/) as a regression guard.

The floors are the figures measured when the set was written (docs/relevance.md),
less a small margin: a change that makes search worse for PCC staff fails here.
"""

import pytest

from indexer.evaluate import read_qrels, read_queries, run_mode

from .conftest import REPO

DOMAIN = REPO / "benchmarks" / "domain"


@pytest.fixture(scope="module")
def figures(index):
    queries, qrels = read_queries(DOMAIN / "queries.jsonl"), read_qrels(DOMAIN / "qrels.tsv")
    assert len(queries) >= 40 and set(qrels) == set(queries)
    return {mode: run_mode(index, queries, qrels, mode, lambda r: f"{r.doc_id}#p{r.paragraph}")
            for mode in ("hybrid", "keyword", "semantic")}


def test_every_judged_paragraph_exists(index):
    keys = {p.key for p in index.paragraphs}
    judged = {key for judgments in read_qrels(DOMAIN / "qrels.tsv").values() for key in judgments}
    assert judged <= keys


def test_hybrid_beats_each_side_alone(figures):
    for name in ("nDCG@10", "MRR@10"):
        assert figures["hybrid"].figures[name] > max(figures["keyword"].figures[name],
                                                     figures["semantic"].figures[name])


def test_hybrid_meets_the_target_and_stays_at_its_measured_level(figures):
    assert figures["hybrid"].figures["MRR@10"] >= 0.9  # issue 4's target
    assert figures["hybrid"].figures["nDCG@10"] >= 0.85
    assert figures["hybrid"].figures["Recall@10"] >= 0.89


def test_held_out_paraphrases_stay_at_their_measured_level(index):
    """25 paraphrases written by someone who saw neither the queries above nor everyday.txt."""
    held_out = DOMAIN / "heldout"
    queries, qrels = read_queries(held_out / "queries.jsonl"), read_qrels(held_out / "qrels.tsv")
    result = run_mode(index, queries, qrels, "hybrid", lambda r: f"{r.doc_id}#p{r.paragraph}")
    assert len(queries) == 25 and result.figures["MRR@10"] >= 0.59 and result.figures["Recall@10"] >= 0.74
