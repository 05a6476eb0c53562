"""Names the question abbreviates match their spelled-out forms in the notes."""

from __future__ import annotations

from collections.abc import Callable

from tests.conftest import assistant_over

from recapqa.answer.abbreviations import expansion_pattern, name_forms, spelled_out_agrees, spellings
from recapqa.embed import Embedder
from recapqa.settings import Settings


def test_an_abbreviation_matches_its_camel_case_or_spelled_out_form() -> None:
    otel = expansion_pattern("OTel")
    assert otel is not None and otel.search("Baggage in OpenTelemetry allows context")
    opa = expansion_pattern("OPA")
    assert opa is not None and opa.search("the Open Policy Agent project")
    assert opa is not None and not opa.search("an open policy for agents")  # capitals open the parts


def test_a_plain_word_or_a_short_token_is_not_an_abbreviation() -> None:
    assert expansion_pattern("Kubernetes") is None
    assert expansion_pattern("ML") is None
    assert expansion_pattern("eBPF") is None  # lower case before the first capital


def test_name_forms_collect_what_each_name_abbreviates_in_the_texts() -> None:
    forms = dict(
        name_forms(
            "Why is OTel baggage risky at Acme?",
            frozenset({"otel", "acme"}),
            ["What Is This OpenTelemetry Thing?", "Baggage in OpenTelemetry allows context"],
        )
    )
    assert forms == {"otel": frozenset({"otel", "opentelemetry"}), "acme": frozenset({"acme"})}


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
    texts = ["Baggage in OpenTelemetry allows context"]
    asked = ("why is otel baggage risky?", frozenset({"otel"}))
    assert dict(name_forms(*asked, texts))["otel"] == frozenset({"otel"})  # no spelling of it to go by
    spelled = dict(name_forms(*asked, texts, lambda: ["OTel for short."]))  # the talk's notes spell it
    assert spelled["otel"] == frozenset({"otel", "opentelemetry"})
    cased = dict(name_forms("Why is OTel risky?", frozenset({"otel"}), texts, lambda: ["Otel"]))
    assert cased["otel"] == frozenset({"otel", "opentelemetry"})  # the question's own capitals go first


NOTES = """# ObsConf 2025

## What is this OpenTelemetry (OTel) thing? (Ana Ruiz)

Baggage in OpenTelemetry propagates across every HTTP call, so sensitive data can leak to third-party APIs.
Sampling keeps one trace in ten by default.
"""


def test_a_question_naming_an_abbreviation_is_answered_from_the_spelled_out_talk(
    settings: Settings, embedder_factory: Callable[[], Embedder]
) -> None:
    assistant = assistant_over(settings, {"obsconf.md": NOTES}, embedder_factory)
    answer, _ = assistant.ask("Why can OTel baggage be dangerous?", mode="extractive")
    assert not answer.abstained and "sensitive data" in answer.answer
    answer, _ = assistant.ask("why can otel baggage be dangerous?", mode="extractive")  # typed in lower case
    assert not answer.abstained and "sensitive data" in answer.answer


LEARNING = """# SecSummit 2025

## Growing your skills (Dana Fox)

Document and share failures too, failure is essential to learning.
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
