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
from recapqa.embed import Embedder, active_model
from recapqa.errors import IndexMissingError, RecapqaError
from recapqa.ingest import load_corpus
from recapqa.sentences import document_sentences
from recapqa.settings import Settings
from recapqa.store import FORMAT_VERSION, Index, corpus_words, load_index
from recapqa.store.backends import open_backend
from recapqa.store.files import (
    DENIED,
    DISK_FULL,
    current_generation,
    read_manifest,
    remove_leftovers,
    storage_errors,
)
from recapqa.store.freshness import chunking_params, corpus_fingerprints, index_damage, staleness
from recapqa.store.interface import IndexContent
from recapqa.store.journal import EmbeddingJournal
from recapqa.store.lock import build_lock

__all__ = [
    "BuildReport",
    "build_index",
    "chunking_params",
    "corpus_fingerprints",
    "ensure_index",
    "stale",
    "staleness",
]

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
    dropped_lines: dict[str, int] | None = None  # per notes file: lines dropped as noise (see talks --outline)

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["skipped"] = [{"source": s, "reason": r} for s, r in self.skipped or []]
        return data


def stale(corpus_dir: Path, index_dir: Path, settings: Settings) -> str | None:
    """Why the index must be (re)built: `staleness`, or a file index without the corpus
    word tables this version loads (store/corpus_words.py; rebuilt, reusing every vector)."""
    reason = staleness(corpus_dir, index_dir, settings)
    if reason is None and settings.store == "file":
        try:
            manifest = read_manifest(current_generation(index_dir))
        except RecapqaError:
            return None  # it was readable a moment ago: a build published a new one since
        if not corpus_words.is_current(manifest):
            return "the index has no corpus word tables or older ones (built by an older version)"
    return reason


def _key(kind: str, text: str) -> str:
    """Cache key of an embedded text: chunks ('c') and sentences ('s') never share vectors."""
    return kind + hashlib.sha1(text.encode()).hexdigest()


def _reuse_cache(
    index_dir: Path, settings: Settings, journal: EmbeddingJournal
) -> tuple[dict[str, np.ndarray], set[str]]:
    """Vectors to reuse: the live index's, and those a killed build had computed."""
    cache = journal.load()
    try:
        old = load_index(index_dir, settings)
    except IndexMissingError:
        return cache, set()
    except RecapqaError as exc:
        log.warning("existing index unusable (%s); embedding everything again", exc.message)
        return cache, set()
    from recapqa.store.filestore import embed_keys

    stored = embed_keys(old.path) if settings.store == "file" else None
    if stored is not None:  # the texts' digests: the rows are not read
        chunk_keys, sentence_keys, ids = stored
        if len(chunk_keys) == len(old.chunks) and len(sentence_keys) == len(old.sentences):
            cache.update(zip(("c" + k for k in chunk_keys), old.store.chunk_vectors(), strict=True))
            cache.update(zip(("s" + k for k in sentence_keys), np.asarray(old.sentence_vectors), strict=True))
            return cache, set(ids)
    cache.update({_key("c", c.embed_text): v for c, v in zip(old.chunks, old.store.chunk_vectors(), strict=True)})
    cache.update({_key("s", s.embed_text): v for s, v in zip(old.sentences, old.sentence_vectors, strict=True)})
    return cache, {c.chunk_id for c in old.chunks}


def _missing(kind: str, texts: list[str], cache: dict[str, np.ndarray]) -> int:
    return sum(_key(kind, text) not in cache for text in set(texts))


def _embed(
    kind: str,
    texts: list[str],
    cache: dict[str, np.ndarray],
    embedder: Callable[[], Embedder],
    progress: Callable[[int], None] | None,
    journal: EmbeddingJournal,
    batch: int = 256,
) -> tuple[np.ndarray, int]:
    """Vectors for `texts`, embedding only those whose (kind, text) is not cached; each
    batch goes to the journal at once, so a killed build loses one batch at most."""
    keys = [_key(kind, text) for text in texts]
    first: dict[str, int] = {}
    for row, key in enumerate(keys):
        if key not in cache:
            first.setdefault(key, row)  # a text repeated in the corpus is embedded once
    missing = list(first.values())
    if missing:
        model = embedder()
        for start in range(0, len(missing), batch):
            rows = missing[start : start + batch]
            vectors = model.embed([texts[r] for r in rows])
            journal.add([keys[r] for r in rows], vectors)
            for row, vector in zip(rows, vectors, strict=True):
                cache[keys[row]] = vector
            if progress:
                progress(len(rows))
    if not keys:
        return np.zeros((0, journal.model.dimension), dtype=np.float32), 0
    return np.stack([cache[k] for k in keys]).astype(np.float32), len(missing)


def _counter(progress: Progress | None, total: int) -> Callable[[int], None] | None:
    """Chunks then sentences as one task for the caller's progress bar: (done, total)."""
    if progress is None or not total:
        return None
    done = 0

    def step(count: int) -> None:
        nonlocal done
        done += count
        progress(done, total)

    return step


def build_index(
    corpus_dir: Path,
    index_dir: Path,
    settings: Settings,
    embedder: Callable[[], Embedder],
    progress: Progress | None = None,
    force: bool = False,
    notify: Callable[[str], None] | None = None,
) -> BuildReport:
    """Build or refresh the index, one build at a time per index folder: a second caller
    waits for the first, then finds the index up to date. Disk-full and permission errors
    come out as StorageError."""
    folders = {"index": index_dir, "corpus": corpus_dir, "cache": settings.cache_dir}

    def waiting() -> None:
        (notify or log.info)("index: another process is building it; waiting for it to finish")

    with storage_errors(folders, default="index"), build_lock(index_dir, waiting):
        remove_leftovers(index_dir)
        return _build(corpus_dir, index_dir, settings, embedder, progress, force)


def _build(
    corpus_dir: Path,
    index_dir: Path,
    settings: Settings,
    embedder: Callable[[], Embedder],
    progress: Progress | None,
    force: bool,
) -> BuildReport:
    started = time.perf_counter()
    corpus = load_corpus(corpus_dir)
    chunks = [
        c for d in corpus.documents for c in chunk_document(d, settings.chunk_max_tokens, settings.chunk_overlap_tokens)
    ]
    sentences = [s for d in corpus.documents for s in document_sentences(d)]
    files = len(corpus.documents)
    if not force and stale(corpus_dir, index_dir, settings) is None:
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
            corpus.dropped_lines,
        )
    journal = EmbeddingJournal(index_dir)
    if force:
        journal.clear()
    cache, old_ids = ({}, set()) if force else _reuse_cache(index_dir, settings, journal)
    chunk_texts, sentence_texts = [c.embed_text for c in chunks], [s.embed_text for s in sentences]
    step = _counter(progress, _missing("c", chunk_texts, cache) + _missing("s", sentence_texts, cache))
    chunk_vectors, embedded = _embed("c", chunk_texts, cache, embedder, step, journal)
    sentence_vectors, sentences_embedded = _embed("s", sentence_texts, cache, embedder, step, journal)
    fingerprints = {d.document.source: d.fingerprint for d in corpus.documents}
    stats: dict[str, list[int]] = {}
    all_prints = corpus_fingerprints(corpus_dir, stats=stats)  # read in full: what the index holds
    manifest = {
        "format_version": FORMAT_VERSION,
        "model": {"name": active_model(settings).name, "dimension": active_model(settings).dimension},
        "chunking": chunking_params(settings),
        "corpus_dir": str(corpus_dir.resolve()),
        "files": all_prints,
        "file_stats": stats,  # freshness.corpus_fingerprints: unchanged files are not read again
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
    content = IndexContent(corpus.talks, chunks, sentences, chunk_vectors, sentence_vectors)
    backend = open_backend(index_dir, settings)
    if settings.store == "file":  # --rebuild counts every document again (store/corpus_words.py)
        from recapqa.store.filestore import REUSE_KEY

        manifest[REUSE_KEY] = not force
    backend.publish(content, manifest)
    journal.clear()
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
        dropped_lines=corpus.dropped_lines,
    )


def ensure_query_encoder(index_dir: Path, cache_dir: Path, force: bool) -> str:
    """Install the fast query encoder if it is missing or outdated. A failure only costs
    speed (queries take the sentence-transformers path), so it is reported, not raised."""
    from recapqa.embed.onnx_export import encoder_is_current, install_query_encoder

    if not force and encoder_is_current(index_dir, check_files=True):
        return "present"
    try:
        install_query_encoder(index_dir, cache_dir, lock=build_lock)
    except OSError as exc:
        if exc.errno in DISK_FULL | DENIED:
            raise  # the build reports it (StorageError), it does not end "successfully"
        log.warning("could not export the fast query encoder (%s); queries will use the slow path", exc.strerror)
        return f"failed: {exc.strerror}"
    except Exception as exc:
        log.warning("could not export the fast query encoder (%s); queries will use the slow path", exc)
        return f"failed: {exc}"
    return "exported"


def ensure_index(
    corpus_dir: Path,
    index_dir: Path,
    settings: Settings,
    embedder: Callable[[], Embedder],
    notify: Callable[[str], None] | None = None,
    repair: bool = True,
) -> Index:
    """Load the index, building or refreshing it first when the corpus changed. With
    `repair=False` a damaged index is reported (IndexCorruptError and kin), not rebuilt
    from scratch: a server reloading keeps its loaded index instead."""
    reason = stale(corpus_dir, index_dir, settings)
    if reason is not None:
        damage = None if repair else index_damage(index_dir, settings)
        if damage is not None:
            raise damage
        if notify:
            notify(f"index: {reason}; building it from {corpus_dir} ...")
        report = build_index(corpus_dir, index_dir, settings, embedder, force=False, notify=notify)
        if notify:
            notify(f"index: {report.chunks} chunks ({report.embedded} embedded, {report.reused} reused)")
    return load_index(index_dir, settings)
