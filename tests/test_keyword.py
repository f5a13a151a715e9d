import json
from pathlib import Path

import numpy as np
import pytest

from indexer import keyword, keyword_tantivy
from indexer.querytree import And, AndMaybe, Every, Nothing, Or, Phrase, Require, Term, leaves
from indexer.errors import QueryError
from indexer.records import Paragraph
from indexer.vocabulary import Expansion

TEXTS = [
    "Children continue to be detained in police custody overnight.",  # 0
    "The custody suite was refurbished.",  # 1
    "Problem profiles for child sexual exploitation are rare.",  # 2
    "A profile of the problem was written in Halton.",  # 3
    "Knife crime in Halton fell after the incident.",  # 4
    "Knife crime rose in Warrington.",  # 5
]


@pytest.fixture(scope="module", params=keyword.ENGINES)
def kw(request, tmp_path_factory):
    """A reader of each engine's index of TEXTS: every test taking it runs on whoosh and on tantivy."""
    engine = keyword.engine(request.param)
    folder = tmp_path_factory.mktemp(request.param) / "keyword"
    paragraphs = [Paragraph("d", i + 1, t, "Section", "Title", None, "d.txt") for i, t in enumerate(TEXTS)]
    engine.build(folder, paragraphs, {}, {p.key: row for row, p in enumerate(paragraphs)})
    with engine.KeywordIndex(folder).reader() as reader:
        yield reader


def pids(kw, q):
    return [row for row, _, _ in kw.search(keyword.parse(q), 10)]


def matching(kw, q):
    """The rows a strict query allows, or None for a plain bag of words, which constrains nothing."""
    parsed = keyword.parse(q)
    return set(kw.matches(parsed).tolist()) if parsed.strict else None


def test_natural_language_query_is_or_with_a_bonus_for_more_words(kw):
    got = pids(kw, "what did we say about knife crime in Warrington")
    assert got[0] == 5  # knife, crime and Warrington
    assert set(got) == {4, 5}  # paragraph 4 lacks Warrington but is still found


def test_stemming_matches_word_forms(kw):
    assert set(pids(kw, "profiling")) == {2, 3}
    assert pids(kw, "detain") == [0]


def test_quoted_phrase_requires_the_words_in_order(kw):
    assert pids(kw, '"problem profiles"') == [2]
    assert matching(kw, '"problem profiles"') == {2}


def test_and_or_not(kw):
    assert set(pids(kw, "knife AND Halton")) == {4}
    assert set(pids(kw, "knife crime NOT Halton")) == {5}
    assert set(pids(kw, "knife -halton")) == {5}
    assert set(pids(kw, "suite OR profiles")) == {1, 2, 3}
    assert set(pids(kw, "NOT knife NOT custody")) == {2, 3}
    assert matching(kw, "crime -warrington") == {4}
    assert matching(kw, "knife crime") is None  # a bag of words constrains nothing


def test_a_lone_exclusion_finds_everything_else(kw):
    assert set(pids(kw, "-custody")) == matching(kw, "-custody") == {2, 3, 4, 5}


def test_operators_whoosh_simplifies_to_a_plain_word_still_constrain(kw):
    assert matching(kw, "+Warrington") == {5}
    assert matching(kw, '"custody"') == {0, 1}
    assert matching(kw, "custody OR Warrington") == {0, 1, 5}
    assert matching(kw, "custody or warrington") is None  # "or" in lower case is a word
    assert matching(kw, "title:custody") == set()  # every title is "Title"
    assert matching(kw, "section:custody") == set() and matching(kw, "text:custody") == {0, 1}
    assert matching(kw, "TEXT:custody") == matching(kw, "Text:custody") == {0, 1}
    assert matching(kw, "Re: custody") is None and matching(kw, "title: custody") is None  # no field put to use


@pytest.mark.parametrize("q", ["NOT NOT custody", "NOT AND custody", "NOT OR custody", "custody NOT NOT NOT",
                               "children ( +custody )", "children --custody", "-+custody", "REQUIRE ANDMAYBE children"])
def test_operators_whoosh_cannot_place_are_a_query_error(q):
    with pytest.raises(QueryError, match=r"^q: cannot read the operators of '.*' \(.*\); simplify them"):
        keyword.parse(q)


@pytest.mark.parametrize("typed, words", [
    ("custody~2", "custody 2"), ('"knife crime"~99999999999', '"knife crime" 99999999999'),
    ("custody^" + "9" * 400, "custody " + "9" * 400), ("key:custody Halton", "key custody Halton"),
    ("doc_id:d knife", "doc_id d knife"), ("spell_text:knife", "spell_text knife"), ("xtitle:knife", "xtitle knife"),
    ("*:* knife", "knife"), ("/knif.*/ crime", "knif crime")])
def test_fuzzy_proximity_boost_regex_and_unknown_fields_are_plain_words(kw, typed, words):
    """whoosh read a "~" after a phrase as its slop (tantivy overflowed on a large one, a 500), "^" as a boost
    ("^" and 400 nines scored every match infinity), "key:" and "doc_id:" as fields of the index that are not
    searched (tantivy has no "key" field, a 500) and "*:*" as every paragraph."""
    tree = lambda q: set(leaves(keyword.neutral(keyword.parse(q).positive)))  # noqa: E731
    assert tree(typed) == tree(words)
    assert set(pids(kw, typed)) == set(pids(kw, words))


def test_nesting_counts_brackets_outside_quotes():
    texts = ("custody", "(a OR (b c)) (d)", '"(((" (a)', "((a", "a)))((b)")
    assert [keyword.nesting(text) for text in texts] == [0, 2, 1, 2, 2]


@pytest.mark.parametrize("q", ["-(-custody)", "knife NOT (NOT Halton)", "crime -(knife -Halton)",
                               "crime -(knife ANDNOT Halton)", "-(" * 10 + "custody" + ")" * 10])
def test_an_exclusion_inside_an_exclusion_is_a_query_error(q):
    """It was a 500: the tree it made has no neutral form for the postings."""
    with pytest.raises(QueryError, match=r"^q: cannot read an exclusion inside an exclusion, .*; say once what"):
        keyword.parse(q)


def test_an_exclusion_excludes_wherever_it_stands(kw):
    for q in ("crime NOT Halton OR Warrington", "knife (-halton)", "(NOT halton) crime", "knife AND (crime -halton)"):
        assert set(pids(kw, q)) == matching(kw, q) == {5}, q
    assert matching(kw, "(-custody)") == {2, 3, 4, 5}


def test_a_phrase_or_a_group_can_be_excluded_or_required(kw):
    assert set(pids(kw, 'knife -"crime in Halton"')) == matching(kw, 'knife -"crime in Halton"') == {5}
    assert set(pids(kw, "crime -(Halton OR Warrington)")) == set()
    assert matching(kw, 'crime +"knife crime"') == {4, 5}


def test_curly_quotes_make_a_phrase(kw):
    assert matching(kw, "\u201cproblem profiles\u201d") == matching(kw, '"problem profiles"') == {2}


def test_a_star_that_ends_no_prefix_is_dropped(kw):
    assert pids(kw, "*custody") == pids(kw, "cust*ody") == pids(kw, "custody") == [1, 0]
    assert keyword.prefixes("*custody cu* \"custod*\" custod*") == ["custod"]


def test_a_trailing_star_searches_every_word_the_prefix_begins(kw):
    # a prefix needs three letters and stands outside quotes; a ? is dropped as before
    assert kw.completions('warr* "prob*" cu* refurb* knife?') == [
        Expansion("warr*", ("warrington",)), Expansion("refurb*", ("refurbished",))]
    found = keyword.parse("warr* OR refurb*", kw.completions("warr* OR refurb*"))
    assert found.strict and set(kw.matches(found).tolist()) == {1, 5}
    assert {row for row, _, words in kw.search(found, 10) if words == {"warr"}} == {5}
    alone = keyword.parse("warr*", kw.completions("warr*"))
    assert [row for row, _, _ in kw.search(alone, 10)] == [5]
    crime = keyword.parse("crime -warr*", kw.completions("crime -warr*"))
    assert [row for row, _, _ in kw.search(crime, 10)] == [4]
    assert kw.completions("xyzzy*") == [] and pids(kw, "xyzzy*") == []


def test_a_prefix_stands_for_its_most_frequent_words_only(kw, monkeypatch):
    assert kw.completions("cr*") == [] and kw.completions("cri*") == [Expansion("cri*", ("crime",))]
    assert kw.completions("c*") == [] and kw.completions("chi*") == [Expansion("chi*", ("child", "children"))]
    monkeypatch.setattr(keyword, "COMPLETIONS", 1)
    assert kw.completions("pro*") == [Expansion("pro*", ("problem",))]  # in two paragraphs; "profile" in one


def test_single_digits_are_words_and_single_letters_are_not():
    tokens = [t.text for t in keyword.ANALYZER("Recommendation 9 and AFI 2 of the children's x")]
    assert tokens == ["recommend", "9", "afi", "2", "children"]


def test_hyphenated_words_are_not_negations(kw):
    assert not keyword.parse("multi-agency lock-ups").strict


def test_query_terms_skip_negated_words_and_match_spans():
    terms = keyword.query_terms(keyword.parse("detention custody NOT halton"))
    assert ("halton",) not in terms and {("custodi",), ("detent",)} <= terms
    text = "Custody and detentions: custodial."
    assert [text[s:e] for s, e in keyword.match_spans(text, terms)] == ["Custody", "detentions", "custodial"]
    assert keyword.match_spans(text, frozenset()) == []


def test_a_phrase_is_marked_only_where_it_stands_whole():
    cse = keyword.parse("CSE", [Expansion("CSE", ("child sexual exploitation",))])
    assert ("child", "sexual", "exploit") in keyword.query_terms(cse)
    text = "A child at risk of sexual harm; child sexual exploitation (CSE) is rarer."
    assert [text[s:e] for s, e in keyword.match_spans(text, keyword.query_terms(cse))] == [
        "child sexual exploitation", "CSE"]  # one mark for the phrase
    near = keyword.query_terms(keyword.parse("child harm"))  # the proximity bonus asks for no phrase
    assert [text[s:e] for s, e in keyword.match_spans(text, near)] == ["child", "harm", "child"]


def test_each_hit_says_which_of_the_query_words_it_has(kw):
    hits = kw.search(keyword.parse("knife crime in Warrington"), 10)
    assert [(row, sorted(words)) for row, _, words in hits] == [
        (5, ["crime", "knife", "warrington"]), (4, ["crime", "knife"])]


@pytest.mark.parametrize("few", [0, 1000])
def test_matches_are_sorted_rows_and_search_keeps_to_the_allowed_ones(kw, few, monkeypatch):
    monkeypatch.setattr(keyword_tantivy, "FEW", few)  # tantivy names allowed rows up to FEW, else filters hits
    q = keyword.parse("knife crime custody")
    found = kw.matches(q)
    assert found.dtype == np.int64 and found.tolist() == [0, 1, 4, 5]
    assert kw.matches(keyword.parse("xyzzy")).tolist() == [] and kw.matches(keyword.parse("the")).tolist() == []
    some = np.zeros(len(TEXTS), dtype=bool)
    some[[1, 4]] = True
    assert sorted(row for row, _, _ in kw.search(q, 10, some)) == [1, 4]
    assert [row for row, _, _ in kw.search(q, 1, ~some)] == [5]  # the best of the allowed: 4 and 5 would lead
    assert kw.search(q, 10, np.zeros(len(TEXTS), dtype=bool)) == []
    assert [row for row, _, _ in kw.search(q, 10, np.ones(len(TEXTS), dtype=bool))] == pids(kw, "knife crime custody")
    assert len(kw.search(q, 2)) == 2
    strict = keyword.parse("crime -warrington")
    assert kw.matches(strict).tolist() == [4] and kw.search(strict, 10, ~some) == []


def test_the_words_of_a_hit_and_the_statistics_agree_between_engines(kw):
    assert kw.scope_words("custody in Halton") == set()
    assert kw.suggest("custdy in Haltn") == "custody in halton"
    assert kw.suggest("custody") is None
    assert 0 < kw.rarity(keyword.parse("custody")) < kw.rarity(keyword.parse("warrington")) == 1.0
    cse = keyword.parse("CSE", [Expansion("CSE", ("child sexual exploitation",))])
    assert [(row, words) for row, _, words in kw.search(cse, 10)] == [(2, {"cse"})]


def fields(word: str) -> tuple[Term, ...]:
    return tuple(Term(field, word, boost) for field, boost in keyword.FIELD_BOOSTS.items())


def test_the_neutral_tree_has_a_node_for_each_kind_parse_makes():
    def tree(q):
        return keyword.neutral(keyword.parse(q).positive)

    assert tree("title:custody") == Term("title", "custodi")
    assert set(leaves(tree("custody^2"))) == set(leaves(tree("custody 2")))  # "^" is no boost
    near = Phrase("text", ("knife", "crime"), 4, 0.5)  # the proximity bonus
    assert tree("knife crime") == Or((Or(fields("knife") + fields("crime")), near))
    assert tree('"problem profiles"') == Or(tuple(Phrase(f, ("problem", "profil"), 1, b)
                                                  for f, b in keyword.FIELD_BOOSTS.items()))
    assert tree("knife AND Halton") == And((Or(fields("knife")), Or(fields("halton"))))
    assert tree("crime +knife") == AndMaybe(Or(fields("knife")), Or(fields("crime")))
    assert tree("custody REQUIRE knife") == Require(Or(fields("custodi")), Or(fields("knife")))
    assert tree("-custody") == Every() and tree("the") == Nothing()
    assert keyword.neutral(keyword.parse("knife -custody").negative) == Or(fields("custodi"))


def test_the_quick_word_reader_keeps_the_words_the_analyzer_keeps():
    texts = [path.read_text(encoding="utf-8") for path in sorted((Path(__file__).parent.parent / "corpus").iterdir())]
    texts += ["Recommendation 9 and AFI 2 of the children's x", "e.g. 3.5% U.S.A. naïve café organisations Über 1,000.5",
              "a_b __x__ 12.34.56 x.y. behaviour-led programmes"]
    for text in texts:
        assert [(stemmed, start, end) for _, stemmed, start, end in keyword.words(text)] == [
            (t.text, t.startchar, t.endchar) for t in keyword.ANALYZER(text, chars=True, mode="index")]
        assert [spelled for spelled, _, _, _ in keyword.words(text)] == [
            t.text for t in keyword.ANALYZER(text, no_morph=True)]


def paragraphs_of(doc_id: str, texts: list[str]) -> list[Paragraph]:
    return [Paragraph(doc_id, n + 1, text, "Section", "Title", None, f"{doc_id}.txt") for n, text in enumerate(texts)]


def rows_of(paragraphs: list[Paragraph]) -> dict[str, int]:
    return {p.key: row for row, p in enumerate(paragraphs)}


@pytest.mark.parametrize("name", keyword.ENGINES)
def test_an_updated_index_finds_what_one_built_afresh_finds(name, tmp_path):
    engine = keyword.engine(name)
    a, b, c = paragraphs_of("a", TEXTS[:2]), paragraphs_of("b", TEXTS[2:4]), paragraphs_of("c", TEXTS[4:])
    engine.build(tmp_path / "first", a + b + c, {}, rows_of(a + b + c))
    # a's second paragraph changes, b goes, c stays: c's rows move up by two
    changed = paragraphs_of("a", [TEXTS[0], "Vetting of new recruits was thorough."])
    after = changed + c
    keys = engine.build(tmp_path / "updated", changed, {}, rows_of(after), tmp_path / "first", {"a", "b"})
    assert sorted(keys) == sorted(p.key for p in after)
    engine.build(tmp_path / "fresh", after, {}, rows_of(after))
    with engine.KeywordIndex(tmp_path / "updated").reader() as updated, \
            engine.KeywordIndex(tmp_path / "fresh").reader() as fresh:
        for q in ("custody", "vetting", "knife crime", '"knife crime"', "crime -warrington", "problem profiles"):
            assert updated.matches(keyword.parse(q)).tolist() == fresh.matches(keyword.parse(q)).tolist(), q
            assert {row for row, _, _ in updated.search(keyword.parse(q), 10)} == {
                row for row, _, _ in fresh.search(keyword.parse(q), 10)}, q
        assert updated.matches(keyword.parse("vetting OR warrington")).tolist() == [1, 3]
        assert updated.suggest("vettng in Warington") == "vetting in warrington"


def test_a_tantivy_update_keeps_the_vocabulary_of_the_paragraphs_it_holds(tmp_path):
    a, b = paragraphs_of("a", TEXTS[:3]), paragraphs_of("b", TEXTS[3:])
    keyword_tantivy.build(tmp_path / "first", a + b, {}, rows_of(a + b))
    again = paragraphs_of("b", ["Knife crime rose again in Warrington and Widnes."])
    keys = keyword_tantivy.build(tmp_path / "updated", again, {}, rows_of(again), tmp_path / "first", {"a", "b"})
    assert keys == ["b#p1"]
    keyword_tantivy.build(tmp_path / "fresh", again, {}, rows_of(again))
    counts = [json.loads((tmp_path / name / keyword_tantivy.COUNTS).read_text()) for name in ("updated", "fresh")]
    assert counts[0] == counts[1] and "custody" not in counts[0] and counts[0]["widnes"] == [1, "widn"]
    with keyword_tantivy.KeywordIndex(tmp_path / "updated").reader() as reader:
        assert reader.suggest("custdy") is None  # custody left with a: no longer a word of the index
        assert reader.suggest("Widnez") == "widnes"
        assert reader.matches(keyword.parse("knife")).tolist() == [0]
