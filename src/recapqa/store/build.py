"""Corpus -> index, incrementally: a notes file whose content is the one the live index
holds keeps its talks, chunks, sentences and vectors without being read (store/documents.py,
store/generation.py); a vector is reused whenever the exact text it embedded (talk header
included) is in the live index, so an edited file re-embeds only its changed chunks. Vectors
are reused only from an index of the build's embedding precision (RECAPQA_EMBED_PRECISION):
after a change of it, a build embeds everything again."""

from __future__ import annotations

import hashlib
import json
import logging
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from recapqa.embed import Embedder, active_model
from recapqa.errors import IndexBusyError, RecapqaError, StorageError
from recapqa.settings import Settings
from recapqa.store import FORMAT_VERSION, Index, corpus_words, load_index
from recapqa.store.backends import open_backend
from recapqa.store.documents import Plan, gather
from recapqa.store.files import (
    current_generation,
    read_manifest,
    remove_leftovers,
    storage_errors,
)
from recapqa.store.freshness import Stale, chunking_params, corpus_fingerprints, index_damage, staleness
from recapqa.store.interface import IndexContent
from recapqa.store.journal import EmbeddingJournal
from recapqa.store.lock import build_lock
from recapqa.store.query_encoder import ensure_query_encoder, live_precision
from recapqa.store.vector_reuse import assemble_vectors, previous_index, reuse_cache

__all__ = [
    "BuildReport",
    "Stale",
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
    precision: str = "fp32"  # the embedding precision of the index (RECAPQA_EMBED_PRECISION)
    precision_was: str | None = None  # the live index's, when this build changed it (everything re-embedded)
    dropped_lines: dict[str, int] | None = None  # files that dropped any: lines dropped as noise (talks --outline)

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["skipped"] = [{"source": s, "reason": r} for s, r in self.skipped or []]
        return data


def stale(corpus_dir: Path, index_dir: Path, settings: Settings) -> Stale | None:
    """Why the index must be (re)built: `staleness`, or a file index without the corpus
    word tables this version loads (store/corpus_words.py; rebuilt, reusing every vector)."""
    reason = staleness(corpus_dir, index_dir, settings)
    if reason is None and settings.store == "file":
        try:
            manifest = read_manifest(current_generation(index_dir))
        except RecapqaError:
            return None  # it was readable a moment ago: a build published a new one since
        if not corpus_words.is_current(manifest):
            return Stale("the index has no corpus word tables or older ones (built by an older version)")
    return reason


def build_index(
    corpus_dir: Path,
    index_dir: Path,
    settings: Settings,
    embedder: Callable[[], Embedder],
    progress: Progress | None = None,
    force: bool = False,
    notify: Callable[[str], None] | None = None,
    wait: bool = True,
) -> BuildReport:
    """Build or refresh the index, one build at a time per index folder: a second caller
    waits for the first (up to RECAPQA_BUILD_LOCK_TIMEOUT; not at all without `wait`, then
    IndexBusyError), then finds the index up to date. Disk-full and permission errors
    come out as StorageError."""
    folders = {"index": index_dir, "corpus": corpus_dir, "cache": settings.cache_dir}

    seconds = settings.build_lock_timeout if wait else 0.0

    def waiting() -> None:
        (notify or log.info)(
            f"index: another process is building it; waiting up to {seconds:g} s for it to finish "
            "(RECAPQA_BUILD_LOCK_TIMEOUT)"
        )

    with storage_errors(folders, default="index"), build_lock(index_dir, waiting if wait else None, seconds):
        remove_leftovers(index_dir)
        return _build(corpus_dir, index_dir, settings, embedder, progress, force, notify or log.info)


def _build(
    corpus_dir: Path,
    index_dir: Path,
    settings: Settings,
    embedder: Callable[[], Embedder],
    progress: Progress | None,
    force: bool,
    notify: Callable[[str], None],
) -> BuildReport:
    started = time.perf_counter()
    precision = settings.embed_precision
    was = live_precision(index_dir, settings)
    switched = was if was is not None and was != precision else None
    reason = None if force else stale(corpus_dir, index_dir, settings)
    if not force and switched is None and reason is None:  # the counts
        plan = _indexed(corpus_dir, index_dir, settings)
        encoder = ensure_query_encoder(index_dir, settings.cache_dir, force=False, precision=precision)
        return _report(plan, started, embedded=0, rebuilt=False, query_encoder=encoder, precision=precision)
    if reason is not None and reason.older:
        notify(f"index: {reason.reason}; building it again with this version")
    if switched is not None:
        notify(
            f"index: embedding precision {switched} -> {precision} (RECAPQA_EMBED_PRECISION): "
            "every chunk and sentence is embedded again"
        )
    journal = EmbeddingJournal(index_dir, precision=precision)
    if force:
        journal.clear()
    force = force or switched is not None  # no vector of the other precision is reused
    gone = None
    if settings.store == "postgres":  # the live generation's rows are read by segment, when needed
        from recapqa.store.postgres import PostgresBackend
        from recapqa.store.postgres_reuse import plan_on_live

        database = open_backend(index_dir, settings)
        assert isinstance(database, PostgresBackend)
        plan, cache, gone = plan_on_live(database, corpus_dir, settings, journal, force)
    else:
        old = None if force else previous_index(index_dir, settings)  # checksum-verified
        cache = reuse_cache(old, settings, journal)
        reusable = old is not None and "c" in cache.old
        live = (old.path, old.manifest, list(old.talks.values())) if old and reusable else (None, None, None)
        plan = gather(corpus_dir, settings, live[0], live[1], live[2])
    vectors = assemble_vectors(plan, cache, embedder, progress, journal)
    if gone is not None:  # the old chunk ids of changed and deleted files no longer there
        vectors.removed = len(gone - {c.chunk_id for p in plan.parts for c in p.chunks or []})
    talks, chunks, sentences = plan.talks, plan.rows("chunks"), plan.rows("sentences")
    files = len(plan.parts)
    manifest = {
        "format_version": FORMAT_VERSION,
        "model": {
            "name": active_model(settings).name,
            "dimension": active_model(settings).dimension,
            "precision": precision,  # its query encoder's too (Index.precision)
        },
        "chunking": chunking_params(settings),
        "corpus_dir": str(corpus_dir.resolve()),
        "files": plan.prints,
        "file_stats": plan.stats,  # freshness.corpus_fingerprints: unchanged files are not read again
        "indexed_files": sorted(p.source for p in plan.parts),
        "corpus_hash": hashlib.sha256(json.dumps(plan.prints, sort_keys=True).encode()).hexdigest()[:16],
        "counts": {"files": files, "talks": len(talks), "chunks": len(chunks), "sentences": len(sentences)},
        "built_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
    }
    content = IndexContent(talks, chunks, sentences, vectors.chunks, vectors.sentences, plan)
    backend = open_backend(index_dir, settings)
    if settings.store == "file":  # --rebuild counts every document again (store/corpus_words.py)
        from recapqa.store.filestore import REUSE_KEY

        manifest[REUSE_KEY] = not force
    backend.publish(content, manifest)
    journal.clear()
    encoder = ensure_query_encoder(index_dir, settings.cache_dir, force=force, precision=precision)
    more = {"query_encoder": encoder, "precision": precision, "precision_was": switched}
    return _report(plan, started, vectors.embedded, vectors.sentences_embedded, vectors.removed, **more)


def _report(
    plan: Plan, started: float, embedded: int, sentences_embedded: int = 0, removed: int = 0, **more: Any
) -> BuildReport:
    chunks = sum(p.count("chunks") for p in plan.parts)  # kept documents' rows are not read
    return BuildReport(
        files=len(plan.parts),
        talks=len(plan.talks),
        chunks=chunks,
        embedded=embedded,
        reused=chunks - embedded,
        removed=removed,
        seconds=round(time.perf_counter() - started, 3),
        sentences_embedded=sentences_embedded,
        skipped=plan.skipped,
        dropped_lines={p.source: p.dropped for p in plan.parts if p.dropped},  # not 10k zeros
        **more,
    )


def _indexed(corpus_dir: Path, index_dir: Path, settings: Settings) -> Plan:
    """The documents of an up-to-date index, none parsed (read from its record)."""
    if settings.store != "postgres":
        return gather(corpus_dir, settings, *_live(index_dir))
    from recapqa.store.postgres import PostgresBackend

    database = open_backend(index_dir, settings)
    assert isinstance(database, PostgresBackend)
    manifest, talks, reuse = database.live_record()
    return gather(corpus_dir, settings, None, manifest, talks, reuse=reuse)


def _live(index_dir: Path) -> tuple[Path | None, dict[str, Any] | None]:
    """The live generation and its manifest (a stale() check has just verified them)."""
    try:
        generation = current_generation(index_dir)
        return generation, read_manifest(generation)
    except RecapqaError:
        return None, None


def ensure_index(
    corpus_dir: Path,
    index_dir: Path,
    settings: Settings,
    embedder: Callable[[], Embedder],
    notify: Callable[[str], None] | None = None,
    repair: bool = True,
    stale_ok: bool = False,
) -> Index:
    """Load the index, building or refreshing it first when the corpus changed. With
    `repair=False` a damaged index is reported (IndexCorruptError and kin), not rebuilt
    from scratch: a server reloading keeps its loaded index instead. With `stale_ok`, a
    refresh the disk refuses (read-only, full) or another process is already running leaves
    the index as last built, said so on `notify`, when that index still loads (with none to
    answer from, it waits for the other build)."""
    reason = stale(corpus_dir, index_dir, settings)
    if reason is not None:
        damage = None if repair else index_damage(index_dir, settings)
        if damage is not None:
            raise damage
        if notify and not reason.older:  # the build says that one
            notify(f"index: {reason.reason}; building it from {corpus_dir} ...")
        try:
            report = build_index(corpus_dir, index_dir, settings, embedder, notify=notify, wait=not stale_ok)
        except IndexBusyError:  # only without waiting: the other build's result is not needed now
            old = _last_built(index_dir, settings)
            if old is not None:
                (notify or log.warning)(f"warning: another process is refreshing the index; {BUSY_INDEX}")
                return old
            report = build_index(corpus_dir, index_dir, settings, embedder, notify=notify)
        except StorageError as exc:
            old = _last_built(index_dir, settings) if stale_ok else None
            if old is None:
                raise
            (notify or log.warning)(f"warning: {exc.message}, so the index cannot be refreshed; {OLD_INDEX}")
            return old
        if notify:
            notify(f"index: {report.chunks} chunks ({report.embedded} embedded, {report.reused} reused)")
    return load_index(index_dir, settings)


OLD_INDEX = "answering from the index as last built (run `recapqa index` once the folder is writable)"
BUSY_INDEX = "answering from the index as last built, without the newest notes until that refresh ends"


def _last_built(index_dir: Path, settings: Settings) -> Index | None:
    """The index as it is, when it loads (not when it is missing, damaged or incompatible)."""
    try:
        return load_index(index_dir, settings)
    except RecapqaError:
        return None
