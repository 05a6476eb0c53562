"""Builds that share an index folder, get killed, or hit the disk's limits."""

from __future__ import annotations

import contextlib
import errno
import threading
from pathlib import Path

import numpy as np
import pytest

from conftest import CountingEmbedder, write
from recapqa.errors import IndexBusyError
from recapqa.settings import Settings
from recapqa.store import load_index
from recapqa.store.build import build_index, ensure_index, stale
from recapqa.store.files import POINTER, storage_error
from recapqa.store.journal import EmbeddingJournal
from recapqa.store.lock import build_lock

NOTES = "## Talk A (Acme)\n\nSpeaker: Jane Doe, CEO of Acme\n\nAcme trains 40 models a day.\n\nThey use Kafka.\n"


def test_concurrent_builds_of_one_folder_run_one_after_the_other(
    settings: Settings, counting_embedder: CountingEmbedder
) -> None:
    write(settings.corpus_dir / "a.md", NOTES)
    reports = []

    def build() -> None:
        reports.append(build_index(settings.corpus_dir, settings.index_dir, settings, lambda: counting_embedder))

    threads = [threading.Thread(target=build) for _ in range(3)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(r.rebuilt for r in reports) == [False, False, True], "one builds, the others find it done"
    assert len(list(settings.index_dir.glob("gen-*"))) == 1
    assert load_index(settings.index_dir).chunks


def test_the_lock_is_exclusive_and_says_when_it_waits(tmp_path: Path) -> None:
    waited: list[bool] = []
    acquired: list[bool] = []

    def second() -> None:
        with build_lock(tmp_path, lambda: waited.append(True)):
            acquired.append(True)

    with build_lock(tmp_path):
        other = threading.Thread(target=second)
        other.start()
        while not waited:  # the second taker is blocked, and was told so
            other.join(0.01)
        assert not acquired
    other.join()
    assert acquired == [True]


def test_leftovers_of_killed_builds_are_removed(settings: Settings, counting_embedder: CountingEmbedder) -> None:
    write(settings.corpus_dir / "a.md", NOTES)
    (settings.index_dir / ".building-20260101T000000-dead00").mkdir(parents=True)
    (settings.index_dir / ".building-20260101T000000-dead00" / "vectors.faiss").write_bytes(b"half")
    (settings.index_dir / f".{POINTER}.dead00").write_text("gen-x\n")
    build_index(settings.corpus_dir, settings.index_dir, settings, lambda: counting_embedder)
    names = {p.name for p in settings.index_dir.iterdir()}
    assert not [n for n in names if n.startswith((".building-", f".{POINTER}."))], names


def test_journal_vectors_are_reused_and_cleared(settings: Settings, counting_embedder: CountingEmbedder) -> None:
    write(settings.corpus_dir / "a.md", NOTES)

    class Dying(CountingEmbedder):
        """Embeds the chunks, then the process 'dies' on the sentences."""

        def embed(self, texts):  # type: ignore[no-untyped-def]
            if self.calls:
                raise KeyboardInterrupt
            return super().embed(texts)

    dying = Dying()
    with contextlib.suppress(KeyboardInterrupt):
        build_index(settings.corpus_dir, settings.index_dir, settings, lambda: dying)
    journal = EmbeddingJournal(settings.index_dir)
    saved = journal.load()
    assert len(saved) == dying.calls[0] > 0
    report = build_index(settings.corpus_dir, settings.index_dir, settings, lambda: counting_embedder)
    assert report.embedded == 0 and report.reused == report.chunks, "the chunk vectors came from the journal"
    assert report.sentences_embedded > 0
    assert not journal.folder.exists()


def test_an_unreadable_journal_batch_is_skipped(tmp_path: Path) -> None:
    journal = EmbeddingJournal(tmp_path)
    journal.add(["c1", "c2"], np.ones((2, 384), dtype=np.float32))
    (journal.folder / "batch-garbled.npz").write_bytes(b"PK\x03\x04 not a zip")
    assert set(journal.load()) == {"c1", "c2"}


def test_storage_errors_name_the_folder_not_the_path(tmp_path: Path) -> None:
    index = tmp_path / "srv" / "index"
    full = storage_error(OSError(errno.ENOSPC, "No space left on device"), {"index": index}, default="index")
    assert full.message == "no space left on the disk of the index folder" and "RECAPQA_INDEX_DIR" in full.fix
    copy = OSError(errno.ENOSPC, "No space left on device", str(tmp_path / "cache" / "m"), None, str(index / "m"))
    assert "index folder" in storage_error(copy, {"index": index, "cache": tmp_path / "cache"}).message
    denied = storage_error(PermissionError(errno.EACCES, "Permission denied", str(index / "CURRENT")), {"index": index})
    assert "index folder cannot be read or written" in denied.message
    for error in (full, denied):
        assert str(tmp_path) not in error.message + error.fix


def test_a_stale_index_answers_as_last_built_while_another_process_refreshes_it(
    settings: Settings, counting_embedder: CountingEmbedder
) -> None:
    """`ask` finding the notes changed while another process holds the build lock (a long
    `recapqa index`) answers from the index as last built, says so, and does not wait; with
    no index to answer from, it waits for that build (here: gives up after the timeout)."""
    settings = settings.model_copy(update={"build_lock_timeout": 2.0})
    write(settings.corpus_dir / "a.md", "## Talk A (Acme)\n\nAcme trains 40 models a day.\n")
    build_index(settings.corpus_dir, settings.index_dir, settings, lambda: counting_embedder)
    write(settings.corpus_dir / "b.md", "## Talk B (Bolt)\n\nBolt ships 3 releases a week.\n")
    said: list[str] = []
    with build_lock(settings.index_dir):
        index = ensure_index(
            settings.corpus_dir, settings.index_dir, settings, lambda: counting_embedder, said.append, stale_ok=True
        )
        with pytest.raises(IndexBusyError):  # nothing to answer from in another folder: it waits, then gives up
            fresh = settings.model_copy(update={"index_dir": settings.index_dir.parent / "other"})
            with build_lock(fresh.index_dir):
                ensure_index(fresh.corpus_dir, fresh.index_dir, fresh, lambda: counting_embedder, stale_ok=True)
    assert [t.title for t in index.talks.values()] == ["Talk A"]  # the index as last built
    assert any("another process is refreshing the index; answering from the index as last built" in m for m in said)
    assert not any("waiting up to" in m for m in said)
    assert stale(settings.corpus_dir, settings.index_dir, settings) is not None  # refreshed by the next one
