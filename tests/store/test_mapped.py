"""Index files memory-mapped (recapqa/mapped.py): the chunk vectors are a read-only mapping of
the segment file, not a copy in the process; a mapped file cut short in place is reported
by `Index.check_files` instead of ending the process at its next read; a file deleted by a
newer generation stays readable."""

from __future__ import annotations

import json
import os
import resource
import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest

from conftest import assistant_over, index_file, mapped_paths
from recapqa.embed import Embedder
from recapqa.embed.onnx_encoder import OnnxQueryEncoder
from recapqa.embed.onnx_export import ENCODER_DIR, WEIGHTS
from recapqa.errors import IndexCorruptError
from recapqa.mapped import check, load_npy, map_file, raise_open_file_limit
from recapqa.settings import Settings
from recapqa.store import load_index
from recapqa.store import rows as rows_module
from recapqa.store import segments as seg
from recapqa.store.files import REBUILD_FIX, current_generation
from recapqa.store.rows import JsonlRows

NOTES = {
    "acme.md": "## Vector Search at Acme (Acme)\n\nSpeaker: Ada Lovelace, CTO of Acme\n\n"
    "Acme stores 25 billion vectors. The index is rebuilt every night.\n",
    "zeta.md": "## Feature Stores at Zeta (Zeta)\n\nSpeaker: Alan Turing, Zeta\n\n"
    "Zeta serves 40 thousand features per second from its feature store.\n",
}


@pytest.fixture()
def built(settings: Settings, embedder_factory: Callable[[], Embedder]) -> Settings:
    assistant_over(settings, NOTES, embedder_factory)
    return settings


def test_chunk_vectors_are_a_read_only_mapping_of_the_segment_file(built: Settings) -> None:
    index = load_index(built.index_dir)
    generation = current_generation(built.index_dir)
    entries = json.loads((generation / "manifest.json").read_text())[seg.MANIFEST_KEY]
    assert len(entries) == 1  # two notes files: one segment
    file = index_file(generation, "chunk_vectors.npy")
    vectors = index.store.chunk_vectors()
    assert str(file) in mapped_paths()
    assert vectors.flags.writeable is False
    assert vectors.shape == (len(index.chunks), 384)
    assert np.array_equal(vectors, np.load(file))
    with pytest.raises(ValueError, match="read-only"):
        vectors[0, 0] = 1.0
    hits = index.store.search(np.asarray(vectors[1]), 2)
    assert hits[0][0] == 1 and hits[0][1] == pytest.approx(1.0, abs=1e-5)


def test_the_bm25_score_matrix_is_mapped_and_watched(built: Settings) -> None:
    index = load_index(built.index_dir)
    generation = current_generation(built.index_dir)
    matrix = generation / "bm25" / "data.csc.index.npy"
    assert str(matrix) in mapped_paths()
    hits = index.store.search_text("feature store", 2)
    assert [index.chunks[row].source for row, _ in hits] == ["zeta.md", "acme.md"]  # 'stores' too
    os.truncate(matrix, 10)
    with pytest.raises(IndexCorruptError, match=r"index file bm25/data\.csc\.index\.npy .* was cut short"):
        index.check_files()


def test_load_npy_gives_what_np_load_gives(tmp_path: Path) -> None:
    arrays = {
        "rows": np.arange(12, dtype=np.float32).reshape(3, 4),
        "fortran": np.asfortranarray(np.arange(6, dtype=np.int64).reshape(2, 3)),
        "empty": np.zeros((0, 384), dtype=np.float32),
        "bytes": np.array([b"ab", b"c"], dtype="S2"),
    }
    for name, array in arrays.items():
        np.save(tmp_path / f"{name}.npy", array)
        loaded = load_npy(tmp_path / f"{name}.npy")
        assert loaded.dtype == array.dtype and loaded.shape == array.shape and np.array_equal(loaded, array)
        assert loaded.flags.writeable is False


def test_a_file_shorter_than_its_header_is_a_value_error(tmp_path: Path) -> None:
    path = tmp_path / "short.npy"
    np.save(path, np.ones((10, 4), dtype=np.float32))
    path.write_bytes(path.read_bytes()[:-4])
    with pytest.raises(ValueError, match=r"short\.npy is shorter than its header says"):
        load_npy(path)


def test_a_mapped_file_cut_short_in_place_is_reported_not_read(built: Settings) -> None:
    index = load_index(built.index_dir)
    generation = current_generation(built.index_dir)
    index.check_files()  # whole: nothing raised
    file = index_file(generation, "chunk_vectors.npy")
    size = file.stat().st_size
    os.truncate(file, 100)
    with pytest.raises(IndexCorruptError) as caught:
        index.check_files()
    name = f"segments/{file.parent.name}/chunk_vectors.npy"
    assert caught.value.message == (
        f"index file {name} in {generation.name} was cut short while in use (100 of {size} bytes)"
    )
    assert "--rebuild" in caught.value.fix


def test_the_query_encoders_weights_cut_short_in_place_are_reported_not_read(built: Settings) -> None:
    """onnxruntime maps the weights itself: a read past their new end would end the process."""
    weights = built.index_dir / ENCODER_DIR / WEIGHTS
    copy = weights.with_name("weights.bak")
    shutil.copyfile(weights, copy)  # the file may be a hard link to the machine's model cache:
    os.replace(copy, weights)  # this index gets its own copy before it is cut short
    shutil.copyfile(weights, copy)
    index = load_index(built.index_dir)
    encoder = OnnxQueryEncoder(built.index_dir)
    assert str(weights) in mapped_paths()
    index.check_files()
    size = weights.stat().st_size
    try:
        os.truncate(weights, 1000)
        with pytest.raises(IndexCorruptError) as caught:
            index.check_files()
        assert caught.value.message.startswith(f"index file {WEIGHTS} in {ENCODER_DIR} ")
        assert caught.value.message.endswith(f"was cut short while in use (1000 of {size} bytes)")
    finally:
        shutil.copyfile(copy, weights)
        copy.unlink()
    assert encoder.embed(["still whole"]).shape == (1, 384)


def test_a_deleted_mapped_file_stays_readable_and_whole(tmp_path: Path) -> None:
    """What a new generation does to the old one's files: they are unlinked, not cut short."""
    folder = tmp_path / "gen-1"
    folder.mkdir()
    np.save(folder / "v.npy", np.arange(8, dtype=np.float32))
    (folder / "rows.jsonl").write_text('{"a": 1}\n')
    vectors, rows = load_npy(folder / "v.npy"), map_file(folder / "rows.jsonl")
    (folder / "v.npy").unlink()
    (folder / "rows.jsonl").unlink()
    check([folder], REBUILD_FIX)
    assert vectors.tolist() == list(range(8)) and bytes(rows) == b'{"a": 1}\n'


def test_parsed_rows_are_kept_up_to_a_bound(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A worker answering for months does not end up holding every row as Python objects."""
    monkeypatch.setattr(rows_module, "PARSED_ROWS_KEPT", 2)
    path = tmp_path / "rows.jsonl"
    path.write_text("".join(json.dumps({"n": n}) + "\n" for n in range(4)))
    rows = JsonlRows(path, dict)
    first = rows[0]
    assert rows[0] is first  # kept
    assert [rows[1], rows[2], rows[3]] == [{"n": 1}, {"n": 2}, {"n": 3}]  # the third forgets the first two
    assert rows[0] == first and rows[0] is not first


def test_running_out_of_descriptors_is_the_machines_limit_not_a_corrupt_index(built: Settings) -> None:
    """Each mapped index file keeps a descriptor: EMFILE while loading is a StorageError
    saying to raise the limit, not an IndexCorruptError saying to rebuild. (In a fresh
    process: in this one, earlier tests' mappings freed mid-load would make room.)"""
    script = (
        "import os, resource, sys\n"
        "from pathlib import Path\n"
        "from recapqa.errors import RecapqaError\n"
        "from recapqa.store import load_index\n"
        "soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)\n"
        "resource.setrlimit(resource.RLIMIT_NOFILE, (len(os.listdir('/proc/self/fd')) + 3, hard))\n"
        "try:\n"
        "    load_index(Path(sys.argv[1]))\n"
        "except RecapqaError as exc:\n"
        "    print(type(exc).__name__, exc.message, exc.fix, sep='|')\n"
    )
    done = subprocess.run([sys.executable, "-c", script, str(built.index_dir)], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip().split("|") == [
        "StorageError",
        "too many open files while reading the index folder (the open-file limit is reached)",
        "raise the limit (`ulimit -n`, or LimitNOFILE in a systemd unit), then retry",
    ]
    assert load_index(built.index_dir).chunks  # loads under the usual limit


def test_serving_raises_the_open_file_limit_to_the_hard_limit() -> None:
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    assert hard != resource.RLIM_INFINITY and hard > 256  # this machine's: the test needs room to lower it
    resource.setrlimit(resource.RLIMIT_NOFILE, (256, hard))
    try:
        assert raise_open_file_limit() == hard
        assert resource.getrlimit(resource.RLIMIT_NOFILE) == (hard, hard)
    finally:
        resource.setrlimit(resource.RLIMIT_NOFILE, (soft, hard))
