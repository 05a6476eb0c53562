"""`staleness` does not read notes files whose size, times and inode are those the manifest
recorded; any other change is decided by the content hash, as before."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from conftest import CountingEmbedder, write
from recapqa.settings import Settings
from recapqa.store import freshness
from recapqa.store.build import Stale, build_index, staleness


@pytest.fixture()
def reads(monkeypatch: pytest.MonkeyPatch) -> list[Path]:
    read: list[Path] = []
    original = freshness._digest

    def counting(path: Path) -> str:
        read.append(path)
        return original(path)

    monkeypatch.setattr(freshness, "_digest", counting)
    return read


@pytest.fixture()
def settled(monkeypatch: pytest.MonkeyPatch) -> None:
    """Files count as written long enough ago for their stat to be trusted (RACY_NS)."""
    monkeypatch.setattr(freshness, "RACY_NS", 0)


def test_unchanged_files_are_not_read(
    settings: Settings, counting_embedder: CountingEmbedder, reads: list[Path], settled: None
) -> None:
    for name in ("a.md", "b.md"):
        write(settings.corpus_dir / name, f"## Talk {name} (Acme)\n\nAcme trains 40 models a day.\n")
    build_index(settings.corpus_dir, settings.index_dir, settings, lambda: counting_embedder)
    reads.clear()
    assert staleness(settings.corpus_dir, settings.index_dir, settings) is None
    assert reads == []


def test_same_size_and_mtime_still_detected(
    settings: Settings, counting_embedder: CountingEmbedder, reads: list[Path], settled: None
) -> None:
    path = write(settings.corpus_dir / "a.md", "## Talk A (Acme)\n\nAcme trains 40 models a day.\n")
    build_index(settings.corpus_dir, settings.index_dir, settings, lambda: counting_embedder)
    reads.clear()
    before = path.stat()
    path.write_text(path.read_text().replace("40", "41"))  # same size
    os.utime(path, ns=(before.st_atime_ns, before.st_mtime_ns))  # same mtime: the ctime moved
    assert staleness(settings.corpus_dir, settings.index_dir, settings) == Stale("corpus changed")
    assert reads == [path]


def test_files_written_just_before_the_build_are_read_again(
    settings: Settings, counting_embedder: CountingEmbedder, reads: list[Path]
) -> None:
    """A file changed within RACY_NS of the build may change again in the same clock tick:
    its stat is not recorded, so every check reads it."""
    path = write(settings.corpus_dir / "a.md", "## Talk A (Acme)\n\nAcme trains 40 models a day.\n")
    build_index(settings.corpus_dir, settings.index_dir, settings, lambda: counting_embedder)
    reads.clear()
    assert staleness(settings.corpus_dir, settings.index_dir, settings) is None
    assert reads == [path]


def test_a_sidecar_change_is_seen(settings: Settings, counting_embedder: CountingEmbedder, settled: None) -> None:
    path = write(settings.corpus_dir / "a.md", "## Talk A (Acme)\n\nAcme trains 40 models a day.\n")
    build_index(settings.corpus_dir, settings.index_dir, settings, lambda: counting_embedder)
    sidecar = freshness.sidecar_path(path)
    write(sidecar, "Talk A:\n  track: ML\n")
    assert staleness(settings.corpus_dir, settings.index_dir, settings) == Stale("corpus changed")
