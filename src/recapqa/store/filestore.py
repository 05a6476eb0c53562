"""The file backend (the default): each index generation is a folder of files, its bulk in
segments (store/segments.py: rows, vectors, BM25 terms per run of documents, hard-linked
between generations when unchanged), exact FAISS search over the segments' vectors (an HNSW
graph past the ANN threshold) and bm25s for BM25, published atomically by `files.publish`."""

from __future__ import annotations

import contextlib
import json
import logging
import os
import shutil
from pathlib import Path
from typing import Any, cast

import numpy as np

from recapqa.errors import IndexCorruptError, RecapqaError
from recapqa.mapped import load_npy
from recapqa.models import Chunk, Talk
from recapqa.sentences import Sentence
from recapqa.store import Index, check_compatible, corpus_words, documents
from recapqa.store import segments as seg
from recapqa.store.files import (
    DENIED,
    DISK_FULL,
    REBUILD_FIX,
    TOO_MANY_FILES,
    current_generation,
    new_generation,
    publish,
    read_manifest,
    storage_errors,
    verify_checksums,
)
from recapqa.store.generation import CHUNK_SENTENCES, EMBED_KEYS, text_digests, write_segments
from recapqa.store.gist_lookup import GistLookup
from recapqa.store.interface import IndexContent
from recapqa.store.lexical import LexicalIndex
from recapqa.store.rows import ChunkSentences, JsonlRows
from recapqa.store.vectors import FaissStore, PiecesStore

log = logging.getLogger(__name__)
REUSE_KEY = "_reuse_previous"  # build -> publish only: never stored
__all__ = ["CHUNK_SENTENCES", "EMBED_KEYS", "FileBackend", "embed_digests", "text_digests"]


def _hex_rows(digests: np.ndarray) -> list[str]:
    flat = digests.astype(np.uint8, copy=False).tobytes().hex()
    return [flat[i : i + 40] for i in range(0, len(flat), 40)]


def embed_digests(generation: Path) -> tuple[np.ndarray, np.ndarray, np.ndarray] | None:
    """What a build needs of the live generation to reuse its vectors without reading its
    rows: each chunk's and sentence's text digest ((n, 20) bytes, as vector_reuse.text_key)
    and the chunk ids. None for an index without the file (older version): then the rows
    are read."""
    try:
        segments = seg.Segments.of(generation, read_manifest(generation))
        if segments is None and not (generation / EMBED_KEYS).is_file():
            return None
        if segments is None:
            with np.load(generation / EMBED_KEYS, allow_pickle=False) as data:
                chunks, sentences, ids = data["chunks"], data["sentences"], data["chunk_ids"]
        else:
            parts = [segments.arrays(at, EMBED_KEYS) for at in range(len(segments.names))]
            chunks, sentences = (np.concatenate([p[k] for p in parts]) for k in ("chunks", "sentences"))
            ids = np.concatenate([p["chunk_ids"] for p in parts])
        if chunks.shape[1:] != (20,) or sentences.shape[1:] != (20,):
            raise ValueError("digest shape")
        return chunks, sentences, ids
    except (OSError, ValueError, KeyError, RecapqaError) as exc:  # checksum-verified: another version's
        log.info("index file %s in %s unusable (%s); reading the rows", EMBED_KEYS, generation.name, exc)
        return None


class FileVectorStore:
    """FAISS (dense) and bm25s (lexical) over the chunks of one generation folder."""

    def __init__(self, vectors: FaissStore | PiecesStore, lexical: LexicalIndex) -> None:
        self._vectors = vectors
        self._lexical = lexical
        self.kind = vectors.kind

    def search(self, query: np.ndarray, k: int) -> list[tuple[int, float]]:
        return self._vectors.search(query, k)

    def search_text(self, text: str, k: int) -> list[tuple[int, float]]:
        return self._lexical.search(text, k)

    def chunk_vectors(self) -> np.ndarray:
        return self._vectors.all_vectors()

    def __len__(self) -> int:
        return len(self._vectors)


class FileBackend:
    name = "file"

    def __init__(
        self,
        index_dir: Path,
        ann_threshold: int = 0,
        segment_documents: int = 128,
        search_threads: int = 0,
        gist_min_terms: int = 4,
    ) -> None:
        self.index_dir = index_dir
        self.gist_min_terms = gist_min_terms
        self.ann_threshold = ann_threshold
        self.segment_documents = segment_documents
        self.search_threads = search_threads or os.cpu_count() or 1

    def manifest(self) -> dict[str, Any]:
        with storage_errors({"index": self.index_dir}, default="index"):
            generation = current_generation(self.index_dir)
            manifest = read_manifest(generation)
            check_compatible(manifest)
            verify_checksums(generation, manifest)
        return manifest

    def load(self) -> Index:
        """The live generation, checksum-verified. A build in another process may publish a
        new generation and delete this one while it is read: then the new one is read."""
        for attempt in range(3):
            generation = current_generation(self.index_dir)
            try:
                with storage_errors({"index": self.index_dir}, default="index"):
                    return _load_generation(generation, self.search_threads)
            except IndexCorruptError:
                if attempt == 2 or current_generation(self.index_dir) == generation:
                    raise
        raise AssertionError("unreachable")

    def publish(self, content: IndexContent, manifest: dict[str, Any]) -> str:
        """`manifest` may hold REUSE_KEY (popped; default True): whether the live generation's
        stored sums may be updated instead of counting the corpus again (corpus_words.update)."""
        manifest = dict(manifest)
        previous = None
        if manifest.pop(REUSE_KEY, True):
            with contextlib.suppress(RecapqaError):
                previous = current_generation(self.index_dir)
        plan = content.plan
        if plan is None:
            raise ValueError("the file store publishes what a build planned (store/documents.py)")
        live = (plan.previous, read_manifest(plan.previous)) if plan.previous is not None else (None, None)
        dimension = manifest["model"]["dimension"]
        building = new_generation(self.index_dir)
        try:  # a failed write (disk full) leaves no half generation taking the space
            made_with = {"chunking": plan.chunking, "model": manifest["model"]}
            written = write_segments(
                building,
                plan,
                content.chunk_vectors,
                content.sentence_vectors,
                self.segment_documents,
                made_with,
                live,
                self.gist_min_terms,
            )
            store = FaissStore.for_size(dimension, len(content.chunks), self.ann_threshold)
            if store.kind == "approximate":  # the graph is built whole; exact search reads the segments
                store.add(np.asarray(content.chunk_vectors))
                store.save(building / "vectors.faiss")
            (building / "talks.json").write_text(json.dumps([t.to_dict() for t in content.talks]))
            written.terms.index().save(building / "bm25")
            (building / documents.FILE).write_text(json.dumps(plan.record(), ensure_ascii=False), encoding="utf-8")
            words = corpus_words.write(
                building, content.talks, content.chunks, content.sentences, previous, plan.layout(), plan.aliases()
            )
        except BaseException:
            shutil.rmtree(building, ignore_errors=True)
            raise
        description = store.description if store.kind == "approximate" else PiecesStore.description
        store_info = {"backend": self.name, "dense": store.kind, "faiss": description}
        manifest = {**manifest, "store": store_info, corpus_words.MANIFEST_KEY: words}
        manifest[seg.MANIFEST_KEY] = written.entries
        return publish(self.index_dir, building, manifest, known=written.linked).name


def _load_generation(generation: Path, threads: int = 1) -> Index:
    manifest = read_manifest(generation)
    check_compatible(manifest)
    verify_checksums(generation, manifest)
    segments = seg.Segments.of(generation, manifest)
    gist = None
    try:
        talks = [Talk.from_dict(t) for t in json.loads((generation / "talks.json").read_text())]
        if segments is not None:
            parts = _segment_parts(generation, manifest, segments, threads)
            chunks, sentences, chunk_sentences, vectors, sentence_vectors = parts
            lexical = LexicalIndex.load(generation / "bm25", len(chunks))
            folders = [seg.path(generation, name) for name in segments.names]
            gist = GistLookup.of(folders, segments.sentence_starts, manifest.get("checksums") or {})
        else:  # the layout before segments (one file of each)
            chunks, sentences, chunk_sentences, vectors, sentence_vectors, lexical = _single_files(generation)
    except OSError as exc:
        if exc.errno in DENIED | DISK_FULL | TOO_MANY_FILES:
            raise  # the machine, not the index: reported as a StorageError at the edges
        raise IndexCorruptError(f"index in {generation.name} cannot be read ({exc.strerror})", REBUILD_FIX) from exc
    except (ValueError, KeyError, TypeError, RuntimeError) as exc:
        reason = type(exc).__name__
        raise IndexCorruptError(f"index in {generation.name} cannot be read ({reason})", REBUILD_FIX) from exc
    if len(vectors) != len(chunks) or len(sentence_vectors) != len(sentences):
        raise IndexCorruptError(f"index in {generation.name} has mismatched parts", REBUILD_FIX)
    return Index(
        path=generation,
        manifest=manifest,
        talks={t.talk_id: t for t in talks},
        chunks=chunks,
        sentences=sentences,
        store=FileVectorStore(vectors, lexical),
        sentence_vectors=sentence_vectors,
        chunk_sentences=cast(list[list[int]], chunk_sentences),
        gist=gist,
    )


Parts = tuple[list[Chunk], list[Sentence], Any, "FaissStore | PiecesStore", np.ndarray]


def _segment_parts(generation: Path, manifest: dict[str, Any], segments: seg.Segments, threads: int) -> Parts:
    """Rows parsed when first read (loading makes no object per chunk or sentence); chunk and
    sentence vectors memory-mapped: the page cache holds one copy for every `serve` worker
    (recapqa/mapped.py: how a file cut short in place is reported)."""
    dimension = int(manifest["model"]["dimension"])
    chunks = cast(list[Chunk], segments.rows("chunks", Chunk.from_dict))
    sentences = cast(list[Sentence], segments.rows("sentences", Sentence.from_dict))
    if manifest.get("store", {}).get("dense") == "approximate":
        vectors: FaissStore | PiecesStore = FaissStore.load(generation / "vectors.faiss")
    else:
        vectors = PiecesStore(segments.vector_pieces("chunks"), dimension, threads)
    return chunks, sentences, segments.chunk_sentences(), vectors, segments.vectors("sentences", dimension)


def _single_files(generation: Path) -> tuple[Any, ...]:
    chunks = cast(list[Chunk], JsonlRows(generation / "chunks.jsonl", Chunk.from_dict))
    sentences = cast(list[Sentence], JsonlRows(generation / "sentences.jsonl", Sentence.from_dict))
    by_chunk = generation / CHUNK_SENTENCES  # older indexes: found from the rows (Index)
    chunk_sentences = ChunkSentences.load(by_chunk, len(chunks), len(sentences)) if by_chunk.is_file() else []
    vectors = FaissStore.load(generation / "vectors.faiss")
    sentence_vectors = load_npy(generation / "sentence_vectors.npy")
    lexical = LexicalIndex.load(generation / "bm25", len(chunks))
    return chunks, sentences, chunk_sentences, vectors, sentence_vectors, lexical
