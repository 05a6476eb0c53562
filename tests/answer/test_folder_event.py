"""The notes' folder often names the event every talk in it belongs to ('kernelconf-2024/'): a
question naming that event is not a near miss because no sentence repeats the event's name
(answer/facts.py, a talk's metadata holds the folder's name). Small made-up notes, real model
and index."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from tests.conftest import assistant_over

from recapqa.embed import Embedder
from recapqa.pipeline import Assistant
from recapqa.settings import Settings

NOTES = """# Scheduling

## A fairer scheduler (Jane Bloggs)

Jane Bloggs showed a scheduler that cuts tail latency by 30 percent.
"""
QUESTION = "At KernelConf, by how much did Jane Bloggs' scheduler cut tail latency?"


def _over(root: Path, folder: str, embedder: Callable[[], Embedder]) -> Assistant:
    settings = Settings(corpus_dir=root / folder, index_dir=root / f"{folder}-index")
    return assistant_over(settings, {"scheduling.md": NOTES}, embedder)


@pytest.fixture(scope="module")
def root(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("folders")


def test_a_folder_named_after_the_event_answers_a_question_naming_it(
    root: Path, embedder_factory: Callable[[], Embedder]
) -> None:
    answer, _ = _over(root, "kernelconf-2024", embedder_factory).ask(QUESTION, mode="extractive")
    assert not answer.abstained and "30 percent" in answer.answer
    assert answer.citations[0].quote == "Jane Bloggs showed a scheduler that cuts tail latency by 30 percent."


def test_the_folder_is_the_one_the_index_was_built_from(root: Path, embedder_factory: Callable[[], Embedder]) -> None:
    # an index served under settings that name another folder (a database, `RECAPQA_CORPUS_DIR`
    # left at its default) still knows the folder its notes came from (its manifest)
    built = _over(root, "kernelconf-2024", embedder_factory)
    served = Assistant(built.index, built.settings.model_copy(update={"corpus_dir": root / "corpus"}))
    answer, _ = served.ask(QUESTION, mode="extractive")
    assert not answer.abstained and "30 percent" in answer.answer


def test_a_folder_named_otherwise_leaves_the_event_unknown(
    root: Path, embedder_factory: Callable[[], Embedder]
) -> None:
    answer, _ = _over(root, "my-notes", embedder_factory).ask(QUESTION, mode="extractive")
    assert answer.abstained and answer.citations == []


def test_the_folders_numbers_count_whole_or_as_a_years_two_digits(
    root: Path, embedder_factory: Callable[[], Embedder]
) -> None:
    assistant = _over(root, "kernelconf-2024", embedder_factory)
    for edition in ("KernelConf 2024", "KernelConf 24"):  # the edition the folder names
        answer, _ = assistant.ask(
            f"At {edition}, by how much did Jane Bloggs' scheduler cut tail latency?", mode="extractive"
        )
        assert not answer.abstained and "30 percent" in answer.answer, edition
    for cores in ("20", "4"):  # pieces of '2024', which the notes never give
        answer, _ = assistant.ask(
            f"By how much did Jane Bloggs' scheduler cut tail latency on {cores} cores?", mode="extractive"
        )
        assert answer.abstained and answer.citations == [], cores
