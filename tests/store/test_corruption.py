import json
from pathlib import Path

import pytest

from conftest import CountingEmbedder, index_file, write
from recapqa.errors import IndexCorruptError, IndexIncompatibleError, IndexMissingError
from recapqa.settings import Settings
from recapqa.store import load_index
from recapqa.store.build import build_index
from recapqa.store.files import current_generation


@pytest.fixture()
def built(settings: Settings, counting_embedder: CountingEmbedder) -> Path:
    write(settings.corpus_dir / "a.md", "## Talk A (Acme)\n\nSpeaker: Jane Doe, CEO\n\nAcme trains 40 models a day.\n")
    build_index(settings.corpus_dir, settings.index_dir, settings, lambda: counting_embedder)
    return current_generation(settings.index_dir)


def test_missing_index(tmp_path: Path) -> None:
    with pytest.raises(IndexMissingError) as err:
        load_index(tmp_path / "nothing")
    assert "recapqa index" in err.value.fix


@pytest.mark.parametrize(
    "name", ["chunk_vectors.npy", "chunks.jsonl", "sentence_vectors.npy", "talks.json", "bm25/params.index.json"]
)
def test_truncated_file_is_reported(built: Path, settings: Settings, name: str) -> None:
    path = index_file(built, name)
    path.write_bytes(path.read_bytes()[: max(1, path.stat().st_size // 2)])
    with pytest.raises(IndexCorruptError) as err:
        load_index(settings.index_dir)
    assert name in err.value.message and "--rebuild" in err.value.fix


def test_garbage_everywhere_is_reported(built: Path, settings: Settings) -> None:
    for path in built.rglob("*"):
        if path.is_file():
            path.write_bytes(b"\x00garbage" * 10)
    with pytest.raises(IndexCorruptError):
        load_index(settings.index_dir)
    (settings.index_dir / "CURRENT").write_bytes(b"\xff\xfe not a generation")
    with pytest.raises(IndexCorruptError):
        load_index(settings.index_dir)


def test_incompatible_format_is_reported(built: Path, settings: Settings) -> None:
    manifest = json.loads((built / "manifest.json").read_text())
    manifest["format_version"] = 999
    (built / "manifest.json").write_text(json.dumps(manifest))
    with pytest.raises(IndexIncompatibleError, match="999"):
        load_index(settings.index_dir)


def test_index_command_rebuilds_over_a_corrupt_index(
    built: Path, settings: Settings, counting_embedder: CountingEmbedder
) -> None:
    index_file(built, "chunk_vectors.npy").write_bytes(b"garbage")
    report = build_index(settings.corpus_dir, settings.index_dir, settings, lambda: counting_embedder)
    assert report.rebuilt and report.embedded == report.chunks
    assert len(load_index(settings.index_dir).chunks) == report.chunks


@pytest.mark.parametrize(
    ("key", "value"),
    [("model", []), ("file_stats", "x"), ("store", "file"), ("segments", ["x"]), ("segments", {"a": 1})],
)
def test_manifest_of_wrong_types_is_corrupt_and_rebuilt(
    built: Path, settings: Settings, counting_embedder: CountingEmbedder, key: str, value: object
) -> None:
    """Valid JSON with a field of the wrong type (hand-edited, another program's) is a damaged
    index: reported as such, then rebuilt by `recapqa index`, never a TypeError."""
    manifest = json.loads((built / "manifest.json").read_text())
    manifest[key] = value
    (built / "manifest.json").write_text(json.dumps(manifest))
    with pytest.raises(IndexCorruptError, match=key) as err:
        load_index(settings.index_dir)
    assert "--rebuild" in err.value.fix
    report = build_index(settings.corpus_dir, settings.index_dir, settings, lambda: counting_embedder)
    assert report.rebuilt and len(load_index(settings.index_dir).chunks) == report.chunks
