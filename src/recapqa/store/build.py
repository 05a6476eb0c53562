"""Corpus -> index, incrementally: a vector is reused whenever the exact text it embedded
(talk header included) is already in the live index, so an unchanged file costs nothing
and an edited file re-embeds only its changed chunks."""

from __future__ import annotations

import hashlib
import json
import logging
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import numpy as np

from recapqa.chunking import chunk_document
from recapqa.embed import DIMENSION, MODEL_NAME, Embedder
from recapqa.errors import IndexMissingError, RecapqaError
from recapqa.ingest import corpus_files, load_corpus
from recapqa.ingest.sidecar import sidecar_path
from recapqa.sentences import document_sentences
from recapqa.settings import Settings
from recapqa.store import FORMAT_VERSION, PIPELINE_VERSION, Index, check_compatible, load_index
from recapqa.store.files import (
    current_generation,
    new_generation,
    publish,
    read_manifest,
    verify_checksums,
)
from recapqa.store.lexical import LexicalIndex
from recapqa.store.vectors import FaissStore
from recapqa.tokens import ENCODING_NAME

log = logging.getLogger(__name__)
Progress = Callable[[int, int], None]


@dataclass
class BuildReport:
    files: int
    talks: int
    chunks: int
    embedded: int
    reused: int
    removed: int
    seconds: float
    sentences_embedded: int = 0
    skipped: list[tuple[str, str]] | None = None
    rebuilt: bool = True
    query_encoder: str = "present"

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["skipped"] = [{"source": s, "reason": r} for s, r in self.skipped or []]
        return data


def chunking_params(settings: Settings) -> dict[str, Any]:
    return {
        "max_tokens": settings.chunk_max_tokens,
        "overlap_tokens": settings.chunk_overlap_tokens,
        "encoding": ENCODING_NAME,
        "pipeline": PIPELINE_VERSION,
    }


def corpus_fingerprints(corpus_dir: Path) -> dict[str, str]:
    """Per-file content hash (notes file + its sidecar), cheap enough to check every run."""
    prints = {}
    for path in corpus_files(corpus_dir):
        digest = hashlib.sha256(path.read_bytes())
        sidecar = sidecar_path(path)
        if sidecar.is_file():
            digest.update(sidecar.read_bytes())
        prints[path.relative_to(corpus_dir).as_posix()] = digest.hexdigest()
    return prints


def staleness(corpus_dir: Path, index_dir: Path, settings: Settings) -> str | None:
    """Why the index must be (re)built, or None when it is up to date."""
    try:
        generation = current_generation(index_dir)
        manifest = read_manifest(generation)
        check_compatible(manifest)
        verify_checksums(generation, manifest)
    except IndexMissingError:
        return "no index yet"
    except RecapqaError as exc:
        return exc.message
    if manifest.get("chunking") != chunking_params(settings):
        return "chunking settings changed"
    if manifest.get("files") != corpus_fingerprints(corpus_dir):
        return "corpus changed"
    return None


def _key(kind: str, text: str) -> str:
    """Cache key of an embedded text: chunks ('c') and sentences ('s') never share vectors."""
    return kind + hashlib.sha1(text.encode()).hexdigest()


def _reuse_cache(index_dir: Path) -> tuple[dict[str, np.ndarray], set[str]]:
    try:
        old = load_index(index_dir)
    except IndexMissingError:
        return {}, set()
    except RecapqaError as exc:
        log.warning("existing index unusable (%s); embedding everything again", exc.message)
        return {}, set()
    cache = {_key("c", c.embed_text): v for c, v in zip(old.chunks, old.vectors.all_vectors(), strict=True)}
    cache.update({_key("s", s.embed_text): v for s, v in zip(old.sentences, old.sentence_vectors, strict=True)})
    return cache, {c.chunk_id for c in old.chunks}


def _embed(
    kind: str,
    texts: list[str],
    cache: dict[str, np.ndarray],
    embedder: Callable[[], Embedder],
    progress: Progress | None,
    batch: int = 64,
) -> tuple[np.ndarray, int]:
    """Vectors for `texts`, embedding only those whose (kind, text) is not cached."""
    keys = [_key(kind, text) for text in texts]
    missing = [i for i, key in enumerate(keys) if key not in cache]
    if missing:
        model = embedder()
        for start in range(0, len(missing), batch):
            rows = missing[start : start + batch]
            for row, vector in zip(rows, model.embed([texts[r] for r in rows]), strict=True):
                cache[keys[row]] = vector
            if progress:
                progress(min(start + batch, len(missing)), len(missing))
    if not keys:
        return np.zeros((0, DIMENSION), dtype=np.float32), 0
    return np.stack([cache[k] for k in keys]).astype(np.float32), len(missing)


def build_index(
    corpus_dir: Path,
    index_dir: Path,
    settings: Settings,
    embedder: Callable[[], Embedder],
    progress: Progress | None = None,
    force: bool = False,
) -> BuildReport:
    started = time.perf_counter()
    corpus = load_corpus(corpus_dir)
    chunks = [
        c for d in corpus.documents for c in chunk_document(d, settings.chunk_max_tokens, settings.chunk_overlap_tokens)
    ]
    sentences = [s for d in corpus.documents for s in document_sentences(d)]
    files = len(corpus.documents)
    if not force and staleness(corpus_dir, index_dir, settings) is None:
        encoder = ensure_query_encoder(index_dir, settings.cache_dir, force=False)
        return BuildReport(
            files,
            len(corpus.talks),
            len(chunks),
            0,
            len(chunks),
            0,
            round(time.perf_counter() - started, 3),
            0,
            corpus.skipped,
            False,
            encoder,
        )
    cache, old_ids = ({}, set()) if force else _reuse_cache(index_dir)
    chunk_vectors, embedded = _embed("c", [c.embed_text for c in chunks], cache, embedder, progress)
    sentence_vectors, sentences_embedded = _embed("s", [s.embed_text for s in sentences], cache, embedder, None)
    building = new_generation(index_dir)
    store = FaissStore(DIMENSION)
    store.add(chunk_vectors)
    store.save(building / "vectors.faiss")
    np.save(building / "sentence_vectors.npy", sentence_vectors, allow_pickle=False)
    _write_jsonl(building / "chunks.jsonl", [c.to_dict() for c in chunks])
    _write_jsonl(building / "sentences.jsonl", [s.to_dict() for s in sentences])
    (building / "talks.json").write_text(json.dumps([t.to_dict() for t in corpus.talks], indent=1))
    LexicalIndex.build([c.embed_text for c in chunks]).save(building / "bm25")
    fingerprints = {d.document.source: d.fingerprint for d in corpus.documents}
    all_prints = corpus_fingerprints(corpus_dir)
    manifest = {
        "format_version": FORMAT_VERSION,
        "model": {"name": MODEL_NAME, "dimension": DIMENSION},
        "chunking": chunking_params(settings),
        "corpus_dir": str(corpus_dir.resolve()),
        "files": all_prints,
        "indexed_files": sorted(fingerprints),
        "corpus_hash": hashlib.sha256(json.dumps(all_prints, sort_keys=True).encode()).hexdigest()[:16],
        "counts": {
            "files": files,
            "talks": len(corpus.talks),
            "chunks": len(chunks),
            "sentences": len(sentences),
        },
        "built_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
    }
    publish(index_dir, building, manifest)
    encoder = ensure_query_encoder(index_dir, settings.cache_dir, force=force)
    new_ids = {c.chunk_id for c in chunks}
    return BuildReport(
        files=files,
        talks=len(corpus.talks),
        chunks=len(chunks),
        embedded=embedded,
        reused=len(chunks) - embedded,
        removed=len(old_ids - new_ids),
        seconds=round(time.perf_counter() - started, 3),
        sentences_embedded=sentences_embedded,
        skipped=corpus.skipped,
        query_encoder=encoder,
    )


def ensure_query_encoder(index_dir: Path, cache_dir: Path, force: bool) -> str:
    """Install the fast query encoder if it is missing or outdated. A failure only costs
    speed (queries take the sentence-transformers path), so it is reported, not raised."""
    from recapqa.embed.onnx_export import encoder_is_current, install_query_encoder

    if not force and encoder_is_current(index_dir):
        return "present"
    try:
        install_query_encoder(index_dir, cache_dir)
    except Exception as exc:
        log.warning("could not export the fast query encoder (%s); queries will use the slow path", exc)
        return f"failed: {exc}"
    return "exported"


def _write_jsonl(path: Path, rows: list[dict[str, Any]]) -> None:
    with path.open("w", encoding="utf-8") as handle:
        for row in rows:
            handle.write(json.dumps(row, ensure_ascii=False) + "\n")


def ensure_index(
    corpus_dir: Path,
    index_dir: Path,
    settings: Settings,
    embedder: Callable[[], Embedder],
    notify: Callable[[str], None] | None = None,
) -> Index:
    """Load the index, building or refreshing it first when the corpus changed."""
    reason = staleness(corpus_dir, index_dir, settings)
    if reason is not None:
        if notify:
            notify(f"index: {reason}; building it from {corpus_dir} ...")
        report = build_index(corpus_dir, index_dir, settings, embedder, force=False)
        if notify:
            notify(f"index: {report.chunks} chunks ({report.embedded} embedded, {report.reused} reused)")
    return load_index(index_dir)
