"""The row files of a file-store generation, written document by document: a document kept
from the previous generation (store/documents.py) has its JSONL lines copied as bytes, its
rows of `chunk_sentences.npz`, `embed_keys.npz` and `bm25_terms.npz` sliced from that
generation's arrays; only new and changed documents' rows are serialised, hashed and
tokenized. A build from scratch writes the same bytes (every document new)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from recapqa.errors import IndexCorruptError
from recapqa.models import Chunk
from recapqa.sentences import Sentence
from recapqa.store import _sentences_by_chunk as sentences_by_chunk
from recapqa.store.bm25_terms import FILE as TERMS
from recapqa.store.bm25_terms import Terms
from recapqa.store.files import REBUILD_FIX
from recapqa.store.rows import ChunkSentences, JsonlRows

CHUNK_SENTENCES = "chunk_sentences.npz"  # the sentence rows of each chunk (store/rows.py)
EMBED_KEYS = "embed_keys.npz"  # sha1 of each chunk's and sentence's embedded text, the chunk ids


@dataclass
class Segment:
    """One document's rows: new (`chunks`, `sentences`), or the previous generation's rows
    [start, end) of each kind (`old`)."""

    chunks: list[Chunk] | None = None
    sentences: list[Sentence] | None = None
    old: dict[str, Any] | None = None


def text_digests(texts: list[str]) -> np.ndarray:
    """sha1 of each text, one row of 20 bytes each (not dtype S20: numpy strips its trailing
    zero bytes)."""
    import hashlib

    flat = b"".join(hashlib.sha1(t.encode()).digest() for t in texts)
    return np.frombuffer(flat, dtype=np.uint8).reshape(len(texts), 20)


class _Previous:
    """The previous generation's files, opened when a kept segment first needs them."""

    def __init__(self, generation: Path | None) -> None:
        self.generation = generation
        self._open: dict[str, Any] = {}

    def get(self, name: str) -> Any:
        if name not in self._open:
            assert self.generation is not None, "a kept document without a previous generation"
            try:
                self._open[name] = self._read(self.generation / name)
            except (OSError, ValueError, KeyError) as exc:  # checksum-verified: another version's file
                where = f"{self.generation.name}/{name}"
                raise IndexCorruptError(f"index file {where} cannot be reused ({exc})", REBUILD_FIX) from exc
        return self._open[name]

    @staticmethod
    def _read(path: Path) -> Any:
        if path.name.endswith(".jsonl"):
            return JsonlRows(path, dict)
        if path.name == CHUNK_SENTENCES:
            with np.load(path, allow_pickle=False) as data:
                return ChunkSentences(data["offsets"], data["rows"])
        if path.name == TERMS:
            return Terms.load(path)
        with np.load(path, allow_pickle=False) as data:
            return {k: data[k] for k in data.files}


def _lines(rows: list[Any]) -> bytes:
    return "".join(json.dumps(r.to_dict(), ensure_ascii=False) + "\n" for r in rows).encode()


def write_rows(building: Path, segments: list[Segment], previous: Path | None) -> Terms:
    """chunks.jsonl, sentences.jsonl, chunk_sentences.npz, embed_keys.npz and
    bm25_terms.npz of `segments`, in order; returns the BM25 terms (for the bm25 index)."""
    old = _Previous(previous)
    offsets, rows = [np.zeros(1, dtype=np.int64)], []
    chunk_digests, sentence_digests, chunk_ids, terms = [], [], [], []
    n_chunks = n_sentences = 0
    fresh_texts = [c.embed_text for seg in segments if seg.old is None for c in seg.chunks or []]
    fresh_terms, fresh_at = Terms.of_texts(fresh_texts), 0  # one tokenizer call for every new chunk
    with (building / "chunks.jsonl").open("wb") as chunks_out, (building / "sentences.jsonl").open("wb") as sents_out:
        for seg in segments:
            if seg.old is None:
                chunks, sentences = seg.chunks or [], seg.sentences or []
                chunks_out.write(_lines(chunks))
                sents_out.write(_lines(sentences))
                by_chunk = ChunkSentences.of(sentences_by_chunk(chunks, sentences))
                seg_offsets, seg_rows = by_chunk.offsets, by_chunk.rows
                chunk_digests.append(text_digests([c.embed_text for c in chunks]))
                sentence_digests.append(text_digests([s.embed_text for s in sentences]))
                chunk_ids.append(np.array([c.chunk_id for c in chunks], dtype=str))
                terms.append(fresh_terms.rows(fresh_at, fresh_at + len(chunks)))
                fresh_at += len(chunks)
                count_c, count_s, shift = len(chunks), len(sentences), n_sentences
            else:
                (c0, c1), (s0, s1) = seg.old["chunks"], seg.old["sentences"]
                chunks_out.write(old.get("chunks.jsonl").raw(c0, c1))
                sents_out.write(old.get("sentences.jsonl").raw(s0, s1))
                whole = old.get(CHUNK_SENTENCES)
                lo, hi = int(whole.offsets[c0]), int(whole.offsets[c1])
                seg_offsets, seg_rows = whole.offsets[c0 : c1 + 1] - lo, whole.rows[lo:hi]
                keys = old.get(EMBED_KEYS)
                chunk_digests.append(keys["chunks"][c0:c1])
                sentence_digests.append(keys["sentences"][s0:s1])
                chunk_ids.append(keys["chunk_ids"][c0:c1])
                terms.append(old.get(TERMS).rows(c0, c1))
                count_c, count_s, shift = c1 - c0, s1 - s0, n_sentences - s0
            offsets.append(seg_offsets[1:] + offsets[-1][-1])
            rows.append(seg_rows + shift)
            n_chunks, n_sentences = n_chunks + count_c, n_sentences + count_s
    flat_rows = np.concatenate(rows) if rows else np.zeros(0, dtype=np.int64)
    ChunkSentences(np.concatenate(offsets), flat_rows).save(building / CHUNK_SENTENCES)
    with (building / EMBED_KEYS).open("wb") as handle:
        np.savez(
            handle,
            chunks=_stack(chunk_digests),
            sentences=_stack(sentence_digests),
            chunk_ids=np.concatenate(chunk_ids) if chunk_ids else np.array([], dtype=str),
        )
    all_terms = Terms.concat(terms)
    all_terms.save(building / TERMS)
    return all_terms


def _stack(parts: list[np.ndarray]) -> np.ndarray:
    return np.concatenate(parts).astype(np.uint8) if parts else np.zeros((0, 20), dtype=np.uint8)
