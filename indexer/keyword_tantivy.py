"""The keyword side on tantivy: the same index, queries and answers as ``keyword`` (whoosh), faster.

whoosh, in pure Python, takes ~60 ms at the median and ~220 ms at p95 to answer
an OR query over 100,000 paragraphs; tantivy (Rust) takes 1-2 ms. This is the
only module that imports tantivy; ``keyword.engine("tantivy")`` returns it.

What stays whoosh's, so both engines find the same paragraphs: the query
language (``keyword.parse``, read here through ``keyword.neutral``) and the
analysis. Text is analysed in Python by ``keyword.words`` (ANALYZER's words) and indexed as its
words joined by spaces under tantivy's whitespace tokenizer, so words and
positions (phrases) are whoosh's exactly. Scores are tantivy's BM25 per field,
times keyword.FIELD_BOOSTS, not whoosh's BM25F: rankings agree, values do not.

On disk, beside tantivy's files: ``words/``, a second small tantivy index of the
unstemmed words of paragraph text (one document each, with the times its stem
occurs), which "Did you mean" searches by edit distance as whoosh's corrector
does, since tantivy-py offers no walk of the term dictionary within a distance;
``counts.json``, what ``words/`` is built from, kept so that an update need not
read every paragraph again; ``keys.json`` and ``rows.npy``, each entry's
paragraph key and row; and ``postings/``, from which every match of a query is
read (``postings``).

An update is whoosh's: a copy of the previous generation's index, less the
changed and removed documents, plus their new paragraphs. So an entry holds no
row (a changed document moves every row after it) but an id, given in turn as
entries are added and kept while they live, which ``rows.npy`` maps to the row
of each generation, as whoosh's document numbers are. As in whoosh, deleted
entries count in the statistics (BM25, completions) until tantivy merges their
segment.
"""

from __future__ import annotations

import json
import shutil
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import numpy as np
import tantivy

from . import deadline, keyword, postings, querytree
from .keyword import FIELD_BOOSTS, Parsed
from .records import Paragraph

INCREMENTAL = True  # build() updates a copy of the previous generation's index
WORDS = "words"
COUNTS = "counts.json"  # unstemmed word of paragraph text -> [the times it occurs, its stem]
KEYS = "keys.json"  # entry id -> its paragraph's key (None: deleted)
ROWS = keyword.ROWS  # entry id -> its paragraph's row in the generation (-1: deleted)
HEAP = 100_000_000  # the writer's memory: one segment for ~100,000 paragraphs
BITS = 20  # words told apart by one search, each a power of two of its score (exact in float32 below 2**24)
FEW = 1000  # allowed rows up to which a search names them instead of filtering its hits


def _schema() -> tantivy.Schema:
    builder = tantivy.SchemaBuilder()
    for field in FIELD_BOOSTS:
        builder.add_text_field(field, tokenizer_name="whitespace")
    # for completions; stored, so that an update takes a removed paragraph's words out of the counts
    builder.add_text_field("spelled", stored=True, tokenizer_name="whitespace", index_option="basic")
    builder.add_text_field("doc_id", tokenizer_name="raw", index_option="basic")  # what an update deletes by
    builder.add_unsigned_field("id", indexed=True, fast=True)
    return builder.build()


def _words_schema() -> tantivy.Schema:
    builder = tantivy.SchemaBuilder()
    builder.add_text_field("word", stored=True, tokenizer_name="raw", index_option="basic")
    builder.add_unsigned_field("frequency", stored=True)
    return builder.build()


SCHEMA, WORDS_SCHEMA = _schema(), _words_schema()


def build(folder: Path, paragraphs: list[Paragraph], contexts: dict[str, str], rows: dict[str, int],
          previous: Path | None = None, remove: set[str] = frozenset()) -> list[str]:
    """Write the keyword index of a new generation into ``folder``; returns the key of every entry, read
    back from the index, for the caller to check against its vectors.

    As whoosh's: with ``previous`` (the last generation's index), copy it,
    drop the paragraphs of the ``remove`` documents, then add ``paragraphs``;
    without it, index ``paragraphs`` from scratch. ``rows`` gives every
    paragraph's row in the new generation, saved as each entry's.
    """
    if previous is None:
        folder.mkdir(parents=True)
        index, counts, keys = tantivy.Index(SCHEMA, path=str(folder)), {}, []
    else:
        shutil.copytree(previous, folder, ignore=shutil.ignore_patterns(WORDS, postings.FOLDER))
        index = tantivy.Index.open(str(folder))
        counts, keys = (json.loads((folder / name).read_text(encoding="utf-8")) for name in (COUNTS, KEYS))
    occurrences = Counter({word: times for word, (times, _) in counts.items()})
    stems = {word: stem for word, (_, stem) in counts.items()}
    writer = index.writer(HEAP, 1)
    if remove:
        _forget(index.searcher(), remove, occurrences, keys)
        for doc_id in sorted(remove):
            writer.delete_documents_by_term("doc_id", doc_id)
    found = postings.Writer()
    _add(writer, paragraphs, contexts, occurrences, stems, keys, found, rows)
    writer.commit()
    writer.wait_merging_threads()
    keyword.write_postings(folder, found, rows, previous)
    counts = {word: [times, stems[word]] for word, times in occurrences.items() if times > 0}
    (folder / COUNTS).write_text(json.dumps(counts, ensure_ascii=False), encoding="utf-8")
    _build_words(folder / WORDS, counts)
    (folder / KEYS).write_text(json.dumps(keys, ensure_ascii=False), encoding="utf-8")
    np.save(folder / ROWS, np.array([-1 if key is None else rows.get(key, -1) for key in keys], dtype=np.int64))
    index.reload()
    searcher = index.searcher()
    hits = _hits(searcher, tantivy.Query.all_query(), searcher.num_docs)
    entries = searcher.fast_field_values("id", [address for _, address in hits]) if hits else []
    return [keys[entry] or f"entry {entry}?" for entry in entries]


def _add(writer: tantivy.IndexWriter, paragraphs: list[Paragraph], contexts: dict[str, str],
         occurrences: Counter[str], stems: dict[str, str], keys: list[str | None], found: postings.Writer,
         rows: dict[str, int]) -> None:
    """Index ``paragraphs``, each with the next entry id (``keys`` grows by its key), counting the
    unstemmed words of their text, noting each one's stem, and telling ``found`` their words (at
    their ``rows``)."""
    for p, spelled, fields in keyword.analysed(paragraphs, contexts):
        occurrences.update(spelled)
        stems.update(zip(spelled, fields["text"]))
        found.add(rows[p.key], fields)
        doc = tantivy.Document()
        for field, words in fields.items():
            doc.add_text(field, " ".join(words))
        doc.add_text("spelled", " ".join(spelled))
        doc.add_text("doc_id", p.doc_id)
        doc.add_unsigned("id", len(keys))
        keys.append(p.key)
        writer.add_document(doc)


def _forget(searcher: tantivy.Searcher, remove: set[str], occurrences: Counter[str], keys: list[str | None]) -> None:
    """Take the paragraphs of the ``remove`` documents out of the word ``occurrences`` and the ``keys``."""
    q = tantivy.Query.boolean_query([(tantivy.Occur.Should, tantivy.Query.term_query(SCHEMA, "doc_id", doc_id))
                                     for doc_id in remove])
    hits = _hits(searcher, q)
    for _, address in hits:
        occurrences.subtract((searcher.doc(address).get_first("spelled") or "").split())
    for entry in searcher.fast_field_values("id", [address for _, address in hits]) if hits else []:
        keys[entry] = None


def _build_words(folder: Path, counts: dict[str, list]) -> None:
    """The vocabulary index: each unstemmed word with the times it occurs, as a stem, in paragraph text
    (whoosh's corrector ranks its suggestions by that count)."""
    frequency: Counter[str] = Counter()
    for times, stem in counts.values():
        frequency[stem] += times
    folder.mkdir()
    writer = tantivy.Index(WORDS_SCHEMA, path=str(folder)).writer(HEAP // 4, 1)
    for word in counts:
        doc = tantivy.Document()
        doc.add_text("word", word)
        doc.add_unsigned("frequency", frequency[word])
        writer.add_document(doc)
    writer.commit()
    writer.wait_merging_threads()


def _hits(searcher: tantivy.Searcher, q: tantivy.Query, most: int | None = None) -> list:
    """Every hit of ``q`` (``most`` at the most, when known), unscored and unordered. The hits are counted
    first, as tantivy makes room for as many as it is told to collect."""
    constant = tantivy.Query.const_score_query(q, 1.0)
    if most is None:
        most = searcher.search(constant, 1, count=True).count if searcher.num_docs else 0
    return searcher.search(constant, most, count=False).hits if most else []


class KeywordIndex:
    """An opened tantivy keyword index, read through one ``Reader`` per query."""

    def __init__(self, folder: Path):
        try:
            self._index = tantivy.Index.open(str(folder))
            self._words = tantivy.Index.open(str(folder / WORDS))
        except ValueError as error:  # tantivy says a folder is not an index with ValueError
            raise OSError(f"{folder}: not a tantivy keyword index ({error})") from None
        self._rows = np.load(folder / ROWS)  # entry id -> row
        live = np.flatnonzero(self._rows >= 0)
        self._ids = np.zeros(len(live), dtype=np.int64)  # row -> entry id
        self._ids[self._rows[live]] = live
        self._postings = postings.Postings(folder / postings.FOLDER)

    @property
    def doc_count(self) -> int:
        return self._index.searcher().num_docs

    @contextmanager
    def reader(self) -> Iterator[Reader]:
        """One searcher, so all of a query's look-ups see the same index."""
        yield Reader(self._index.searcher(), self._words.searcher(), self._rows, self._ids, self._postings)


class Reader(keyword.WordLookups):
    """The keyword index as one query sees it; paragraphs are named by their row in the generation."""

    def __init__(self, searcher: tantivy.Searcher, words: tantivy.Searcher, rows: np.ndarray, ids: np.ndarray,
                 found: postings.Postings):
        self._searcher = searcher
        self._words = words
        self._rows_of = rows  # entry id -> row
        self._ids = ids  # row -> entry id
        self._postings = found

    def _rows(self, hits: list) -> np.ndarray:
        """The row of each hit's paragraph, through its entry id."""
        found = self._searcher.fast_field_values("id", [address for _, address in hits]) if hits else []
        return self._rows_of[np.array(found, dtype=np.int64)]

    def _frequency(self, field: str, word: str) -> int:
        return self._searcher.doc_freq(field, word)

    def _spelled(self, prefix: str) -> dict[str, int]:
        return dict(self._searcher.terms_with_prefix("spelled", prefix))

    def _spelled_frequency(self, word: str) -> int:
        return self._searcher.doc_freq("spelled", word)

    def _nearest(self, word: str, maxdist: int) -> str | None:
        """As whoosh's corrector: of the words within ``maxdist`` edits (Levenshtein), the one whose stem
        occurs most often in paragraph text, then the last in alphabetical order."""
        q = tantivy.Query.fuzzy_term_query(WORDS_SCHEMA, "word", word, distance=maxdist,
                                           transposition_cost_one=False)
        hits = self._words.search(q, self._words.num_docs or 1, count=False).hits
        found = [self._words.doc(address) for _, address in hits]
        best = max(((doc["frequency"][0] or 1, doc["word"][0]) for doc in found), default=None)
        return best and best[1]

    def _count(self) -> int:
        return self._searcher.num_docs

    def search(self, q: Parsed, limit: int, allowed: np.ndarray | None = None) -> list[tuple[int, float, frozenset[str]]]:
        """(row, BM25 score, the query's words it has) of the best ``limit`` matches, best first; only
        among the rows ``allowed`` (a mask over rows) when given."""
        positive = keyword.neutral(q.positive)
        hits = self._best(_matching(positive, q.negative), limit, allowed)
        having = self._words_had(positive, q, [row for row, _ in hits])
        return [(row, score, frozenset(having.get(row, ()))) for row, score in hits]

    def _best(self, wanted: tantivy.Query, limit: int, allowed: np.ndarray | None) -> list[tuple[int, float]]:
        """The best ``limit`` (row, score) of ``wanted`` among the rows ``allowed``.

        A few allowed rows are searched by name; otherwise more hits are taken
        until ``limit`` of them are allowed (or none are left), since a term set of
        thousands of rows costs tantivy more than reading thousands of hits.
        """
        searcher, count = self._searcher, self._searcher.num_docs
        if limit < 1 or not count or (allowed is not None and not allowed.any()):
            return []
        if allowed is not None and allowed.sum() <= FEW:
            wanted, allowed = _and(wanted, _entries(self._ids[np.flatnonzero(allowed)])), None
        share = 1.0 if allowed is None else allowed.sum() / len(allowed)
        fetch = min(count, limit if allowed is None else int(2 * limit / share))
        while True:
            deadline.check("scoring the keyword matches")
            hits = searcher.search(wanted, fetch, count=False).hits
            rows = self._rows(hits).tolist()
            found = [(row, score) for (score, _), row in zip(hits, rows) if allowed is None or allowed[row]]
            if len(found) >= limit or len(hits) < fetch or fetch == count:
                return found[:limit]
            fetch = min(count, fetch * 4)

    def _words_had(self, positive: querytree.Node, q: Parsed, rows: list[int]) -> dict[int, set[str]]:
        """row -> the typed words of ``q`` it has, itself or through an expansion: as whoosh's
        matched terms, a word counts where a Term or Phrase of the query holding it matches.

        One search of the ``rows`` tells every word: the i-th adds 2**i to the score of those it is in.
        """
        leaves = list(querytree.leaves(positive))
        holding = {word: [_unboosted(leaf) for leaf in leaves
                          if word in (leaf.words if isinstance(leaf, querytree.Phrase) else (leaf.text,))]
                   for word in sorted(q.words | set(q.aliases))}
        words = [word for word, found in holding.items() if found]
        having: dict[int, set[str]] = {}
        among = _entries(self._ids[rows])
        for first in range(0, len(words) if rows else 0, BITS):
            deadline.check("scoring the keyword matches")
            chunk = words[first:first + BITS]
            clauses = [(tantivy.Occur.Must, tantivy.Query.const_score_query(among, 0.0))]
            clauses += [(tantivy.Occur.Should, tantivy.Query.const_score_query(
                _query(querytree.Or(tuple(holding[word]))), float(1 << bit))) for bit, word in enumerate(chunk)]
            hits = self._searcher.search(tantivy.Query.boolean_query(clauses), len(rows), count=False).hits
            for (score, _), row in zip(hits, self._rows(hits).tolist()):
                for bit, word in enumerate(chunk):
                    if int(score) >> bit & 1:
                        having.setdefault(row, set()).update(q.aliases.get(word, ()), {word} & q.words)
        return having

    def _phrase_rows(self, phrase: querytree.Phrase, candidates: np.ndarray) -> np.ndarray:
        rows = np.flatnonzero(candidates)
        q = _query(phrase)
        found = np.zeros(len(candidates), dtype=bool)
        found[self._rows(_hits(self._searcher, _and(q, _entries(self._ids[rows])) if len(rows) <= FEW else q))] = True
        return found & candidates


def _matching(positive: querytree.Node, negative) -> tantivy.Query:
    """``positive`` less what ``negative`` (a whoosh tree, or None) matches."""
    wanted = _query(positive)
    if negative is None:
        return wanted
    return tantivy.Query.boolean_query([(tantivy.Occur.Must, wanted),
                                        (tantivy.Occur.MustNot, _query(keyword.neutral(negative)))])


def _and(scored: tantivy.Query, condition: tantivy.Query) -> tantivy.Query:
    """``scored``, only where ``condition`` holds too, scored as ``scored`` alone."""
    return tantivy.Query.boolean_query([(tantivy.Occur.Must, scored),
                                        (tantivy.Occur.Must, tantivy.Query.const_score_query(condition, 0.0))])


def _entries(ids: np.ndarray) -> tantivy.Query:
    """The paragraphs of entry ``ids``, a few: one term each (a term set walks every entry's term)."""
    return tantivy.Query.boolean_query([(tantivy.Occur.Should, tantivy.Query.term_query(SCHEMA, "id", entry))
                                        for entry in ids.tolist()]) if len(ids) else tantivy.Query.empty_query()


def _unboosted(node: querytree.Term | querytree.Phrase) -> querytree.Term | querytree.Phrase:
    return type(node)(**{**vars(node), "boost": 1.0})


def _query(node: querytree.Node) -> tantivy.Query:
    """The tantivy query for a neutral query tree.

    whoosh's phrase slop is the furthest each word may stand from the one
    before it; tantivy's is a budget of gaps for the whole phrase, so a phrase
    of n words gets (slop - 1) * (n - 1): every whoosh match, and some unevenly
    spread ones more, which only widens the proximity bonus.
    """
    Q, Occur = tantivy.Query, tantivy.Occur
    if isinstance(node, querytree.Term):
        q = Q.term_query(SCHEMA, node.field, node.text)
    elif isinstance(node, querytree.Phrase):
        words = list(node.words)
        q = (Q.phrase_query(SCHEMA, node.field, words, slop=(node.slop - 1) * (len(words) - 1)) if len(words) > 1
             else Q.term_query(SCHEMA, node.field, words[0]) if words else Q.empty_query())
    elif isinstance(node, querytree.Or):
        clauses = [(Occur.Should, _query(child)) for child in node.children]
        if node.scale:  # whoosh's coordination bonus: a constant for each further word matched
            leaves = list(querytree.leaves(node))
            bonus = 1 / (len(leaves) - node.scale) ** 2 if len(leaves) > 1 else 0.0
            clauses += [(Occur.Should, Q.const_score_query(_query(_unboosted(leaf)), bonus)) for leaf in leaves]
        q = Q.boolean_query(clauses) if clauses else Q.empty_query()
    elif isinstance(node, querytree.And):
        q = Q.boolean_query([(Occur.Must, _query(child)) for child in node.children]) if node.children \
            else Q.empty_query()
    elif isinstance(node, querytree.AndMaybe):
        q = Q.boolean_query([(Occur.Must, _query(node.required)), (Occur.Should, _query(node.optional))])
    elif isinstance(node, querytree.Require):
        q = _and(_query(node.scored), _query(node.required))
    elif isinstance(node, querytree.Every):
        q = Q.all_query()
    elif isinstance(node, querytree.Nothing):
        return Q.empty_query()
    else:
        raise ValueError(f"no tantivy query for {node!r}")
    return q if node.boost == 1 else Q.boost_query(q, node.boost)
