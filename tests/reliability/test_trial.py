"""What a new user's trial on their own notes broke (docs/TRIAL.md): each case through the
real CLI entry point or the real index, on a copy of the default corpus and its index."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from conftest import write
from recapqa import cli
from recapqa.pipeline import Assistant
from recapqa.settings import Settings
from recapqa.store.files import MANIFEST, current_generation
from reliability.support import UBER_Q, copy_of_default


@pytest.fixture()
def own(tmp_path: Path, rel_settings: Settings) -> Settings:
    return copy_of_default(tmp_path / "own", rel_settings)


def run_cli(capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, *args: str) -> tuple[int, str, str]:
    monkeypatch.setattr(sys, "argv", ["recapqa", *args])
    with pytest.raises(SystemExit) as ended:
        cli.main()
    captured = capsys.readouterr()
    return int(ended.value.code or 0), captured.out, captured.err


def test_a_truncated_manifest_is_rebuilt_on_ask_not_an_error(own: Settings) -> None:
    """The refresh read the damaged manifest again for the corpus word sums and failed."""
    (current_generation(own.index_dir) / MANIFEST).write_text("")
    notes: list[str] = []
    answer, _ = Assistant.open(own, notify=notes.append).ask(UBER_Q)
    assert "5.3k" in answer.answer
    assert any("unreadable" in note for note in notes)


def test_ctrl_c_during_indexing_says_what_happened(
    own: Settings, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Ctrl-C cannot be timed into a build in a test: the build is made to raise it."""

    def interrupted(*args: object, **kwargs: object) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr("recapqa.store.build.build_index", interrupted)
    args = ("index", "--corpus", str(own.corpus_dir), "--index", str(own.index_dir), "--rebuild")
    status, _, err = run_cli(capsys, monkeypatch, *args)
    assert status == 130
    assert err.startswith("interrupted: the index is as it was") and "run the command again" in err


def test_a_filter_matching_nothing_is_said_in_words(
    own: Settings, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    args = ("ask", UBER_Q, "--corpus", str(own.corpus_dir), "--index", str(own.index_dir))
    status, out, err = run_cli(capsys, monkeypatch, *args, "--company", "Nobody Inc", "--speaker", "Zed")
    assert status == 2 and out == ""
    assert err.splitlines()[0] == "error: no talk matches company 'Nobody Inc' and speaker 'Zed'"


def test_a_file_deleted_after_indexing_is_gone_from_the_next_answer(own: Settings) -> None:
    write(
        own.corpus_dir / "acme.md",
        "## Vectors at Acme (Acme)\n\nSpeaker: Ada Lovelace\n\nAcme stores 7 billion vectors.\n",
    )
    question = "How many vectors does Acme store?"
    assert "7 billion" in Assistant.open(own).ask(question)[0].answer
    (own.corpus_dir / "acme.md").unlink()
    answer, _ = Assistant.open(own).ask(question)
    assert all(c.source != "acme.md" for c in answer.citations)
