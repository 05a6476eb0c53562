"""Segments (store/segments.py): where they are cut, reading rows and vectors across them,
exact search over them, an index in the layout before them, and a build failing after it
linked the live generation's segments."""

from __future__ import annotations

import itertools
import json
from pathlib import Path

import faiss
import numpy as np
import pytest

from conftest import CountingEmbedder, single_file_layout, write
from recapqa.hashing import file_sha256
from recapqa.pipeline import Assistant
from recapqa.settings import Settings
from recapqa.store import PIPELINE_VERSION, corpus_words, documents, gist_rows, load_index, segments
from recapqa.store.build import build_index
from recapqa.store.files import current_generation, verify_checksums
from recapqa.store.vectors import PiecesStore

NOTES = "## Kafka at scale (Acme) - Jane Doe, CTO\n\nAcme runs {n} Kafka clusters.\n\nThey keep a week of data.\n"


def test_segments_are_cut_by_the_documents_alone() -> None:
    sources = [f"year-{y}/notes-{n:03d}.md" for y in (2021, 2022) for n in range(300)]
    cuts = segments.cut(sources, 16)
    assert cuts[0][0] == 0 and cuts[-1][1] == len(sources)
    assert all(a[1] == b[0] for a, b in itertools.pairwise(cuts))
    assert 600 / 16 / 2 < len(cuts) < 600 / 16 * 2  # about one document in 16 ends one
    ends = {sources[end - 1] for _, end in cuts[:-1]}
    inserted = [*sources[:100], "year-2021/notes-099b.md", *sources[100:]]
    again = {inserted[end - 1] for _, end in segments.cut(inserted, 16)[:-1]}
    assert again - {"year-2021/notes-099b.md"} == ends, "a new document moves no other boundary"
    assert segments.cut(sources, 1) == [(i, i + 1) for i in range(len(sources))]


def test_rows_across_pieces_read_as_one_array() -> None:
    rng = np.random.default_rng(3)
    whole = rng.standard_normal((23, 4)).astype(np.float32)
    runs = segments.ArrayRuns([whole[:5], whole[5:5], whole[5:17], whole[17:]], 4)
    assert len(runs) == 23 and runs.shape == (23, 4)
    assert np.array_equal(runs[7], whole[7]) and np.array_equal(runs[-1], whole[-1])
    assert np.array_equal(runs[3:20], whole[3:20]) and np.array_equal(runs[6:9], whole[6:9])
    assert np.array_equal(runs[[22, 0, 5, 5, 16]], whole[[22, 0, 5, 5, 16]])
    assert np.array_equal(np.asarray(runs), whole)
    assert np.array_equal(np.stack(list(runs)), whole)
    assert [len(v) for v in runs.views(3, 20)] == [2, 12, 3]
    with pytest.raises(IndexError):
        runs[23]


def test_exact_search_over_pieces_is_index_flat_ip() -> None:
    rng = np.random.default_rng(5)
    vectors = rng.standard_normal((500, 16)).astype(np.float32)
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
    flat = faiss.IndexFlatIP(16)
    flat.add(vectors)
    pieces = [vectors[:120], vectors[120:121], vectors[121:300], vectors[300:]]
    one, three = PiecesStore([vectors], 16), PiecesStore([*pieces[:2], vectors[121:]], 16)
    threaded = [PiecesStore(pieces, 16, threads) for threads in (2, 3, 8)]
    assert [len(store.runs) for store in threaded] == [2, 2, 2]  # runs of about the same number of rows
    for query in rng.standard_normal((20, 16)).astype(np.float32):
        scores, rows = flat.search(query[None, :], 10)
        expected = [(int(r), float(s)) for r, s in zip(rows[0], scores[0], strict=True)]
        assert one.search(query, 10) == expected
        assert three.search(query, 10) == expected
        assert all(store.search(query, 10) == expected for store in threaded)
    assert one.search(vectors[0], 1000)[0][0] == 0 and len(three.search(vectors[0], 1000)) == 500


def test_an_index_of_one_file_per_kind_is_read_then_upgraded_reusing_its_vectors(
    settings: Settings, counting_embedder: CountingEmbedder
) -> None:
    write(settings.corpus_dir / "a.md", NOTES.format(n=40))
    build_index(settings.corpus_dir, settings.index_dir, settings, lambda: counting_embedder)
    assistant = Assistant.open(settings)
    question = "How many Kafka clusters does Acme run?"
    answer, retrieval = assistant.ask(question, mode="extractive")
    expected = repr((answer.answer, answer.citations, [(h.chunk.chunk_id, h.score) for h in retrieval.hits]))
    single_file_layout(current_generation(settings.index_dir))
    old = load_index(settings.index_dir, settings)
    assert segments.MANIFEST_KEY not in old.manifest and (old.path / "vectors.faiss").is_file()
    answer, retrieval = Assistant.open(settings).ask(question, mode="extractive")
    assert repr((answer.answer, answer.citations, [(h.chunk.chunk_id, h.score) for h in retrieval.hits])) == expected
    write(settings.corpus_dir / "b.md", NOTES.replace("Acme", "Hooli").format(n=3))
    counting_embedder.calls.clear()
    report = build_index(settings.corpus_dir, settings.index_dir, settings, lambda: counting_embedder)
    assert sum(counting_embedder.calls) == report.embedded + report.sentences_embedded
    # b.md's chunk and its first sentence; its second sentence is a.md's, reused
    assert report.embedded == 1 and report.sentences_embedded == 1, "a.md's vectors reused, b.md's embedded"
    new = load_index(settings.index_dir, settings)
    assert len(new.manifest[segments.MANIFEST_KEY]) >= 1 and not (new.path / "vectors.faiss").exists()


def test_a_build_failing_after_linking_leaves_the_live_index_whole(
    settings: Settings, counting_embedder: CountingEmbedder, monkeypatch: pytest.MonkeyPatch
) -> None:
    one_per_segment = settings.model_copy(update={"index_segment_documents": 1})
    for n in range(3):
        write(settings.corpus_dir / f"n{n}.md", NOTES.replace("Acme", f"Acme{n}").format(n=n + 2))
    build_index(settings.corpus_dir, settings.index_dir, one_per_segment, lambda: counting_embedder)
    live = current_generation(settings.index_dir)
    write(settings.corpus_dir / "n1.md", NOTES.replace("Acme", "Initech").format(n=9))

    def failing(*args: object, **kwargs: object) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(corpus_words, "write", failing)  # after every segment is linked or written
    with pytest.raises(Exception, match="space"):
        build_index(settings.corpus_dir, settings.index_dir, one_per_segment, lambda: counting_embedder)
    assert current_generation(settings.index_dir) == live
    assert [p.name for p in settings.index_dir.iterdir() if p.name.startswith(".building")] == []
    verify_checksums(live, load_index(settings.index_dir, one_per_segment).manifest)
    assert "Acme1" in " ".join(c.text for c in load_index(settings.index_dir, one_per_segment).chunks)


def _without_gist_rows(generation: Path, version: int) -> None:
    """Make a generation what PIPELINE_VERSION 4 wrote (its segments without gist rows) or
    5-6 (each segment's gist rows in `gist_rows.npz`, which is not read now)."""
    manifest = json.loads((generation / "manifest.json").read_text())
    for entry in manifest[segments.MANIFEST_KEY]:
        folder, key = segments.path(generation, entry["name"]), f"{segments.FOLDER}/{entry['name']}/"
        if version >= 5:
            (folder / gist_rows.FILE).rename(folder / "gist_rows.npz")
            manifest["checksums"][key + "gist_rows.npz"] = manifest["checksums"][key + gist_rows.FILE]
        else:
            (folder / gist_rows.FILE).unlink()
        del manifest["checksums"][key + gist_rows.FILE]
    manifest["chunking"]["pipeline"] = version
    record = json.loads((generation / documents.FILE).read_text())
    record["chunking"]["pipeline"] = version
    (generation / documents.FILE).write_text(json.dumps(record))
    manifest["checksums"][documents.FILE] = file_sha256(generation / documents.FILE)
    (generation / "manifest.json").write_text(json.dumps(manifest, indent=2))


@pytest.mark.parametrize("version", [4, 6])
def test_an_index_without_gist_rows_answers_the_same_then_is_upgraded_reusing_its_vectors(
    settings: Settings, counting_embedder: CountingEmbedder, version: int
) -> None:
    one_per_segment = settings.model_copy(update={"index_segment_documents": 1})
    for n, company in enumerate(["Acme", "Hooli", "Initech"]):
        write(settings.corpus_dir / f"n{n}.md", NOTES.replace("Acme", company).format(n=n + 2))
    build_index(settings.corpus_dir, settings.index_dir, one_per_segment, lambda: counting_embedder)
    questions = ["Which talks mention Kafka clusters?", "What were the main themes?"]
    questions.append("What did Jane Doe say about LLMs?")  # not in her talk: where it is, if anywhere

    def answers() -> list[str]:  # the live generation as it is (Assistant.open would upgrade it first)
        assistant = Assistant(load_index(settings.index_dir, one_per_segment), one_per_segment)
        return [repr(assistant.ask(q, mode="extractive")[0].answer) for q in questions]

    expected = answers()
    assert expected[0].startswith("'Talks that mention Kafka clusters (3)")
    _without_gist_rows(current_generation(settings.index_dir), version)
    old = load_index(settings.index_dir, one_per_segment)
    assert old.gist is None and len(old.manifest[segments.MANIFEST_KEY]) == 3
    assert answers() == expected  # read from every row instead
    counting_embedder.calls.clear()
    report = build_index(settings.corpus_dir, settings.index_dir, one_per_segment, lambda: counting_embedder)
    assert report.embedded == 0 and report.sentences_embedded == 0 and not counting_embedder.calls
    new = load_index(settings.index_dir, one_per_segment)
    assert new.gist is not None and new.manifest["chunking"]["pipeline"] == PIPELINE_VERSION
    assert len(list(new.path.rglob(gist_rows.FILE))) == 3 and not list(new.path.rglob("gist_rows.npz"))
    assert answers() == expected
