"""Relevance on the shipped corpus with the real model, and the search contract."""

from dataclasses import replace

import pytest

from indexer import keyword, vocabulary
from indexer.build import build_index
from indexer.errors import QueryError
from indexer.metadata import context
from indexer.search import ALSO_IN, MODES, search
from indexer.store import Index
from indexer.vocabulary import Expansion

from .conftest import make_settings, write

CSE = "2023-12-pcc-response-group-based-cse-thematic"
REVIEW = "2023-06-pcc-response-cheshire-child-protection-review"
THEMATIC = "2020-04-17-pcc-response-national-child-protection-thematic"
HALTON = "2019-10-15-pcc-response-halton-jtai"
BRIEFING = "2019-halton-jtai-briefing-for-schools"

# (query, doc_id, paragraph that must be in the hybrid top 3)
TOP3 = [
    ("children kept in police cells overnight", THEMATIC, 5),  # paraphrase: no "custody", "detained"
    ("little ones locked up at the nick", THEMATIC, 5),  # paraphrase: "locked up" is everyday for "detained"
    ("teenager stabbed to death", HALTON, 4),  # paraphrase of "lost their life due to knife crime"
    ("stop officers blaming the victims", CSE, 9),
    ("victim blaming language", CSE, 9),
    ("problem profiles for child sexual exploitation", CSE, 6),
    ("knife crime", HALTON, 4),
    ("Hydrant programme continuing professional development", CSE, 8),
    ("independent sexual violence advocates for child victims", CSE, 17),
    ("school attendance of vulnerable children", BRIEFING, 5),
    ("youth overnight detention protocol", REVIEW, 10),
    ("voice of the child training for custody staff", REVIEW, 11),
    ("registered sex offenders", REVIEW, 9),
    ("children who go missing from home", REVIEW, 12),
    ("adverse childhood experience", THEMATIC, 5),
    ("Operation Makesafe business community", CSE, 10),
    ("flags in Niche records management", CSE, 11),
    ("multi-agency front door", BRIEFING, 3),
    ("officers lack skills to handle incidents", REVIEW, 3),
    ("deadline for the written statement of proposed action", BRIEFING, 9),
    ("ethnicity data recording", CSE, 3),
]


@pytest.mark.parametrize("query, doc_id, paragraph", TOP3, ids=[q for q, _, _ in TOP3])
def test_relevant_paragraph_in_top_3(index, query, doc_id, paragraph):
    top = [(r.doc_id, r.paragraph) for r in search(index, query, 3).results]
    assert (doc_id, paragraph) in top


def test_hard_paraphrase_in_top_5(index):
    q = "not enough money and too many calls for the police"  # "rising demand and falling resources"
    assert (THEMATIC, 2) in [(r.doc_id, r.paragraph) for r in search(index, q, 5).results]


def test_custody_detention_precedents_from_2020_and_2023(index):
    top = [(r.doc_id, r.paragraph) for r in search(index, "what did we say about custody detention", 5).results]
    assert (THEMATIC, 5) in top
    assert {(REVIEW, 10), (REVIEW, 11)} <= set(top)


def test_result_fields_and_highlights(index):
    response = search(index, "victim blaming", 5, "keyword")
    first = response.results[0]
    assert (response.query, response.mode, first.rank) == ("victim blaming", "keyword", 1)
    assert (first.doc_id, first.paragraph, first.section) == (CSE, 9, "Recommendation 9")
    assert first.url == f"/doc/{CSE}#p9" and first.title.startswith("HMICFRS Inspection")
    assert first.date == "2023-12-08" and first.source == f"{CSE}.txt"
    assert first.matched_terms == ["victim", "blaming"]
    assert [first.text[s:e] for s, e in first.highlights] == ["victim", "blaming"]
    assert [r.rank for r in response.results] == [1, 2, 3, 4, 5]
    assert response.results[0].score >= response.results[-1].score


def test_modes_differ_and_semantic_finds_without_shared_words(index):
    keyword = search(index, "tots at the nick", 10, "keyword").results
    semantic = search(index, "tots at the nick", 10, "semantic").results
    assert keyword == []  # no paragraph shares a word with the query, and it has no everyday word
    assert (REVIEW, 10) == (semantic[0].doc_id, semantic[0].paragraph)  # "…children detained overnight…"
    assert semantic[0].matched_terms == [] and semantic[0].sentence is not None


def test_everyday_words_search_their_official_wording_too(index):
    response = search(index, "kids in cells", 10, "keyword")
    assert [(e.said, e.also[0]) for e in response.also_searched] == [("kids", "children"), ("cells", "police custody")]
    assert response.results and all({"children", "custody"} & set(r.matched_terms) for r in response.results)
    assert search(index, "children in custody", 5).also_searched == []  # one way: official words are not expanded


def test_hybrid_score_with_rrf_is_reciprocal_rank_fusion(index, monkeypatch):
    # min_similarity -1: every paragraph is a semantic match, so the semantic ranking below is complete
    monkeypatch.setattr(index, "settings", replace(index.settings, fusion="rrf", min_similarity=-1.0))
    q = "custody detention"
    keyword = [(r.doc_id, r.paragraph) for r in search(index, q, 100, "keyword").results]
    semantic = [(r.doc_id, r.paragraph) for r in search(index, q, 100, "semantic").results]
    for r in search(index, q, 10).results:
        key = (r.doc_id, r.paragraph)
        expected = sum(1 / (60 + ranking.index(key) + 1) for ranking in (keyword, semantic) if key in ranking)
        assert r.score == pytest.approx(expected, abs=1e-6)


def normalised_runs(index, q):
    """Each side's top 100 with scores min-max scaled to 0..1, and the best keyword hit."""
    runs = []
    for mode in ("keyword", "semantic"):
        results = search(index, q, 100, mode).results
        high, low = results[0].score, results[-1].score
        runs.append({(r.doc_id, r.paragraph): (r.score - low) / (high - low) for r in results})
        if mode == "keyword":
            best = results[0]
    return runs, best


def test_weighted_hybrid_score_is_the_weighted_sum_of_normalised_scores(index, monkeypatch):
    monkeypatch.setattr(index, "settings", replace(index.settings, fusion="weighted", min_similarity=-1.0))
    q, weight = "custody detention", index.settings.semantic_weight
    runs, _ = normalised_runs(index, q)
    for r in search(index, q, 10).results:
        key = (r.doc_id, r.paragraph)
        expected = (1 - weight) * runs[0].get(key, 0) + weight * runs[1].get(key, 0)
        assert r.score == pytest.approx(expected, abs=1e-5)


def test_strict_queries_constrain_the_semantic_side_too(index):
    for mode in ("hybrid", "semantic", "keyword"):
        results = search(index, '"problem profiles"', 10, mode).results
        assert results and all("problem profiles" in r.text for r in results), mode
        assert all("Halton" not in r.text for r in search(index, "knife crime NOT Halton", 10, mode).results)


@pytest.mark.parametrize("query, k, mode, message", [
    ("", 10, "hybrid", "q: the query is empty"),
    ("   ", 10, "hybrid", "q: the query is empty"),
    ("x" * 1001, 10, "hybrid", "longer than 1000"),
    ("custody", 10, "fuzzy", "mode: unknown mode 'fuzzy'"),
    ("custody", 0, "hybrid", "k: must be from 1 to 100"),
    ("custody", 101, "hybrid", "k: must be from 1 to 100"),
    ("custody", "ten", "hybrid", "k: must be a whole number"),
    ("custody " + " ".join(f"w{n}" for n in range(50)), 10, "hybrid",
     "^q: the query has 51 words to search for; keep it to 50, the ones that say what you are looking for$"),
    ("con* pro* inv* com* rep* for*", 10, "keyword", r"^q: the query has 6 prefixes \(con\*, pro\*, inv\*…\), each "
     r"standing for up to 50 words; use at most 5, or write the words out$"),
    ("(" * 490 + "custody" + ")" * 490, 10, "hybrid", "^q: the query has brackets 490 deep; keep them to 10 deep, or "
     "leave them out$"),  # a RecursionError in the parser, a 500
    ("custody \udcff", 10, "hybrid", r"^q: the query holds a character that is not text \(U\+DCFF, at 9\); type"),
])
def test_invalid_requests(index, query, k, mode, message):
    with pytest.raises(QueryError, match=message):
        search(index, query, k, mode)


def test_a_page_no_search_can_have_is_refused_before_searching(index, monkeypatch):
    """Page 10^9 ran the whole search (at 10^10 hits wanted) before finding it had no such page."""
    monkeypatch.setattr(keyword, "parse", None)  # searching would call it
    with pytest.raises(QueryError, match="^page: there are only 5 pages of results in an index of 50 paragraphs, "
                                         "got 1000000000$"):
        search(index, "custody", 10, page=10 ** 9)
    with pytest.raises(QueryError, match="^page: there is only 1 page of results in an index"):
        search(index, "custody", 100, page=2)


def test_acronyms_are_expanded_both_ways_and_reported(index):
    response = search(index, "JTAI Halton", 5, "keyword")
    assert [(e.said, e.also) for e in response.also_searched] == [("JTAI", ("joint targeted area inspection",))]
    assert response.results[0].doc_id.startswith("2019")
    spelled_out = search(index, "child sexual exploitation problem profiles", 5, "keyword")
    assert ("child sexual exploitation", ("CSE",)) in [(e.said, e.also) for e in spelled_out.also_searched]
    assert search(index, "ace", 5).also_searched == []  # an English word, expanded only in capitals


def test_british_and_american_spellings_find_each_other(index):
    american = search(index, "organization behavior program", 10, "keyword").results
    assert any("programme" in r.text.lower() or "behaviour" in r.text.lower() for r in american)
    assert {r.text for r in search(index, "focusing", 10, "keyword").results} == {
        r.text for r in search(index, "focussing", 10, "keyword").results}


def test_question_words_do_not_match_and_alone_are_no_search(index):
    found = search(index, "what did we say about custody", 100, "keyword").results
    assert found and {word for r in found for word in r.matched_terms} == {"custody"}
    for q in ("what did we say", "the", "AND", "title:", "NOT the"):
        with pytest.raises(QueryError, match=r"^q: .* has only common words or operators; add a word"):
            search(index, q, 5, "hybrid")
    for q in ("*", "?", "()", "(-)", "\"\"", "\\\\"):
        with pytest.raises(QueryError, match=r"^q: the query is empty of words .*; type some words"):
            search(index, q, 5, "semantic")


def test_adaptive_fusion_scales_each_keyword_hit_by_the_share_of_query_words_it_has(index, monkeypatch):
    assert index.settings.fusion == "adaptive"
    monkeypatch.setattr(index, "settings", replace(index.settings, min_similarity=-1.0))
    q, weight = "not enough money and too many calls for the police", index.settings.semantic_weight
    runs, best = normalised_runs(index, q)
    words = keyword.parse(q).words
    assert "polic" in words and len(words) == 6
    for r in search(index, q, 10).results:
        key = (r.doc_id, r.paragraph)
        fields = (r.text, r.section or "", r.title, context(index.document(r.doc_id).meta))
        share = len(keyword.stems(" ".join(fields)) & words) / len(words)
        expected = (1 - weight) * share * runs[0].get(key, 0) + weight * runs[1].get(key, 0)
        assert r.score == pytest.approx(expected, abs=1e-5)
    assert len(keyword.stems(best.text) & words) <= 2  # the best keyword hit has "police" and little else


def test_a_query_of_common_words_only_is_ranked_by_meaning(index, monkeypatch):
    common, rare = "police children", "custody detention"
    with index.keyword.reader() as reader:
        assert reader.rarity(keyword.parse(common)) < index.settings.keyword_rarity <= reader.rarity(keyword.parse(rare))
        assert reader.rarity(keyword.parse("Queensberry")) == 1.0  # in one paragraph
    assert search(index, common, 10).total >= search(index, common, 10, "keyword").total  # its hits still match
    monkeypatch.setattr(index, "settings", replace(index.settings, min_similarity=-1.0))
    semantic = [(r.doc_id, r.paragraph, r.score) for r in search(index, common, 100, "semantic").results]
    assert [(r.doc_id, r.paragraph, r.score) for r in search(index, common, 100).results] == semantic
    rare_semantic = [(r.doc_id, r.paragraph) for r in search(index, rare, 100, "semantic").results]
    assert [(r.doc_id, r.paragraph) for r in search(index, rare, 100).results] != rare_semantic  # fused
    monkeypatch.setattr(index, "settings", replace(index.settings, min_similarity=-1.0, keyword_rarity=0.0))
    assert [(r.doc_id, r.paragraph, r.score) for r in search(index, common, 100).results] != semantic


def test_one_sentence_on_the_topic_lifts_a_long_paragraph(tmp_path):
    docs = tmp_path / "docs"
    write(docs, "a.txt", "The council approved the annual budget for road maintenance. Library opening hours will be "
          "extended on Saturdays. Several children were held overnight in police custody because no local "
          "authority accommodation was available. The parks department planted two hundred trees. Bin "
          "collections move to a fortnightly schedule in April.")
    write(docs, "b.txt", "The force reviewed how officers record the welfare needs of young people they meet on patrol.")
    settings = make_settings(tmp_path / "ix", corpus=str(docs))
    build_index(settings, progress=False)
    index = Index.open(settings)
    q = "children kept in police cells overnight"
    assert [r.doc_id for r in search(index, q, 2, "semantic").results] == ["a", "b"]
    index.settings = replace(settings, sentence_weight=0.0)  # the paragraphs' own vectors alone
    assert [r.doc_id for r in search(index, q, 2, "semantic").results] == ["b", "a"]


def test_a_query_naming_a_label_shows_that_item_first(index):
    for q in ("recommendation 9", "what did we say about Recommendation 9 and custody"):
        for mode in ("keyword", "hybrid"):
            first = search(index, q, 5, mode).results[0]
            assert (first.doc_id, first.paragraph, first.section) == (CSE, 9, "Recommendation 9"), (q, mode)
    for mode in MODES:
        assert [(r.doc_id, r.paragraph) for r in search(index, '"recommendation 9"', 5, mode).results] == [(CSE, 9)]
    assert search(index, "recommendation 90", 5, "hybrid").results[0].paragraph != 9  # a label is whole words
    labelled = {p.label: row for row, p in enumerate(index.paragraphs) if p.label}
    assert index.named("afi  1 and RECOMMENDATION 9, then Recommendation 8") == {
        labelled["AFI 1"], labelled["Recommendation 9"], labelled["Recommendation 8"]}
    assert index.named("AFI 10 or recommendation 90") == set()


def test_scope_words_narrow_the_keyword_side_and_stay_out_of_the_embedding(index):
    with index.keyword.reader() as reader:
        assert reader.scope_words("Dwyer 2023 children in custody") == {"Dwyer", "2023"}
        assert reader.scope_words("John Dwyer independent sexual violence advisers") == {"John", "Dwyer"}
    first = search(index, "John Dwyer independent sexual violence advisers", 1).results[0]
    assert (first.doc_id, first.paragraph) == (CSE, 17)  # "…Independent Sexual Violence Advocates (ISVAs)…"


def test_expansions_keep_the_constraints_of_a_strict_query(index):
    for mode in ("keyword", "hybrid"):
        results = search(index, "JTAI AND Warrington", 10, mode).results
        assert results and all("Warrington" in r.text for r in results), mode
    spelled = search(index, "JTAI AND Halton", 10, "keyword").results
    found_by_expansion = [r for r in spelled if "JTAI" not in f"{r.text} {r.section} {r.title}"]
    assert found_by_expansion  # the briefing's paragraphs, under "Joint Targeted Area Inspection"
    assert all("joint targeted area inspection" in f"{r.text} {r.section} {r.title}".lower() for r in found_by_expansion)


def test_a_paragraph_with_the_expansion_has_the_typed_word(index):
    parsed = keyword.parse("CSE problem profiles", vocabulary.expansions("CSE problem profiles"))
    assert parsed.aliases["exploit"] == {"cse"}
    with index.keyword.reader() as reader:
        hits = {row: words for row, _, words in reader.search(parsed, len(index.paragraphs))}
    spelled_out = index.paragraphs.row(f"{CSE}#p6")  # "…problem profiles for child sexual exploitation…", no "CSE"
    assert "CSE" not in index.paragraphs[spelled_out].text
    assert hits[spelled_out] == {"cse", "problem", "profil"}


def test_a_prefix_finds_its_words_in_either_spelling_in_every_mode(index):
    british = search(index, "organis*", 10, "hybrid")
    assert british.also_searched == [Expansion("organis*", ("organisations", "organised"))]
    assert british.results and all({"organisations", "organised"} & set(r.matched_terms) for r in british.results)
    american = search(index, "organiz*", 10, "hybrid")
    assert american.also_searched == [Expansion("organiz*", ("organizations", "organized"))]
    assert [r.text for r in american.results] == [r.text for r in british.results]
    for mode in MODES:
        found = search(index, "vulnerab*", 100, mode).results
        assert found and all("vulnerab" in r.text.lower() for r in found), mode
    kept = search(index, "children -vulnerab*", 100, "hybrid").results
    assert kept and not any("vulnerab" in r.text.lower() for r in kept)


def test_an_excluded_acronym_excludes_its_spelled_out_form(index):
    for q in ("children -CSE", "children NOT CSE"):
        found = search(index, q, 100, "hybrid").results
        assert found and not any("CSE" in r.text or "child sexual exploitation" in r.text.lower() for r in found), q
    left_out = search(index, "children -CSE", 10, "hybrid")
    assert left_out.also_searched == [] and left_out.also_excluded == [Expansion("CSE", ("child sexual exploitation",))]
    assert search(index, "non-CSE", 10, "keyword").also_excluded == []  # a hyphen inside a word excludes nothing


def test_dashes_and_full_width_characters_read_as_typed_on_a_plain_keyboard(index):
    plain = [r.text for r in search(index, "children -custody", 100, "keyword").results]
    for q in ("children \u2013custody", "children \u2212custody", "children \uff0dcustody"):  # en dash, minus, full-width
        assert [r.text for r in search(index, q, 100, "keyword").results] == plain, q
    assert search(index, "\uff43\uff55\uff53\uff54\uff4f\uff44\uff59", 5).query == "custody"
    assert search(index, "custod\uff0a", 5).also_searched == [Expansion("custod*", ("custody",))]


def test_excluded_words_do_not_shape_the_meaning_search(index, monkeypatch):
    monkeypatch.setattr(index, "settings", replace(index.settings, min_similarity=-1.0))
    for q in ("children NOT custody", "children -custody", 'children -"police custody"'):
        excluded = [(r.doc_id, r.paragraph) for r in search(index, q, 100, "semantic").results]
        children = [(r.doc_id, r.paragraph) for r in search(index, "children", 100, "semantic").results]
        assert excluded == [key for key in children if key in set(excluded)], q
    everything_else = {mode: search(index, "-custody", 10, mode).total for mode in MODES}  # nothing left to embed
    assert len(set(everything_else.values())) == 1 and everything_else["semantic"] > 40, everything_else


def test_a_sub_item_keeps_its_own_number(tmp_path):
    docs = tmp_path / "docs"
    write(docs, "report.md", "# Recommendations\n\n**Recommendation 9** - Forces should record custody decisions.\n\n"
                             "**Recommendation 9.1** - Forces should audit the records.\n\n"
                             "**AFI 1.5** - Training on records.\n")
    settings = make_settings(tmp_path / "ix", corpus=str(docs))
    build_index(settings, progress=False)
    index = Index.open(settings)
    assert [p.label for p in index.paragraphs] == ["Recommendation 9", "Recommendation 9.1", "AFI 1.5"]
    for q, first in (("Recommendation 9.1", "Recommendation 9.1"), ("recommendation 9 records", "Recommendation 9"),
                     ("AFI 1.5", "AFI 1.5")):
        assert search(index, q, 3, "keyword").results[0].label == first, q
    assert index.named("AFI 1") == set() and index.named("recommendation 9.1") == {1}


def test_boilerplate_in_many_documents_lists_a_few_places_and_counts_them_all(tmp_path):
    stock = ("The Police and Crime Commissioner welcomes this report and thanks the inspectorate for its "
             "thorough and constructive work with the force and its partners.")
    docs = tmp_path / "docs"
    for n in range(ALSO_IN + 5):
        write(docs, f"reply-{n:02}.txt", f"{stock}\n\nForce {n} will review custody suite number {n} by March.")
    settings = make_settings(tmp_path / "ix", corpus=str(docs))
    build_index(settings, progress=False)
    index = Index.open(settings)
    first = search(index, "commissioner welcomes this report and thanks the inspectorate", 1, "keyword").results[0]
    assert first.text == stock and len(first.also_in) == ALSO_IN and first.also_in_documents == ALSO_IN + 4
    from webui import create_app

    client = create_app({"TESTING": True, "PRECEDENT_INDEX": index, "PRECEDENT_WARM": False}).test_client()
    page = client.get("/?q=commissioner+welcomes+this+report&mode=keyword").get_data(as_text=True)
    assert f"Also in {ALSO_IN + 4} other documents:" in page and "; and 4 more</p>" in page


def test_a_paragraph_repeated_in_its_own_document_is_not_its_twin(tmp_path):
    stock = ("Given the ongoing vulnerability of children within our local communities, the Constabulary "
             "will continue to review its approach to safeguarding with its statutory partners.")
    docs = tmp_path / "docs"
    write(docs, "report.txt", f"{stock}\n\nThe inspection took place in July.\n\nIn summary:\n\n{stock}")
    write(docs, "reply.txt", f"We note the report.\n\n{stock}")
    settings = make_settings(tmp_path / "ix", corpus=str(docs))
    build_index(settings, progress=False)
    index = Index.open(settings)
    places = {(p.doc_id, p.paragraph): row for row, p in enumerate(index.paragraphs) if p.text == stock}
    assert len(places) == 3
    for (doc_id, _), row in places.items():
        assert {index.paragraphs[t].doc_id for t in index.twins(row)} == {"report", "reply"} - {doc_id}
    reply = search(index, "vulnerability of children in local communities", 10, "keyword").results[0]
    assert reply.doc_id == "reply" and len(reply.also_in) == 2  # both places in the report, one document
    from webui import create_app

    client = create_app({"TESTING": True, "PRECEDENT_INDEX": index, "PRECEDENT_WARM": False}).test_client()
    assert "Also in 1 other document:" in client.get("/?q=vulnerability+of+children&mode=keyword").get_data(as_text=True)
