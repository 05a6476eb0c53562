"""The live assistant of a server process.

A reload builds the new assistant aside and swaps the reference; requests already running
keep the one they started with, and the old one is freed when they finish. With several
worker processes, each worker notices a new index generation (the `CURRENT` pointer
replaced by a reload on another worker, or by `recapqa index`) on its next request and
loads it: one cheap stat per request, a load only when the pointer changed."""

from __future__ import annotations

import logging
import os
import threading
from collections.abc import Callable
from pathlib import Path

from recapqa.embed import Embedder, default_embedder, precision_embedder
from recapqa.embed.onnx_export import META, encoder_dir
from recapqa.errors import IndexLoadingError, RecapqaError
from recapqa.pipeline import Assistant, query_embedder
from recapqa.settings import Settings
from recapqa.store import Index, load_index
from recapqa.store.build import ensure_index
from recapqa.store.files import POINTER, storage_error

log = logging.getLogger("recapqa.api")
Stamp = tuple[int, int, int] | None


class Engine:
    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self._assistant: Assistant | None = None
        self.load_error: RecapqaError | None = None
        self._lock = threading.Lock()  # one load at a time in this process
        self._seen: Stamp = None  # the CURRENT pointer as of the last load or check
        self._encoder: tuple[object, Callable[[], Embedder]] | None = None  # reused while unchanged

    def _folders(self) -> dict[str, Path]:
        s = self.settings
        return {"index": s.index_dir, "corpus": s.corpus_dir, "cache": s.cache_dir}

    def _stamp(self) -> Stamp:
        try:
            st = os.stat(self.settings.index_dir / POINTER)
        except OSError:
            return None
        return (st.st_ino, st.st_mtime_ns, st.st_size)

    def _assistant_for(self, repair: bool) -> Assistant:
        s = self.settings
        return self._assistant_on(
            ensure_index(s.corpus_dir, s.index_dir, s, default_embedder, notify=log.info, repair=repair)
        )

    def _assistant_on(self, index: Index) -> Assistant:
        assistant = Assistant(index, self.settings, self._query_encoder(index.precision))
        assistant.warm()
        return assistant

    def _query_encoder(self, precision: str) -> Callable[[], Embedder]:
        """The index's query encoder (of the precision it was built with), checksum-verified
        when it is loaded; a reload reuses the loaded one while the files on disk are the same
        ones (same inode and metadata)."""
        directory = self.settings.index_dir / encoder_dir(precision)
        try:
            st = os.stat(directory / "model.onnx")
            key: object = ((directory / META).read_bytes(), st.st_ino, st.st_size, st.st_mtime_ns)
        except OSError:
            key = None
        if key is not None and self._encoder is not None and self._encoder[0] == key:
            return self._encoder[1]
        # a missing or damaged query encoder is worth a WARNING: every query is slower
        s = self.settings
        factory = query_embedder(s.index_dir, log.warning, s.encoder_threads, precision)
        self._encoder = (key, factory) if key is not None and factory is not precision_embedder(precision) else None
        return factory

    def _install(self, assistant: Assistant) -> None:
        self._assistant = assistant  # one reference assignment: atomic for readers
        self.load_error = None
        self._seen = self._stamp()

    def load(self) -> Assistant:
        with self._lock:
            return self._load()

    def _load(self) -> Assistant:
        assistant = self._assistant_for(repair=True)
        self._install(assistant)
        return assistant

    def try_load(self) -> None:
        with self._lock:
            self._try_load()

    def load_in_background(self) -> threading.Thread:
        """Start loading (building first when the index is out of date) in a thread, so the
        server accepts connections at once: until the load ends, routes answer 503 with
        Retry-After (IndexLoadingError) and /readyz says it is loading. The load lock is
        taken here, so no request loads the index on its own meanwhile."""
        self._lock.acquire()

        def run() -> None:
            try:
                self._try_load()
            finally:
                self._lock.release()

        thread = threading.Thread(target=run, name="recapqa-load", daemon=True)
        thread.start()
        return thread

    def _try_load(self) -> None:
        """At start-up: nothing may stop the server (a broken corpus, a full disk); /readyz
        and every route report it until a reload or a new index succeeds."""
        try:
            self._load()
        except RecapqaError as exc:
            self.load_error = exc
        except OSError as exc:
            self.load_error = storage_error(exc, self._folders())
        except Exception:
            log.exception("index not loaded")
            self.load_error = RecapqaError("the index could not be loaded (unexpected error)", "see the server log")
        if self.load_error is not None:
            self._seen = self._stamp()
            log.error("index not loaded: %s", self.load_error)

    def reload(self) -> Assistant:
        """Refresh from the corpus. A damaged index on disk is reported, not re-embedded
        behind the caller's back; the loaded assistant keeps serving whatever happens."""
        with self._lock:
            assistant = self._assistant_for(repair=False)
            self._install(assistant)
            return assistant

    def refresh(self) -> None:
        """Load the generation another process published, if any. Never waits: while this
        process is loading, requests go on with the assistant they have."""
        stamp = self._stamp()
        if stamp == self._seen or stamp is None or not self._lock.acquire(blocking=False):
            return
        try:
            if stamp == self._seen:
                return
            current = self._assistant.index.path.name if self._assistant else None
            if (self.settings.index_dir / POINTER).read_text(encoding="utf-8").strip() != current:
                index = load_index(self.settings.index_dir)
                self._install(self._assistant_on(index))
                log.info("loaded index %s (published by another process)", index.path.name)
            self._seen = stamp
        except (RecapqaError, OSError, UnicodeDecodeError) as exc:
            self._seen = stamp  # do not retry on every request; a new pointer is retried
            log.warning("a new index appeared but cannot be loaded (%s); keeping the loaded one", exc)
        finally:
            self._lock.release()

    @property
    def assistant(self) -> Assistant:
        """The live assistant, once its memory-mapped index files are checked whole: a file
        cut short in place since the load is an IndexCorruptError (503), not a worker ended
        by SIGBUS at its next read (recapqa/mapped.py). A rebuilt index is picked up by `refresh`."""
        assistant = self._assistant
        if assistant is None:
            if self.load_error is not None:
                raise self.load_error
            raise IndexLoadingError(
                "the index is still being loaded (built first, when the notes changed)",
                "retry in a few seconds; GET /readyz says when it is ready",
            )
        assistant.index.check_files()
        return assistant

    @property
    def ready(self) -> bool:
        return self._assistant is not None
