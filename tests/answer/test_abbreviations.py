"""Names the question abbreviates match their spelled-out forms in the notes."""

from __future__ import annotations

from collections.abc import Callable

from tests.conftest import assistant_over

from recapqa.answer.abbreviations import expansion_pattern, name_forms, spelled_out_agrees, spellings
from recapqa.embed import Embedder
from recapqa.settings import Settings


def test_an_abbreviation_matches_its_camel_case_or_spelled_out_form() -> None:
    snet = expansion_pattern("SNet")
    assert snet is not None and snet.search("Baggage in StreamNetwork allows context")
    ore = expansion_pattern("ORE")
    assert ore is not None and ore.search("the Open Rule Engine project")
    assert ore is not None and not ore.search("an open policy for agents")  # capitals open the parts


def test_a_plain_word_or_a_short_token_is_not_an_abbreviation() -> None:
    assert expansion_pattern("Kubernetes") is None
    assert expansion_pattern("ML") is None
    assert expansion_pattern("eBPF") is None  # lower case before the first capital


def test_name_forms_collect_what_each_name_abbreviates_in_the_texts() -> None:
    forms = dict(
        name_forms(
            "Why is SNet baggage risky at Acme?",
            frozenset({"snet", "acme"}),
            ["What Is This StreamNetwork Thing?", "Baggage in StreamNetwork allows context"],
        )
    )
    assert forms == {"snet": frozenset({"snet", "streamnetwork"}), "acme": frozenset({"acme"})}


def test_a_claim_spells_out_an_abbreviation_as_the_sentence_beside_it_does() -> None:
    said = "Mean time to repair (MTTR) fell after the rollout of the new runbooks"
    assert spelled_out_agrees("MTTR is mean time to repair.", said)
    assert not spelled_out_agrees("MTTR stands for Mean Time To Rollout.", said)  # words of the sentence, recombined
    assert spelled_out_agrees("MTTR fell after the rollout.", said)  # spells nothing out
    # words that happen to have its initials are no spelling out unless joined to it ("(", ":", "stands for")
    assert spelled_out_agrees("The WAL writes all logs.", "Write ahead log (WAL) entries go to the archive")
    assert spellings("WAL: write ahead log", "WAL") == spellings("write-ahead log (WAL)", "WAL") == {"writeaheadlog"}
    # skipped words ('as a') and the expansion after the abbreviation
    assert spelled_out_agrees("Software as a Service (SaaS) grows.", "SaaS (Software as a Service) grows fast")
    assert not spelled_out_agrees("Storage as a Service (SaaS) grows.", "SaaS (Software as a Service) grows fast")
    # a sentence that does not spell the abbreviation out beside it says nothing of its expansion
    assert spelled_out_agrees("MTTR stands for mean time to recovery.", "MTTR fell; the team met to review the data")


def test_a_name_typed_in_lower_case_abbreviates_what_the_notes_spelling_of_it_does() -> None:
    texts = ["Baggage in StreamNetwork allows context"]
    asked = ("why is snet baggage risky?", frozenset({"snet"}))
    assert dict(name_forms(*asked, texts))["snet"] == frozenset({"snet"})  # no spelling of it to go by
    spelled = dict(name_forms(*asked, texts, lambda: ["SNet for short."]))  # the talk's notes spell it
    assert spelled["snet"] == frozenset({"snet", "streamnetwork"})
    cased = dict(name_forms("Why is SNet risky?", frozenset({"snet"}), texts, lambda: ["Snet"]))
    assert cased["snet"] == frozenset({"snet", "streamnetwork"})  # the question's own capitals go first


NOTES = """# ObsConf 2025

## What is this StreamNetwork (SNet) thing? (Ana Ruiz)

Baggage in StreamNetwork propagates across every HTTP call, so sensitive data can leak to third-party APIs.
Sampling keeps one trace in ten by default.
"""


def test_a_question_naming_an_abbreviation_is_answered_from_the_spelled_out_talk(
    settings: Settings, embedder_factory: Callable[[], Embedder]
) -> None:
    assistant = assistant_over(settings, {"obsconf.md": NOTES}, embedder_factory)
    answer, _ = assistant.ask("Why can SNet baggage be dangerous?", mode="extractive")
    assert not answer.abstained and "sensitive data" in answer.answer
    answer, _ = assistant.ask("why can snet baggage be dangerous?", mode="extractive")  # typed in lower case
    assert not answer.abstained and "sensitive data" in answer.answer


LEARNING = """# SecSummit 2025

## Growing your skills (Dana Fox)

Write down and share mistakes too, each mistake is part of learning.
Her acronym for failing:

* First Attempt In Learning

Practice on your own lab before touching production systems.
"""


def test_what_an_acronym_stands_for_is_the_line_that_spells_it_out(
    settings: Settings, embedder_factory: Callable[[], Embedder]
) -> None:
    assistant = assistant_over(settings, {"secsummit.md": LEARNING}, embedder_factory)
    answer, _ = assistant.ask("What does FAIL stand for according to Dana Fox?", mode="extractive")
    assert not answer.abstained
    assert answer.citations[0].quote == "First Attempt In Learning"
