"""Dense search: exact below the threshold, HNSW from it on, with recall@10 >= 0.98 against
exact search on synthetic embedding-like vectors; the kind survives a save and load and lands in the manifest."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from conftest import CountingEmbedder, write
from recapqa.settings import Settings, get_settings
from recapqa.store import load_index
from recapqa.store.build import build_index
from recapqa.store.vectors import FaissStore, PiecesStore

DIM = 384


def unit(rows: int, seed: int) -> np.ndarray:
    vectors = np.random.default_rng(seed).standard_normal((rows, DIM)).astype(np.float32)
    return vectors / np.linalg.norm(vectors, axis=1, keepdims=True)


def embedding_like(rows: int, seed: int, rank: int = 32) -> np.ndarray:
    """Unit vectors in 384 dimensions with an intrinsic dimension of `rank`, as sentence
    embeddings have (far below 384). Pure noise in 384 dimensions is not searchable by any
    graph index at this recall (bench/SCALE.md gives its numbers)."""
    basis = np.random.default_rng(0).standard_normal((rank, DIM)).astype(np.float32)
    vectors = np.random.default_rng(seed).standard_normal((rows, rank)).astype(np.float32) @ basis
    return vectors / np.linalg.norm(vectors, axis=1, keepdims=True)


def recall_at_10(data: np.ndarray, queries: np.ndarray, tmp_path: Path) -> float:
    exact = FaissStore.for_size(DIM, len(data), ann_threshold=0)
    approximate = FaissStore.for_size(DIM, len(data), ann_threshold=1000)
    assert (exact.kind, approximate.kind) == ("exact", "approximate")
    for store in (exact, approximate):
        store.add(data)
    approximate.save(tmp_path / "hnsw.faiss")
    loaded = FaissStore.load(tmp_path / "hnsw.faiss")
    assert loaded.kind == "approximate" and len(loaded) == len(data)
    truth, found = exact.search_many(queries, 10), loaded.search_many(queries, 10)
    return float(np.mean([len(set(t) & set(f)) / 10 for t, f in zip(truth, found, strict=True)]))


def test_hnsw_recall_at_10_against_exact_search(tmp_path: Path) -> None:
    assert recall_at_10(embedding_like(20_000, 1), embedding_like(200, 2), tmp_path) >= 0.98


def test_below_the_threshold_search_is_exact() -> None:
    data = unit(500, 5)
    store = FaissStore.for_size(DIM, len(data), ann_threshold=501)
    store.add(data)
    query = unit(1, 6)[0]
    expected = np.argsort(-(data @ query))[:10]
    assert store.kind == "exact" and [r for r, _ in store.search(query, 10)] == expected.tolist()
    assert np.allclose(store.all_vectors(), data)


def test_equal_scores_come_by_row_in_both_exact_stores() -> None:
    """The same text in two notes files has the same vector: its rows tie, and every store
    (PostgreSQL too: ORDER BY distance, row) gives the lower row first, so answers agree."""
    data = unit(40, 7)
    data[[3, 17, 29, 31]] = data[5]  # five rows tie, more than the ones asked for
    query = data[5] + 0.01 * unit(1, 8)[0]
    flat = FaissStore.for_size(DIM, len(data), ann_threshold=len(data) + 1)
    flat.add(data)
    pieces = PiecesStore([data[:20], data[20:]], DIM, threads=2)
    for store in (flat, pieces):
        assert [r for r, _ in store.search(query, 3)] == [3, 5, 17]
        assert [r for r, _ in store.search(query, 6)][:5] == [3, 5, 17, 29, 31]


def test_a_build_past_the_threshold_records_it_and_still_finds_the_chunk(
    settings: Settings, counting_embedder: CountingEmbedder
) -> None:
    for n in range(6):
        write(
            settings.corpus_dir / f"t{n}.md",
            f"## Talk {n} (Co{n})\n\nSpeaker: Person {n}, CEO\n\nTopic {n}: "
            + ["Kafka streams", "GPU serving", "feature stores", "drift alerts", "A/B tests", "vector search"][n]
            + ".\n",
        )
    small = settings.model_copy(update={"ann_threshold": 2})
    build_index(small.corpus_dir, small.index_dir, small, lambda: counting_embedder)
    index = load_index(small.index_dir, small)
    manifest = json.loads((index.path / "manifest.json").read_text())
    assert manifest["store"]["dense"] == "approximate" and "HNSW" in manifest["store"]["faiss"]
    assert index.store.kind == "approximate"
    query = counting_embedder.embed(["Which talk was about GPU serving?"])[0]
    best = index.store.search(query, 3)[0][0]
    assert "GPU serving" in index.chunks[best].text
    assert np.allclose(
        index.store.chunk_vectors(), counting_embedder.embed([c.embed_text for c in index.chunks]), atol=1e-4
    )


def test_ef_search_is_the_setting_applied_at_load_and_recorded(
    settings: Settings, counting_embedder: CountingEmbedder, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    data = embedding_like(2_000, 3)
    store = FaissStore.for_size(DIM, len(data), ann_threshold=1000)
    store.add(data)
    assert store.ef_search == get_settings().ann_ef_search == Settings().ann_ef_search
    store.save(tmp_path / "hnsw.faiss")
    loaded = FaissStore.load(tmp_path / "hnsw.faiss", ef_search=40)  # a search-time parameter: no rebuild
    assert loaded.ef_search == 40 and loaded.description == "IndexHNSWFlat(M=32, efConstruction=80, efSearch=40)"
    exact = FaissStore.for_size(DIM, len(data), ann_threshold=0)
    exact.set_ef_search(40)  # no effect on exact search
    assert exact.ef_search == 0 and exact.description == "IndexFlatIP"
    # through the setting: recorded in the manifest by the build, applied again at each load
    for n in range(3):
        write(settings.corpus_dir / f"t{n}.md", f"## Talk {n} (Co{n})\n\nTopic {n}: vector search at scale {n}.\n")
    monkeypatch.setenv("RECAPQA_ANN_EF_SEARCH", "300")
    get_settings.cache_clear()
    try:
        small = Settings(corpus_dir=settings.corpus_dir, index_dir=settings.index_dir, ann_threshold=2)
        build_index(small.corpus_dir, small.index_dir, small, lambda: counting_embedder)
        index = load_index(small.index_dir, small)
        assert "efSearch=300" in index.manifest["store"]["faiss"]
        monkeypatch.setenv("RECAPQA_ANN_EF_SEARCH", "500")
        get_settings.cache_clear()
        assert FaissStore.load(index.path / "vectors.faiss").ef_search == 500
    finally:
        monkeypatch.delenv("RECAPQA_ANN_EF_SEARCH")
        get_settings.cache_clear()
