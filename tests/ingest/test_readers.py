import errno
import logging
from pathlib import Path

import pytest

from conftest import write
from recapqa.errors import CorpusError
from recapqa.ingest import load_corpus


def test_bad_files_are_skipped_with_a_warning_naming_them(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    write(tmp_path / "good.md", "## A talk (Acme)\n\nSpeaker: Jane Doe, CEO\n\nUseful content.\n")
    write(tmp_path / "binary.txt", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR")
    write(tmp_path / "empty.md", "  \n\n")
    write(tmp_path / "latin1.txt", "caf\xe9 cr\xe8me".encode("latin-1"))
    write(tmp_path / "slides.pdf", b"%PDF-1.4")
    with caplog.at_level(logging.WARNING):
        corpus = load_corpus(tmp_path)
    skipped = dict(corpus.skipped)
    assert set(skipped) == {"binary.txt", "empty.md", "latin1.txt", "slides.pdf"}
    assert "binary" in skipped["binary.txt"]
    assert "empty" in skipped["empty.md"]
    assert "UTF-8" in skipped["latin1.txt"]
    assert "unsupported" in skipped["slides.pdf"]
    for name in skipped:
        assert any(name in record.getMessage() for record in caplog.records)
    assert [t.title for t in corpus.talks] == ["A talk"]


def test_a_corpus_without_usable_notes_stops_with_a_clear_error(tmp_path: Path) -> None:
    write(tmp_path / "empty.txt", "")
    with pytest.raises(CorpusError) as err:
        load_corpus(tmp_path)
    assert "no usable notes" in err.value.message and "empty.txt" in err.value.message
    assert err.value.fix


def test_a_missing_corpus_directory_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(CorpusError, match="does not exist"):
        load_corpus(tmp_path / "nope")


def test_readme_and_sidecars_are_not_notes(tmp_path: Path) -> None:
    write(tmp_path / "README.md", "# About this folder\n\nNot notes.\n")
    write(tmp_path / "n.md", "## Talk (Acme)\n\nContent.\n")
    write(tmp_path / "n.talks.yaml", "talks: {}\n")
    corpus = load_corpus(tmp_path)
    assert [d.document.source for d in corpus.documents] == ["n.md"]
    assert corpus.skipped == []


def test_broken_links_utf16_stray_nuls_and_unreadable_files_are_named_with_a_fix(
    tmp_path: Path, caplog: pytest.LogCaptureFixture, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Each of these was skipped in silence (links to nothing), indexed with its NUL bytes
    (a NUL past the first 8 kB), or named with an errno string and no fix (permission)."""
    write(tmp_path / "good.md", "## A talk (Acme)\n\nSpeaker: Jane Doe, CEO\n\nUseful content.\n")
    (tmp_path / "loop_a.md").symlink_to("loop_b.md")
    (tmp_path / "loop_b.md").symlink_to("loop_a.md")
    (tmp_path / "gone.md").symlink_to(tmp_path / "nowhere.md")
    write(tmp_path / "wide.txt", "## Talk (Acme)\n\nText.\n".encode("utf-16"))
    write(tmp_path / "stray.md", ("## Talk (Acme)\n\n" + "A line of notes.\n" * 600 + "Odd\x00byte.\n").encode())
    write(tmp_path / "locked.md", "## Locked talk (Acme)\n\nText.\n")
    read_bytes = Path.read_bytes

    def denied(path: Path) -> bytes:
        if path.name == "locked.md":
            raise PermissionError(errno.EACCES, "Permission denied", str(path))
        return read_bytes(path)

    monkeypatch.setattr(Path, "read_bytes", denied)
    with caplog.at_level(logging.WARNING):
        corpus = load_corpus(tmp_path)
    skipped = dict(corpus.skipped)
    assert set(skipped) == {"loop_a.md", "loop_b.md", "gone.md", "wide.txt", "stray.md", "locked.md"}
    for name in ("loop_a.md", "loop_b.md", "gone.md"):
        assert "a link to nothing" in skipped[name] and "fix or remove it" in skipped[name]
    assert skipped["wide.txt"] == "UTF-16 text; re-save it as UTF-8"
    assert "NUL byte (byte 10219)" in skipped["stray.md"] and "re-save" in skipped["stray.md"]
    assert "permission denied" in skipped["locked.md"] and "chmod a+r" in skipped["locked.md"]
    for name, reason in skipped.items():
        assert any(f"skipping {name}: {reason}" == r.getMessage() for r in caplog.records), name
    assert [t.title for t in corpus.talks] == ["A talk"]
    named = load_corpus(tmp_path, only=[tmp_path / "good.md"])  # `talks --outline FILE` beside the links
    assert [t.title for t in named.talks] == ["A talk"]
