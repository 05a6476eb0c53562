"""The corpus word tables stored with an index (store/corpus_words.py) and the answerer's
per-sentence facts made on demand (answer/facts.py) give exactly what computing everything
at load gave; an index without the tables, or with damaged ones, is rebuilt or reported,
never used wrongly."""

from __future__ import annotations

import json
import os
import time
from dataclasses import replace
from pathlib import Path

import pytest

from conftest import REPO, CountingEmbedder, index_file, mapped_paths, single_file_layout, write
from recapqa.answer.extractive import ExtractiveAnswerer
from recapqa.answer.facts import Facts
from recapqa.answer.question import is_speaker_line
from recapqa.errors import IndexCorruptError
from recapqa.evaluate.questions import load_questions
from recapqa.hashing import file_sha256
from recapqa.models import Chunk, Speaker, Talk
from recapqa.pipeline import Assistant
from recapqa.retrieve import Retriever
from recapqa.sentences import Sentence
from recapqa.settings import Settings
from recapqa.store import Index, corpus_words, load_index, sentences_by_chunk
from recapqa.store.build import Stale, build_index, ensure_index, stale
from recapqa.store.files import MANIFEST, current_generation
from recapqa.store.filestore import CHUNK_SENTENCES
from recapqa.store.rows import ChunkSentences, JoinedRows, JsonlRows
from recapqa.talk_mentions import (
    MAX_ALIAS_TALK_SHARE,
    TalkMatcher,
    talk_aliases,
    talk_notes,
    talk_text,
)
from recapqa.text import Idf, corpus_proper_nouns, normalize, squash, terms

NOTES = """## Feature stores at Acme - Jane Doe, CEO, Acme

Speaker: Jane Doe, CEO at Acme

Acme trains 40 models a day on Feast. Jane said the Feast registry is the hard part.

## Serving at Globex - John Roe, Engineer, Globex

Globex serves 300 models. John Roe (Globex): latency budgets are 20 ms.
"""


@pytest.fixture()
def built(settings: Settings, counting_embedder: CountingEmbedder) -> Path:
    write(settings.corpus_dir / "a.md", NOTES)
    build_index(settings.corpus_dir, settings.index_dir, settings, lambda: counting_embedder)
    return current_generation(settings.index_dir)


def _rewrite_manifest(generation: Path, change) -> None:  # type: ignore[no-untyped-def]
    manifest = json.loads((generation / MANIFEST).read_text())
    change(manifest)
    (generation / MANIFEST).write_text(json.dumps(manifest, indent=2))


def _same_words(a: corpus_words.CorpusWords, b: corpus_words.CorpusWords) -> None:
    assert a.proper_nouns == b.proper_nouns
    assert a.common_aliases == b.common_aliases
    assert a.ordinary_aliases == b.ordinary_aliases
    assert a.idf.n == b.idf.n and a.idf.unknown == b.idf.unknown
    assert a.idf._idf == b.idf._idf


def test_stored_tables_are_what_loading_computed(assistant: Assistant) -> None:
    """The stored tables equal the answerer's and the matcher's own definitions, computed
    from the loaded index as before the tables were stored."""
    index = assistant.index
    assert corpus_words.is_current(index.manifest)
    stored = corpus_words.load(index)
    _same_words(stored, corpus_words.compute(index))
    assert stored.proper_nouns == corpus_proper_nouns([c.text for c in index.chunks])
    idf = Idf([s.text for s in index.sentences])
    assert stored.idf._idf == idf._idf and stored.idf.n == idf.n
    for term in ("uber", "model", "netflix-never-said"):
        assert stored.idf(term) == idf(term) and stored.idf.known(term) == idf.known(term)
    old = TalkMatcher(index.talks.values(), talk_notes(index.chunks))
    new = TalkMatcher(index.talks.values(), common=stored.common_aliases, ordinary=stored.ordinary_aliases)
    assert old._alias_to_talks == new._alias_to_talks
    assert old._ordinary == new._ordinary
    assert old._pattern is not None and new._pattern is not None
    assert old._pattern.pattern == new._pattern.pattern


def _plain_index(index: Index) -> Index:
    """The same index with plain lists (what loading made before rows were read on demand)."""
    sentences, chunks = list(index.sentences), list(index.chunks)
    return replace(index, sentences=sentences, chunks=chunks, chunk_sentences=sentences_by_chunk(chunks, sentences))


def test_facts_made_on_demand_equal_the_full_table(assistant: Assistant) -> None:
    """Per-sentence facts made on demand, in any order, from rows read on demand and the
    stored talk rows, equal the table made for every sentence in order from plain lists
    (what loading did before); the parts made differently are checked against their
    definitions."""
    index = assistant.index
    plain = Facts(_plain_index(index))
    expected = [plain.sentences[row] for row in range(len(index.sentences))]
    facts = Facts(index, corpus_words.load(index).talk_rows)
    for row in reversed(range(len(index.sentences))):  # any order: nothing depends on it
        assert facts.sentences[row] == expected[row], row
    chunk_of: dict[int, int] = {}
    for chunk_row, rows in enumerate(sentences_by_chunk(list(index.chunks), list(index.sentences))):
        for row in rows:
            chunk_of.setdefault(row, chunk_row)
    for row, s in enumerate(index.sentences):
        assert expected[row].chunk_row == chunk_of.get(row, 0)
        assert expected[row].speaker_line == is_speaker_line(s.text, s.context)
        assert expected[row].own_terms == frozenset(terms(s.text)) and expected[row].text == squash(s.text)
        assert frozenset(terms(talk_text(index.talks[s.talk_id]))) <= expected[row].terms
    for talk_id in index.talks:
        rows = [r for r, s in enumerate(index.sentences) if s.talk_id == talk_id]
        talk = facts.talks[talk_id]
        assert talk == plain.talks[talk_id]
        assert talk.notes == "|".join(squash(index.sentences[r].text) for r in rows)
        assert talk.speaker_rows == tuple(r for r in rows if expected[r].speaker_line)
    assert facts.chunk_rows == {c.chunk_id: i for i, c in enumerate(index.chunks)}


def test_answers_are_the_same_with_stored_and_computed_tables(assistant: Assistant) -> None:
    index, settings = assistant.index, assistant.settings
    computed = corpus_words.compute(index)
    retriever = Retriever(index, assistant.queries.embed, settings)  # its own matcher, from the notes
    answerer = ExtractiveAnswerer(index, settings, embed=assistant.queries.embed, words=computed)
    questions = [q for q in load_questions(REPO / "eval" / "questions.jsonl") if not q.collection][:40]
    for q in questions:
        stored_answer, retrieval = assistant.ask(q.question, mode="extractive")
        again = retriever.retrieve(q.question)
        assert [h.chunk.chunk_id for h in again.hits] == [h.chunk.chunk_id for h in retrieval.hits], q.id
        assert again.mentioned_talks == retrieval.mentioned_talks, q.id
        answer = answerer.answer(again)
        assert answer.answer == stored_answer.answer, q.id
        assert [(c.source, c.start_line, c.quote, c.score) for c in answer.citations] == [
            (c.source, c.start_line, c.quote, c.score) for c in stored_answer.citations
        ], q.id


def test_sentence_vectors_are_memory_mapped(assistant: Assistant) -> None:

    files = {str(p) for p in assistant.index.path.glob("segments/*/sentence_vectors.npy")}
    assert len(files) == 1 and files <= mapped_paths()  # recapqa/mapped.py
    assert not assistant.index.sentence_vectors.flags.writeable


def test_index_without_tables_is_rebuilt_reusing_every_vector(
    built: Path, settings: Settings, counting_embedder: CountingEmbedder
) -> None:
    """An index of an older version (no tables in its manifest) is rebuilt by the next
    `ask`, `serve` or `index`, embedding nothing again."""

    def drop(manifest: dict) -> None:
        del manifest[corpus_words.MANIFEST_KEY]
        del manifest["checksums"][corpus_words.FILE]

    (built / corpus_words.FILE).unlink()
    _rewrite_manifest(built, drop)
    old = load_index(settings.index_dir, settings)  # loadable: the tables are computed then
    _same_words(corpus_words.load(old), corpus_words.compute(old))
    assert stale(settings.corpus_dir, settings.index_dir, settings) is not None
    counting_embedder.calls.clear()
    messages: list[str] = []
    index = ensure_index(settings.corpus_dir, settings.index_dir, settings, lambda: counting_embedder, messages.append)
    assert counting_embedder.calls == []
    assert any("corpus word tables" in m for m in messages)
    assert corpus_words.is_current(index.manifest) and (index.path / corpus_words.FILE).is_file()
    assert stale(settings.corpus_dir, settings.index_dir, settings) is None


def test_older_table_version_is_rebuilt(built: Path, settings: Settings, counting_embedder: CountingEmbedder) -> None:
    _rewrite_manifest(built, lambda m: m[corpus_words.MANIFEST_KEY].update(version=0))
    assert "corpus word tables" in (stale(settings.corpus_dir, settings.index_dir, settings) or Stale("")).reason
    index = ensure_index(settings.corpus_dir, settings.index_dir, settings, lambda: counting_embedder)
    assert corpus_words.is_current(index.manifest)


def test_damaged_table_file_is_reported_then_repaired(
    built: Path, settings: Settings, counting_embedder: CountingEmbedder
) -> None:
    path = built / corpus_words.FILE
    path.write_text("{not json", encoding="utf-8")
    with pytest.raises(IndexCorruptError) as err:
        load_index(settings.index_dir, settings)
    assert corpus_words.FILE in err.value.message and "--rebuild" in err.value.fix
    counting_embedder.calls.clear()
    index = ensure_index(settings.corpus_dir, settings.index_dir, settings, lambda: counting_embedder)
    assert corpus_words.load(index).proper_nouns == corpus_words.compute(index).proper_nouns


@pytest.mark.parametrize(
    "content",
    ["{not json", "[]", '{"version": 2}', '{"version": 99, "sentences": 1}'],
)
def test_malformed_table_with_matching_checksum_is_an_index_error(
    built: Path, settings: Settings, content: str
) -> None:
    """Written wrong but checksummed as written: a clear IndexCorruptError, no traceback."""
    path = built / corpus_words.FILE
    path.write_text(content, encoding="utf-8")
    _rewrite_manifest(built, lambda m: m["checksums"].update({corpus_words.FILE: file_sha256(path)}))
    index = load_index(settings.index_dir, settings)
    with pytest.raises(IndexCorruptError) as err:
        corpus_words.load(index)
    assert corpus_words.FILE in err.value.message and "--rebuild" in err.value.fix


def test_table_of_another_index_is_not_used(built: Path, settings: Settings) -> None:
    path = built / corpus_words.FILE
    data = json.loads(path.read_text())
    path.write_text(json.dumps({**data, "sentences": data["sentences"] + 1}))
    _rewrite_manifest(built, lambda m: m["checksums"].update({corpus_words.FILE: file_sha256(path)}))
    with pytest.raises(IndexCorruptError, match="does not match"):
        corpus_words.load(load_index(settings.index_dir, settings))


def test_a_file_rewritten_after_it_was_checked_is_checked_again(built: Path, settings: Settings) -> None:
    """Checksums of files this process already hashed are remembered (ensure_index checks
    the index, then loads it), by size, times and inode: a rewrite is seen."""
    past = time.time() - 3600
    for path in built.rglob("*"):
        os.utime(path, (past, past))
    load_index(settings.index_dir, settings)  # hashed and remembered
    load_index(settings.index_dir, settings)  # from memory
    path = index_file(built, "chunks.jsonl")
    data = bytearray(path.read_bytes())
    data[10] = ord("X") if data[10] != ord("X") else ord("Y")
    path.write_bytes(bytes(data))  # same size, same inode
    with pytest.raises(IndexCorruptError, match=r"chunks\.jsonl"):
        load_index(settings.index_dir, settings)


def test_rows_read_on_demand_are_the_rows_written(assistant: Assistant, tmp_path: Path) -> None:
    """Chunks and sentences are parsed when first read; the sentences of each chunk come
    from stored arrays: all as the eager lists of the same index."""
    index = assistant.index
    assert isinstance(index.sentences, JoinedRows) and isinstance(index.chunk_sentences, ChunkSentences)
    generation = index.path
    with index_file(generation, "sentences.jsonl").open(encoding="utf-8") as handle:
        eager = [Sentence.from_dict(json.loads(line)) for line in handle if line.strip()]
    lines = index_file(generation, "chunks.jsonl").read_text().splitlines()
    chunks = [Chunk.from_dict(json.loads(line)) for line in lines]
    assert list(index.sentences) == eager and list(index.chunks) == chunks
    assert index.sentences[-1] == eager[-1] and index.sentences[2:5] == eager[2:5]
    with pytest.raises(IndexError):
        index.sentences[len(eager)]
    lists = sentences_by_chunk(chunks, eager)
    assert list(index.chunk_sentences) == lists
    facts_lists = Facts(replace(index, chunk_sentences=lists))  # an index without the arrays
    facts_arrays = Facts(index)
    assert [facts_lists._first_chunk(r) for r in range(len(eager))] == [
        facts_arrays._first_chunk(r) for r in range(len(eager))
    ]
    path = tmp_path / "rows.jsonl"
    path.write_text('{"a": 1}\n\n{"a": 2}\n{"a": oops}\n', encoding="utf-8")
    rows = JsonlRows(path, lambda d: d["a"])
    assert len(rows) == 3 and rows[0] == 1 and rows[1] == 2
    with pytest.raises(IndexCorruptError, match=r"rows\.jsonl row 2"):
        rows[2]


def test_index_without_chunk_arrays_still_loads(built: Path, settings: Settings) -> None:
    """An index of an earlier build (one file of each kind) without chunk_sentences.npz:
    found from the rows."""
    single_file_layout(built)
    (built / CHUNK_SENTENCES).unlink()
    _rewrite_manifest(built, lambda m: m["checksums"].pop(CHUNK_SENTENCES))
    index = load_index(settings.index_dir, settings)
    assert not isinstance(index.chunk_sentences, ChunkSentences)
    assert index.chunk_sentences == sentences_by_chunk(list(index.chunks), list(index.sentences))


def test_chunk_arrays_of_another_index_are_refused(built: Path, settings: Settings) -> None:
    path = index_file(built, CHUNK_SENTENCES)
    ChunkSentences.of([[0], [99]]).save(path)
    name = path.relative_to(built).as_posix()
    _rewrite_manifest(built, lambda m: m["checksums"].update({name: file_sha256(path)}))
    with pytest.raises(IndexCorruptError, match="does not match"):
        load_index(settings.index_dir, settings)


def _common_by_search(talks: list[Talk], texts: dict[str, str]) -> frozenset[str]:
    """The definition: one substring search per alias and talk (what loading used to do)."""
    aliases = {a for t in talks for a in talk_aliases(t)}
    folded = [f" {normalize(t)} " for t in texts.values()]
    limit = max(3, MAX_ALIAS_TALK_SHARE * len(folded))
    return frozenset(a for a in aliases if sum(f" {a} " in t for t in folded) > limit)


def test_common_aliases_are_those_a_search_finds(assistant: Assistant) -> None:
    index = assistant.index
    talks, texts = list(index.talks.values()), talk_notes(index.chunks)
    assert corpus_words.load(index).common_aliases == _common_by_search(talks, texts)
    # word boundaries and multi-word aliases: 'hello fresh' in four talks' notes, 'fresh'
    # alone never counts inside 'freshly', 'ann lee' not inside 'joann leeds'
    people = [("Ann Lee", "Hello Fresh"), ("Bob Stone", "Initech"), ("Cy Twombly", "Acme"), ("Di Prince", "Globex")]
    made = [
        Talk(f"t{i}", f"Pipelines {i}", "talk", "a.md", 1, 2, company=company, speakers=[Speaker(name=name)])
        for i, (name, company) in enumerate([*people, ("Ed Wood", "Umbrella")])
    ]
    notes = {
        "t0": "Hello Fresh and Ann Lee; freshly made pipelines",
        "t1": "we use hello-fresh, joann leeds said; pipelines",
        "t2": "HELLO FRESH! ann  lee; stone",
        "t3": "hello fresh, Ann Lee, Stone, pipelines",
        "t4": "hellofresh ann lee stone pipelines",
    }
    common = _common_by_search(made, notes)
    assert {"hello fresh", "ann lee", "lee", "pipelines"} <= common and not {"stone", "hellofresh"} & common
    matcher = TalkMatcher(made, notes)  # as the retriever makes it for an index without stored tables
    for talk in made:  # an alias the notes of too many talks use names none of them; any other names its talk
        for alias in talk_aliases(talk) - {"pipelines"}:  # (a word of every title names no one talk anyway)
            assert (talk.talk_id in matcher.mentioned(alias)) == (alias not in common), alias
