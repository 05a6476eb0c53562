"""The on-disk index: vectors, BM25, metadata and manifest, loaded as one `Index`."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from recapqa.embed import DIMENSION, MODEL_NAME
from recapqa.errors import IndexCorruptError, IndexIncompatibleError
from recapqa.models import Chunk, Talk
from recapqa.sentences import Sentence
from recapqa.store.files import (
    REBUILD_FIX,
    current_generation,
    read_manifest,
    verify_checksums,
)
from recapqa.store.lexical import LexicalIndex
from recapqa.store.vectors import FaissStore

FORMAT_VERSION = 1
# Bump when segmentation, chunking or sentence splitting changes what an index holds.
PIPELINE_VERSION = 3


@dataclass
class Index:
    path: Path
    manifest: dict[str, Any]
    talks: dict[str, Talk]
    chunks: list[Chunk]
    sentences: list[Sentence]
    vectors: FaissStore
    sentence_vectors: np.ndarray
    lexical: LexicalIndex
    chunk_sentences: list[list[int]] = field(default_factory=list)

    def __post_init__(self) -> None:
        if not self.chunk_sentences:
            self.chunk_sentences = _sentences_by_chunk(self.chunks, self.sentences)

    @property
    def corpus_hash(self) -> str:
        return str(self.manifest.get("corpus_hash", ""))


def _sentences_by_chunk(chunks: list[Chunk], sentences: list[Sentence]) -> list[list[int]]:
    by_source: dict[tuple[str, str], list[int]] = {}
    for row, sentence in enumerate(sentences):
        by_source.setdefault((sentence.source, sentence.talk_id), []).append(row)
    out = []
    for chunk in chunks:
        rows = by_source.get((chunk.source, chunk.talk_id), [])
        out.append(
            [
                r
                for r in rows
                if sentences[r].span.char_start >= chunk.span.char_start
                and sentences[r].span.char_end <= chunk.span.char_end
            ]
        )
    return out


def _jsonl(path: Path) -> list[dict[str, Any]]:
    with path.open(encoding="utf-8") as handle:
        return [json.loads(line) for line in handle if line.strip()]


def check_compatible(manifest: dict[str, Any]) -> None:
    version = manifest.get("format_version")
    if version != FORMAT_VERSION:
        raise IndexIncompatibleError(
            f"index format {version} is not the supported format {FORMAT_VERSION}", REBUILD_FIX
        )
    model = manifest.get("model", {})
    if model.get("name") != MODEL_NAME or model.get("dimension") != DIMENSION:
        raise IndexIncompatibleError(f"index was built with model {model}, this version uses {MODEL_NAME}", REBUILD_FIX)


def load_index(index_dir: Path) -> Index:
    generation = current_generation(index_dir)
    manifest = read_manifest(generation)
    check_compatible(manifest)
    verify_checksums(generation, manifest)
    try:
        talks = [Talk.from_dict(t) for t in json.loads((generation / "talks.json").read_text())]
        chunks = [Chunk.from_dict(c) for c in _jsonl(generation / "chunks.jsonl")]
        sentences = [Sentence.from_dict(s) for s in _jsonl(generation / "sentences.jsonl")]
        vectors = FaissStore.load(generation / "vectors.faiss")
        sentence_vectors = np.load(generation / "sentence_vectors.npy", allow_pickle=False)
        lexical = LexicalIndex.load(generation / "bm25", len(chunks))
    except (OSError, ValueError, KeyError, TypeError, RuntimeError) as exc:
        raise IndexCorruptError(f"index in {generation} cannot be read ({exc})", REBUILD_FIX) from exc
    if len(vectors) != len(chunks) or len(sentence_vectors) != len(sentences):
        raise IndexCorruptError(f"index in {generation} has mismatched parts", REBUILD_FIX)
    return Index(
        path=generation,
        manifest=manifest,
        talks={t.talk_id: t for t in talks},
        chunks=chunks,
        sentences=sentences,
        vectors=vectors,
        sentence_vectors=sentence_vectors,
        lexical=lexical,
    )
