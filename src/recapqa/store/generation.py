"""The segment files of a file-store generation (store/segments.py). A segment whose name is
in the live generation (same documents, same content, same talk ids) is hard-linked from it,
its recorded checksums kept: nothing of it is read, written or hashed. Any other segment is
written: kept documents' JSONL lines copied as bytes from the live generation's segments,
their rows of `chunk_sentences.npz`, `embed_keys.npz` and `bm25_terms.npz` sliced; only new
and changed documents' rows are serialised, hashed and tokenized. A build from scratch
writes the same segments, byte for byte (every document new)."""

from __future__ import annotations

import bisect
import json
import os
import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from recapqa.errors import IndexCorruptError
from recapqa.gist_text import WordTerms
from recapqa.store import segments as seg
from recapqa.store import sentences_by_chunk
from recapqa.store.bm25_terms import Terms
from recapqa.store.files import REBUILD_FIX
from recapqa.store.gist_rows import FILE as GIST
from recapqa.store.gist_rows import GistRows
from recapqa.store.rows import ChunkSentences, JsonlRows

if TYPE_CHECKING:
    from recapqa.store.documents import Part, Plan

CHUNK_SENTENCES, EMBED_KEYS = seg.CHUNK_SENTENCES, seg.EMBED_KEYS
SEGMENT_FILES = (
    "chunks.jsonl",
    "sentences.jsonl",
    seg.CHUNK_VECTORS,
    seg.SENTENCE_VECTORS,
    seg.CHUNK_SENTENCES,
    seg.EMBED_KEYS,
    seg.TERMS,
    GIST,
)


def text_digests(texts: list[str]) -> np.ndarray:
    """sha1 of each text, one row of 20 bytes each (not dtype S20: numpy strips its trailing
    zero bytes)."""
    import hashlib

    flat = b"".join(hashlib.sha1(t.encode()).digest() for t in texts)
    return np.frombuffer(flat, dtype=np.uint8).reshape(len(texts), 20)


@dataclass
class Written:
    terms: Terms  # every chunk's BM25 terms, in row order (for the bm25 index)
    entries: list[dict[str, Any]]  # the manifest's segment list
    linked: dict[str, str]  # checksums of the files hard-linked from the live generation


class _Old:
    """The live generation's segments, opened when a kept document first needs them (a
    kept document's rows lie in one segment)."""

    def __init__(self, generation: Path | None, manifest: dict[str, Any] | None) -> None:
        self.segments = seg.Segments.of(generation, manifest) if generation and manifest else None
        self.checksums: dict[str, str] = dict((manifest or {}).get("checksums") or {})
        self._open: dict[tuple[int, str], Any] = {}

    def names(self) -> set[str]:
        return set(self.segments.names) if self.segments else set()

    def locate(self, part: Part) -> tuple[int, tuple[int, int], tuple[int, int]]:
        """The segment holding a kept part and the part's local chunk and sentence rows."""
        assert self.segments is not None and part.old is not None, "a kept document without a live generation"
        (c0, c1), (s0, s1) = part.old["chunks"], part.old["sentences"]
        at = bisect.bisect_right(self.segments.sentence_starts, s0) - 1 if s1 > s0 else 0
        if c1 > c0:
            at = bisect.bisect_right(self.segments.chunk_starts, c0) - 1
        at = min(at, len(self.segments.names) - 1)
        cs, ss = self.segments.chunk_starts[at], self.segments.sentence_starts[at]
        return at, (c0 - cs, c1 - cs), (s0 - ss, s1 - ss)

    def load_terms(self, path: Path) -> Terms:
        try:
            return Terms.load(path)
        except (OSError, ValueError, KeyError) as exc:  # checksum-verified: another version's file
            where = f"{path.parent.name}/{path.name}"
            raise IndexCorruptError(f"index file {where} cannot be reused ({exc})", REBUILD_FIX) from exc

    def get(self, at: int, name: str) -> Any:
        key = (at, name)
        if key not in self._open:
            assert self.segments is not None
            where = self.segments.file(at, name)
            try:
                self._open[key] = self._read(where)
            except (OSError, ValueError, KeyError) as exc:  # checksum-verified: another version's file
                shown = f"{where.parent.name}/{name}"
                raise IndexCorruptError(f"index file {shown} cannot be reused ({exc})", REBUILD_FIX) from exc
        return self._open[key]

    @staticmethod
    def _read(path: Path) -> Any:
        if path.name.endswith(".jsonl"):
            return JsonlRows(path, dict)
        if path.name == seg.CHUNK_SENTENCES:
            with np.load(path, allow_pickle=False) as data:
                return ChunkSentences(data["offsets"], data["rows"])
        if path.name == seg.TERMS:
            return Terms.load(path)
        if path.name == GIST:
            return GistRows.load(path)
        with np.load(path, allow_pickle=False) as data:
            return {k: data[k] for k in data.files}


def _lines(rows: list[Any]) -> bytes:
    return "".join(json.dumps(r.to_dict(), ensure_ascii=False) + "\n" for r in rows).encode()


def write_segments(
    building: Path,
    plan: Plan,
    chunk_vectors: Any,
    sentence_vectors: Any,
    every: int,
    made_with: dict[str, Any],
    live: tuple[Path | None, dict[str, Any] | None] = (None, None),
    gist_min_terms: int = 4,
) -> Written:
    """Every segment of `plan`'s documents into `building/segments/`: linked from `live`
    (the live generation and its verified manifest) when it holds the same segment, written
    otherwise. `chunk_vectors`, `sentence_vectors`: every row's, in row order;
    `gist_min_terms`: what a written segment's gist rows count the talks' phrases with."""
    old = _Old(*live) if plan.previous is not None else _Old(None, None)
    have = old.names()
    chunk_ranges, sentence_ranges = plan.ranges("chunks"), plan.ranges("sentences")
    fresh_texts = [c.embed_text for p in plan.parts if p.old is None for c in p.chunks or []]
    fresh = _Fresh(Terms.of_texts(fresh_texts))  # one tokenizer call for every new chunk
    terms, entries, linked = [], [], {}
    for d0, d1 in seg.cut([p.source for p in plan.parts], every):
        parts = plan.parts[d0:d1]
        docs = [(p.source, p.print, [t.talk_id for t in p.talks]) for p in parts]
        name = seg.segment_name(docs, made_with)
        folder = seg.path(building, name)
        folder.mkdir(parents=True)
        c0, c1 = chunk_ranges[d0][0], chunk_ranges[d1 - 1][1]
        s0, s1 = sentence_ranges[d0][0], sentence_ranges[d1 - 1][1]
        entries.append({"name": name, "chunks": c1 - c0, "sentences": s1 - s0})
        keys = {file: f"{seg.FOLDER}/{name}/{file}" for file in SEGMENT_FILES}
        if name in have and all(p.old is not None for p in parts) and all(k in old.checksums for k in keys.values()):
            assert old.segments is not None
            for file, key in keys.items():
                _link(seg.path(old.segments.generation, name) / file, folder / file)
                linked[key] = old.checksums[key]
            terms.append(old.load_terms(folder / seg.TERMS))
            continue
        terms.append(_write_segment(folder, parts, old, fresh, gist_min_terms))
        np.save(folder / seg.CHUNK_VECTORS, np.ascontiguousarray(chunk_vectors[c0:c1], dtype=np.float32))
        np.save(folder / seg.SENTENCE_VECTORS, np.ascontiguousarray(sentence_vectors[s0:s1], dtype=np.float32))
    return Written(Terms.concat(terms), entries, linked)


class _Fresh:
    """The new chunks' terms, handed out in order."""

    def __init__(self, terms: Terms) -> None:
        self.terms, self.at = terms, 0

    def take(self, count: int) -> Terms:
        self.at += count
        return self.terms.rows(self.at - count, self.at)


def _write_segment(folder: Path, parts: list[Part], old: _Old, fresh: _Fresh, gist_min_terms: int) -> Terms:
    offsets, rows = [np.zeros(1, dtype=np.int64)], []
    chunk_digests, sentence_digests, chunk_ids, terms, gist = [], [], [], [], []
    stems = WordTerms()
    n_sentences = 0
    with (folder / "chunks.jsonl").open("wb") as chunks_out, (folder / "sentences.jsonl").open("wb") as sents_out:
        for part in parts:
            if part.old is None:
                chunks, sentences = part.chunks or [], part.sentences or []
                chunks_out.write(_lines(chunks))
                sents_out.write(_lines(sentences))
                by_chunk = ChunkSentences.of(sentences_by_chunk(chunks, sentences))
                part_offsets, part_rows = by_chunk.offsets, by_chunk.rows
                chunk_digests.append(text_digests([c.embed_text for c in chunks]))
                sentence_digests.append(text_digests([s.embed_text for s in sentences]))
                chunk_ids.append(np.array([c.chunk_id for c in chunks], dtype=str))
                terms.append(fresh.take(len(chunks)))
                gist.append(GistRows.of_part(part.talks, sentences, stems))
                count_s = len(sentences)
            else:
                at, (c0, c1), (s0, s1) = old.locate(part)
                chunks_out.write(old.get(at, "chunks.jsonl").raw(c0, c1))
                sents_out.write(old.get(at, "sentences.jsonl").raw(s0, s1))
                whole = old.get(at, seg.CHUNK_SENTENCES)
                lo, hi = int(whole.offsets[c0]), int(whole.offsets[c1])
                part_offsets, part_rows = whole.offsets[c0 : c1 + 1] - lo, whole.rows[lo:hi] - s0
                keys = old.get(at, seg.EMBED_KEYS)
                chunk_digests.append(keys["chunks"][c0:c1])
                sentence_digests.append(keys["sentences"][s0:s1])
                chunk_ids.append(keys["chunk_ids"][c0:c1])
                terms.append(old.get(at, seg.TERMS).rows(c0, c1))
                stored = old.get(at, GIST)
                t0 = stored.talk_start(part.talks[0].talk_id) if part.talks else 0
                gist.append(stored.part((s0, s1), (t0, t0 + len(part.talks))))
                count_s = s1 - s0
            offsets.append(part_offsets[1:] + offsets[-1][-1])
            rows.append(part_rows + n_sentences)
            n_sentences += count_s
    flat_rows = np.concatenate(rows) if rows else np.zeros(0, dtype=np.int64)
    ChunkSentences(np.concatenate(offsets), flat_rows).save(folder / seg.CHUNK_SENTENCES)
    with (folder / seg.EMBED_KEYS).open("wb") as handle:
        np.savez(
            handle,
            chunks=_stack(chunk_digests),
            sentences=_stack(sentence_digests),
            chunk_ids=_strings(chunk_ids),
        )
    GistRows.concat(gist).save(folder / GIST, gist_min_terms)
    joined = Terms.concat(terms)
    joined.save(folder / seg.TERMS)
    return joined


def _link(source: Path, target: Path) -> None:
    """A hard link (the file is never written in place: generations share it), or a copy
    where the file system has none."""
    try:
        os.link(source, target)
    except OSError:
        shutil.copyfile(source, target)


def _strings(parts: list[np.ndarray]) -> np.ndarray:
    """Joined as `np.array(ids, dtype=str)` makes them: as wide as the longest (a kept
    document's ids come from an array of another width)."""
    ids = np.concatenate(parts) if parts else np.array([], dtype=str)
    return ids.astype(f"<U{max(1, int(np.char.str_len(ids).max()) if len(ids) else 1)}")


def _stack(parts: list[np.ndarray]) -> np.ndarray:
    return np.concatenate(parts).astype(np.uint8) if parts else np.zeros((0, 20), dtype=np.uint8)
