"""The file backend (the default): each index generation is a folder of files, FAISS for
dense search and bm25s for BM25, published atomically by `files.publish`."""

from __future__ import annotations

import contextlib
import hashlib
import json
import logging
import shutil
from pathlib import Path
from typing import Any, cast

import numpy as np

from recapqa.errors import IndexCorruptError, RecapqaError
from recapqa.models import Chunk, Talk
from recapqa.sentences import Sentence
from recapqa.store import Index, check_compatible, corpus_words
from recapqa.store import _sentences_by_chunk as sentences_by_chunk
from recapqa.store.files import (
    DENIED,
    DISK_FULL,
    REBUILD_FIX,
    current_generation,
    new_generation,
    publish,
    read_manifest,
    storage_errors,
    verify_checksums,
)
from recapqa.store.interface import IndexContent
from recapqa.store.lexical import LexicalIndex
from recapqa.store.rows import ChunkSentences, JsonlRows
from recapqa.store.vectors import FaissStore

CHUNK_SENTENCES = "chunk_sentences.npz"  # the sentence rows of each chunk (store/rows.py)
log = logging.getLogger(__name__)
REUSE_KEY = "_reuse_previous"  # build -> publish only: never stored
EMBED_KEYS = "embed_keys.npz"  # sha1 of each chunk's and sentence's embedded text, the chunk ids


def text_digests(texts: list[str]) -> np.ndarray:
    """sha1 of each text, one row of 20 bytes each (not dtype S20: numpy strips its trailing
    zero bytes)."""
    flat = b"".join(hashlib.sha1(t.encode()).digest() for t in texts)
    return np.frombuffer(flat, dtype=np.uint8).reshape(len(texts), 20)


def _hex_rows(digests: np.ndarray) -> list[str]:
    flat = digests.astype(np.uint8, copy=False).tobytes().hex()
    return [flat[i : i + 40] for i in range(0, len(flat), 40)]


def embed_keys(generation: Path) -> tuple[list[str], list[str], list[str]] | None:
    """What a build needs of the live generation to reuse its vectors without reading its
    rows: each chunk's and sentence's text digest (hex, as build._key) and the chunk ids.
    None for an index without the file (older version): then the rows are read."""
    path = generation / EMBED_KEYS
    if not path.is_file():
        return None
    try:
        with np.load(path, allow_pickle=False) as data:
            chunks, sentences, ids = data["chunks"], data["sentences"], data["chunk_ids"]
        if chunks.shape[1:] != (20,) or sentences.shape[1:] != (20,):
            raise ValueError("digest shape")
        return _hex_rows(chunks), _hex_rows(sentences), ids.tolist()
    except (OSError, ValueError, KeyError) as exc:  # checksum-verified: another version's; the rows decide
        log.info("index file %s in %s unusable (%s); reading the rows", EMBED_KEYS, generation.name, exc)
        return None


class FileVectorStore:
    """FAISS (dense) and bm25s (lexical) over the chunks of one generation folder."""

    def __init__(self, vectors: FaissStore, lexical: LexicalIndex) -> None:
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

    def __init__(self, index_dir: Path, ann_threshold: int = 0) -> None:
        self.index_dir = index_dir
        self.ann_threshold = ann_threshold

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
                    return _load_generation(generation)
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
        building = new_generation(self.index_dir)
        try:  # a failed write (disk full) leaves no half generation taking the space
            store = FaissStore.for_size(manifest["model"]["dimension"], len(content.chunks), self.ann_threshold)
            store.add(content.chunk_vectors)
            store.save(building / "vectors.faiss")
            np.save(building / "sentence_vectors.npy", content.sentence_vectors, allow_pickle=False)
            _write_jsonl(building / "chunks.jsonl", [c.to_dict() for c in content.chunks])
            _write_jsonl(building / "sentences.jsonl", [s.to_dict() for s in content.sentences])
            (building / "talks.json").write_text(json.dumps([t.to_dict() for t in content.talks], indent=1))
            LexicalIndex.build([c.embed_text for c in content.chunks]).save(building / "bm25")
            ChunkSentences.of(sentences_by_chunk(content.chunks, content.sentences)).save(building / CHUNK_SENTENCES)
            with (building / EMBED_KEYS).open("wb") as handle:
                np.savez(
                    handle,
                    chunks=text_digests([c.embed_text for c in content.chunks]),
                    sentences=text_digests([s.embed_text for s in content.sentences]),
                    chunk_ids=np.array([c.chunk_id for c in content.chunks], dtype=str),
                )
            words = corpus_words.write(building, content.talks, content.chunks, content.sentences, previous)
        except BaseException:
            shutil.rmtree(building, ignore_errors=True)
            raise
        store_info = {"backend": self.name, "dense": store.kind, "faiss": store.description}
        manifest = {**manifest, "store": store_info, corpus_words.MANIFEST_KEY: words}
        return publish(self.index_dir, building, manifest).name


def _write_jsonl(path: Path, rows: list[dict[str, Any]]) -> None:
    with path.open("w", encoding="utf-8") as handle:
        for row in rows:
            handle.write(json.dumps(row, ensure_ascii=False) + "\n")


def _load_generation(generation: Path) -> Index:
    manifest = read_manifest(generation)
    check_compatible(manifest)
    verify_checksums(generation, manifest)
    try:
        talks = [Talk.from_dict(t) for t in json.loads((generation / "talks.json").read_text())]
        # rows are parsed when first read: loading does not make an object per chunk or sentence
        chunks = cast(list[Chunk], JsonlRows(generation / "chunks.jsonl", Chunk.from_dict))
        sentences = cast(list[Sentence], JsonlRows(generation / "sentences.jsonl", Sentence.from_dict))
        by_chunk = generation / CHUNK_SENTENCES  # older indexes: found from the rows (Index)
        chunk_sentences = ChunkSentences.load(by_chunk, len(chunks), len(sentences)) if by_chunk.is_file() else []
        vectors = FaissStore.load(generation / "vectors.faiss")
        # memory-mapped: the page cache holds one copy for every `serve` worker
        sentence_vectors = np.load(generation / "sentence_vectors.npy", allow_pickle=False, mmap_mode="r")
        lexical = LexicalIndex.load(generation / "bm25", len(chunks))
    except OSError as exc:
        if exc.errno in DENIED | DISK_FULL:
            raise
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
    )
