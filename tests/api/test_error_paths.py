"""What API error messages say: server paths are scrubbed, and nothing else is (the default
folders are relative, `./index`, `./corpus`, and their names are also ordinary words of the
messages: "the index", "`recapqa index --rebuild`"); a limit is said in its own unit."""

from __future__ import annotations

from pathlib import Path

import pytest
from pydantic import ValidationError

from recapqa.api.errors import scrub
from recapqa.api.schemas import AskRequest
from recapqa.settings import Settings


def test_relative_default_folders_leave_the_words_index_and_corpus_alone(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    settings = Settings(index_dir=Path("index"), corpus_dir=Path("corpus"), cache_dir=tmp_path / "cache")
    fix = "run `recapqa index --rebuild` to replace it with an index of this version (built again from the corpus)"
    assert scrub(fix, settings) == fix
    where = f"cannot write {tmp_path / 'index' / 'gen-3'} nor read {tmp_path / 'corpus'}"
    assert scrub(where, settings) == "cannot write <RECAPQA_INDEX_DIR>/gen-3 nor read <RECAPQA_CORPUS_DIR>"


def test_a_relative_folder_with_parts_is_named_by_its_setting(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    settings = Settings(index_dir=Path("data/index"), corpus_dir=Path("notes"), cache_dir=tmp_path / "cache")
    said = "data/index is read-only; the index stays"
    assert scrub(said, settings) == "<RECAPQA_INDEX_DIR> is read-only; the index stays"


def test_an_overlong_filter_is_said_to_be_too_many_characters() -> None:
    with pytest.raises(ValidationError) as caught:
        AskRequest.model_validate({"question": "Who spoke?", "speaker": "x" * 1000})
    assert "at most 300 characters" in str(caught.value) and "items" not in str(caught.value)
