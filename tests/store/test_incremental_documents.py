"""A build after a build keeps unchanged documents whole (store/documents.py): they are not
parsed, chunked, split, serialised or tokenized again, their rows are copied. The index must
be the one a build from scratch makes, file for file, and answer the same, with the real
model: rows, talks, BM25, corpus tables, vectors and answers are compared exactly."""

from __future__ import annotations

import json
import shutil
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest

from conftest import DEFAULT_CORPUS, write
from recapqa.embed import Embedder, default_embedder
from recapqa.pipeline import Assistant
from recapqa.settings import Settings
from recapqa.store import documents, files, gist_rows, load_index, segments
from recapqa.store.bm25_terms import Terms
from recapqa.store.build import build_index
from recapqa.store.files import current_generation
from recapqa.store.lexical import LexicalIndex

SHARED = DEFAULT_CORPUS.parents[1] / "shared" / "corpora"
TEXT_FILES = ("talks.json", documents.FILE, "corpus_words.json")
SEGMENT_TEXT_FILES = ("chunks.jsonl", "sentences.jsonl", gist_rows.FILE)  # gist rows: one pack of arrays
SEGMENT_ARRAY_FILES = (segments.CHUNK_SENTENCES, segments.EMBED_KEYS, segments.TERMS)
QUESTIONS = [
    "How many models does Uber run in production?",
    "What did the speaker say about feature stores?",
    "Which company talked about Kafka?",
    "What is the hard part of the platform?",
    "Which talks mention feature stores?",  # the gist questions over every talk read the stored gist rows
    "What were the main themes of the conference?",
]


class OneByOne:
    """The real model, one text per call: a text's vector then does not depend on which
    texts share its batch (padding changes the last bits), so a build that embeds only the
    edited texts and one that embeds everything can be compared bit for bit."""

    def __init__(self) -> None:
        self.inner = default_embedder()
        self.name, self.dimension = self.inner.name, self.inner.dimension

    def embed(self, texts: list[str]) -> np.ndarray:
        return np.stack([self.inner.embed([t])[0] for t in texts]) if texts else np.zeros((0, self.dimension))


@pytest.fixture(scope="module")
def embedder_factory() -> Callable[[], Embedder]:
    model = OneByOne()
    return lambda: model


@pytest.fixture()
def parsed(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The notes files each build reads and parses."""
    seen: list[str] = []
    original = documents.prepare_file

    def counting(corpus_dir: Path, path: Path, skipped: list[tuple[str, str]]):  # type: ignore[no-untyped-def]
        seen.append(path.name)
        return original(corpus_dir, path, skipped)

    monkeypatch.setattr(documents, "prepare_file", counting)
    return seen


@pytest.fixture()
def settings(tmp_path: Path) -> Settings:
    """One document per segment (store/segments.py): every document's segment is linked or
    written on its own, so these small corpora have several."""
    (tmp_path / "corpus").mkdir()
    return Settings(corpus_dir=tmp_path / "corpus", index_dir=tmp_path / "index", index_segment_documents=1)


def from_scratch(settings: Settings, embedder: Callable[[], Embedder]) -> Settings:
    fresh = settings.model_copy(update={"index_dir": settings.index_dir.with_name("scratch-index")})
    shutil.rmtree(fresh.index_dir, ignore_errors=True)
    build_index(fresh.corpus_dir, fresh.index_dir, fresh, embedder, force=True)
    return fresh


def assert_same_index(one: Settings, other: Settings) -> None:
    a, b = current_generation(one.index_dir), current_generation(other.index_dir)
    for name in TEXT_FILES:
        assert (a / name).read_bytes() == (b / name).read_bytes(), name
    state_a, state_b = (json.loads((g / "corpus_words_state.json").read_text()) for g in (a, b))
    assert state_a == state_b
    manifest_a, manifest_b = (json.loads((g / "manifest.json").read_text()) for g in (a, b))
    assert manifest_a[segments.MANIFEST_KEY] == manifest_b[segments.MANIFEST_KEY]
    for entry in manifest_a[segments.MANIFEST_KEY]:
        one_segment, other_segment = segments.path(a, entry["name"]), segments.path(b, entry["name"])
        assert sorted(p.name for p in one_segment.iterdir()) == sorted(p.name for p in other_segment.iterdir())
        for name in SEGMENT_TEXT_FILES:
            assert (one_segment / name).read_bytes() == (other_segment / name).read_bytes(), name
        for name in SEGMENT_ARRAY_FILES:
            with np.load(one_segment / name) as x, np.load(other_segment / name) as y:
                assert x.files == y.files
                for key in x.files:
                    assert x[key].dtype == y[key].dtype and np.array_equal(x[key], y[key]), (name, key)
        for name in (segments.CHUNK_VECTORS, segments.SENTENCE_VECTORS):
            assert np.array_equal(np.load(one_segment / name), np.load(other_segment / name)), name
    for name in ("data.csc.index.npy", "indices.csc.index.npy", "indptr.csc.index.npy"):
        assert np.array_equal(np.load(a / "bm25" / name), np.load(b / "bm25" / name)), name
    assert json.loads((a / "bm25" / "vocab.index.json").read_text()) == json.loads(
        (b / "bm25" / "vocab.index.json").read_text()
    )
    one_index, other_index = load_index(one.index_dir, one), load_index(other.index_dir, other)
    assert np.array_equal(one_index.store.chunk_vectors(), other_index.store.chunk_vectors())
    assert np.array_equal(np.asarray(one_index.sentence_vectors), np.asarray(other_index.sentence_vectors))
    manifest_a, manifest_b = one_index.manifest, other_index.manifest
    for key in ("files", "indexed_files", "corpus_hash", "counts"):
        assert manifest_a[key] == manifest_b[key], key


def answers(settings: Settings) -> list[str]:
    assistant = Assistant.open(settings)
    out = []
    for question in QUESTIONS:
        answer, retrieval = assistant.ask(question, mode="extractive")
        out.append(repr((answer.answer, answer.citations, [(h.chunk.chunk_id, h.score) for h in retrieval.hits])))
    return out


def segment_files(index_dir: Path) -> dict[str, tuple[int, str]]:
    """Each segment file of the live generation: its inode and recorded checksum."""
    generation = current_generation(index_dir)
    checksums = json.loads((generation / "manifest.json").read_text())["checksums"]
    found = {}
    for path in sorted((generation / segments.FOLDER).rglob("*")):
        if path.is_file():
            name = path.relative_to(generation).as_posix()
            found[name] = (path.stat().st_ino, checksums[name])
    return found


def test_one_edited_file_gives_the_index_of_a_build_from_scratch(
    settings: Settings, embedder_factory: Callable[[], Embedder], parsed: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    shutil.copytree(DEFAULT_CORPUS, settings.corpus_dir, dirs_exist_ok=True)
    extra = "## Feature stores at Acme (Acme) - Jane Doe, CTO\n\nAcme runs 12 models.\n"
    write(settings.corpus_dir / "extra.md", extra)
    build_index(settings.corpus_dir, settings.index_dir, settings, embedder_factory)
    before = segment_files(settings.index_dir)
    notes = sorted(p for p in settings.corpus_dir.iterdir() if p.suffix in (".md", ".txt") and p.name != "README.md")
    parsed.clear()
    edited = notes[0]
    text = edited.read_text()
    assert " models " in text
    write(edited, text.replace(" models ", " models (42 teams) ", 1))
    hashed: list[str] = []
    original = files.file_sha256

    def spy(path: Path) -> str:
        hashed.append(path.as_posix())
        return original(path)

    monkeypatch.setattr(files, "file_sha256", spy)
    report = build_index(settings.corpus_dir, settings.index_dir, settings, embedder_factory)
    assert parsed == [edited.name], "only the edited file is read and parsed"
    assert 0 < report.embedded < report.chunks
    after = segment_files(settings.index_dir)
    kept = sorted(set(before) & set(after))
    assert len(kept) == len(after) - 8 == len(before) - 8 == 8, "one segment of two is written again, all 8 files"
    assert all(after[name] == before[name] for name in kept), "hard links, recorded checksums kept"
    published = [h for h in hashed if "/gen-" not in h and "/segments/" in h]
    assert len(published) == 8 and not any(name.split("/")[1] in h for name in kept for h in published)
    scratch = from_scratch(settings, embedder_factory)
    assert_same_index(settings, scratch)
    assert answers(settings) == answers(scratch)


def test_deleted_new_and_unreadable_files(settings: Settings, embedder_factory: Callable[[], Embedder]) -> None:
    for n in range(4):
        text = f"## Talk {n} (Acme) - Jane Doe, CTO\n\nAcme runs {n + 2} Kafka clusters.\n"
        write(settings.corpus_dir / f"n{n}.md", text)
    build_index(settings.corpus_dir, settings.index_dir, settings, embedder_factory)
    (settings.corpus_dir / "n1.md").unlink()
    write(settings.corpus_dir / "n9.md", "## Talk nine (Hooli) - Sara Khan, CEO\n\nHooli runs 9 Kafka clusters.\n")
    write(settings.corpus_dir / "n2.md", b"\xff\xfe\x00binary\x00garbage")
    report = build_index(settings.corpus_dir, settings.index_dir, settings, embedder_factory)
    assert [s for s, _ in report.skipped or []] == ["n2.md"] and report.removed > 0
    assert_same_index(settings, from_scratch(settings, embedder_factory))


def test_talk_ids_shared_across_files_follow_edits(
    settings: Settings, embedder_factory: Callable[[], Embedder], parsed: list[str]
) -> None:
    """Two files with a talk of the same title: the second file's talk is `...-2`, and its
    sidecar names it so. When the first file loses that talk, the second file's id becomes
    the plain slug: the build parses it again (ids, chunk ids and the sidecar depend on it)."""
    talk = "## Kafka at scale (Acme) - Jane Doe, CTO\n\nAcme runs 40 Kafka clusters.\n"
    write(settings.corpus_dir / "a.md", talk + "\n## Other talk (Wonka) - Ivan Ito, CEO\n\nWonka said hello there.\n")
    write(settings.corpus_dir / "b.md", talk.replace("40 Kafka", "7 Kafka"))
    write(settings.corpus_dir / "b.talks.yaml", "talks:\n  kafka-at-scale-acme-2:\n    company: Initech\n")
    write(settings.corpus_dir / "c.md", "## Unrelated (Hooli) - Sara Khan, CEO\n\nHooli runs 3 models.\n")
    build_index(settings.corpus_dir, settings.index_dir, settings, embedder_factory)
    talks = load_index(settings.index_dir, settings).talks
    assert talks["kafka-at-scale-acme-2"].company == "Initech"
    parsed.clear()
    write(settings.corpus_dir / "a.md", "## Other talk (Wonka) - Ivan Ito, CEO\n\nWonka said hello there.\n")
    build_index(settings.corpus_dir, settings.index_dir, settings, embedder_factory)
    assert parsed == ["a.md", "b.md"], "b.md's talk id changed: parsed again; c.md kept"
    talks = load_index(settings.index_dir, settings).talks
    assert "kafka-at-scale-acme" in talks and "kafka-at-scale-acme-2" not in talks
    assert_same_index(settings, from_scratch(settings, embedder_factory))


@pytest.mark.parametrize("collection", ["aws-reinvent-2018-chrishic", "tech-talks-digest"])
def test_real_notes_edit_gives_the_index_of_a_build_from_scratch(
    settings: Settings, embedder_factory: Callable[[], Embedder], collection: str
) -> None:
    if not (SHARED / collection).is_dir():
        pytest.skip(f"{SHARED / collection} is not here")
    shutil.copytree(SHARED / collection, settings.corpus_dir, dirs_exist_ok=True)
    build_index(settings.corpus_dir, settings.index_dir, settings, embedder_factory)
    notes = sorted(p for p in settings.corpus_dir.rglob("*") if p.suffix in (".md", ".txt") and "README" not in p.name)
    middle = notes[len(notes) // 2]
    write(middle, middle.read_text() + "\nAn added sentence about Snowflake costs and dbt models.\n")
    build_index(settings.corpus_dir, settings.index_dir, settings, embedder_factory)
    scratch = from_scratch(settings, embedder_factory)
    assert_same_index(settings, scratch)
    assert answers(settings) == answers(scratch)


def test_bm25_from_terms_scores_as_bm25s() -> None:
    """The score matrix made from stored term counts, with documents sliced and joined,
    holds bm25s's own numbers for every (chunk, term), and searches the same."""
    from recapqa.chunking import chunk_document
    from recapqa.ingest import load_corpus

    texts = [c.embed_text for d in load_corpus(DEFAULT_CORPUS).documents for c in chunk_document(d, 180, 40)]
    reference = LexicalIndex.build(texts)
    whole = Terms.of_texts(texts)
    joined = Terms.concat([whole.rows(0, 10), Terms.of_texts(texts[10:20]), whole.rows(20, len(texts))])
    mine = joined.index()

    def entries(index: LexicalIndex) -> dict[tuple[int, str], float]:
        retriever = index._retriever
        scores, words = retriever.scores, {i: t for t, i in retriever.vocab_dict.items()}
        out = {}
        for column in range(len(scores["indptr"]) - 1):
            for at in range(scores["indptr"][column], scores["indptr"][column + 1]):
                out[(int(scores["indices"][at]), words[column])] = float(scores["data"][at])
        return out

    assert entries(mine) == entries(reference)
    for question in QUESTIONS:
        assert mine.search(question, 20) == reference.search(question, 20)
