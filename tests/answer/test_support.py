"""Rule (b) of the support check on one sentence (answer/support.py), and what a claim adds:
a number adds a fact even when it is the only thing added, a hedge ("approximately") adds
nothing the sentence must hold."""

from collections.abc import Callable
from pathlib import Path

import numpy as np

from conftest import assistant_over
from recapqa.answer.citations import SupportChecker
from recapqa.answer.claim_rules import HEDGES
from recapqa.answer.support import ClaimWords, added_numbers, sentence_support
from recapqa.answer.verdicts import Verdict
from recapqa.embed import Embedder
from recapqa.models import Span
from recapqa.sentences import Sentence
from recapqa.settings import Settings
from recapqa.text import terms, with_digits

QUESTION = "How many disk flushes does a typical Tallowbase database perform for each insert request?"
SENTENCE = Sentence(
    "t", "notes.md", "Typical Tallowbase DB does 5 disk flushes for each insert request:", Span(0, 1, 1, 1), False, ""
)


def claim(text: str) -> ClaimWords:
    return ClaimWords.of(text, set(terms(text)) - set(terms(QUESTION)), QUESTION, None)


def test_a_claim_adding_only_a_number_rests_on_the_sentence_that_holds_it() -> None:
    assert added_numbers("It does 5 disk flushes.", QUESTION) == {"5"}
    assert added_numbers("It does 5 disk flushes.", "Does it do 5 of them?") == set()
    five = claim("Tallowbase performs approximately 5 disk flushes.")
    seven = claim("Tallowbase performs 7 disk flushes.")
    assert five.new <= HEDGES and five.numbers == {"5"}  # "approximately" need not be in the sentence
    assert sentence_support(five, SENTENCE, "", frozenset(), None) is not None  # type: ignore[arg-type]
    assert sentence_support(seven, SENTENCE, "", frozenset(), None) is None  # type: ignore[arg-type]


def supported(claim_text: str, sentence_text: str, question: str) -> float | None:
    """Rule (b) for a made-up claim and sentence, by words only (no encoder)."""
    said = Sentence("t", "notes.md", sentence_text, Span(0, 1, 1, 1), False, "")
    words = ClaimWords.of(claim_text, set(terms(claim_text)) - set(terms(question)), question, None)
    return sentence_support(words, said, "", frozenset(), np.zeros(1, dtype=np.float32))


def test_a_no_answer_to_a_yes_no_question_rests_on_a_sentence_negating_its_words() -> None:
    question = "Does the author think every team needs a platform group?"
    claim_text = "The author does not think every team needs a platform group."
    said = Sentence("t", "notes.md", "Not every team needs a platform group of its own.", Span(0, 1, 1, 1), False, "")
    plain = Sentence("t", "notes.md", "Every team needs a platform group of its own.", Span(0, 1, 1, 1), False, "")
    no = ClaimWords.of(claim_text, set(), question, None, polar=True)
    assert sentence_support(no, said, "", frozenset(), np.zeros(1, dtype=np.float32)) is not None
    assert sentence_support(no, plain, "", frozenset(), np.zeros(1, dtype=np.float32)) is None
    as_before = ClaimWords.of(claim_text, set(), question, None)  # "think" first: not what the sentence negates
    assert sentence_support(as_before, said, "", frozenset(), np.zeros(1, dtype=np.float32)) is None


def test_a_figure_written_another_way_is_the_same_figure() -> None:
    question, said = "How many subscribers do the newsletters have?", "There are more than 41 thousand subscribers."
    assert supported("They have more than 41,000 subscribers.", said, question) == 1.0
    assert supported("They have more than 14,000 subscribers.", said, question) is None


def test_a_figure_the_notes_spell_out_is_the_same_figure() -> None:
    question, said = "How many incidents do the groups cover?", "Seven groups and a catch-all: 12K incidents"
    assert with_digits(said) == "Seven 7 groups and a catch-all: 12K incidents"
    assert supported("7 groups and a catch-all: 12K incidents.", said, question) == 1.0
    assert supported("6 groups and a catch-all: 12K incidents.", said, question) is None
    assert supported("Seven groups cover 7 incidents.", said, question) is None  # 7 counts groups there


def test_an_abbreviation_spelled_out_otherwise_than_in_the_sentence_is_not_supported() -> None:
    question = "What does WAL stand for in the database talk?"
    said = "Write ahead log (WAL) entries are shipped to the archive nodes"
    assert supported("WAL stands for write ahead log.", said, question) is not None
    # the sentence's own words, recombined into another expansion
    assert supported("WAL stands for Write Archive Log.", said, question) is None
    # a sentence that does not spell it out is left to word overlap
    assert supported("WAL stands for write ahead log.", "WAL entries go to the archive", question) is None
    assert supported("WAL entries are shipped to the archive nodes.", said, question) is not None


def test_a_reason_the_claim_attaches_needs_a_word_of_its_own_in_the_sentence() -> None:
    question, said = (
        "Why did the team drop the scheduler?",
        "The scheduler keeps its jobs in YAML files, which is verbose",
    )
    assert supported("The scheduler keeps its jobs in YAML files, which is verbose.", said, question) is not None
    # the sentence describes the scheduler; what made the team drop it is the question's, not the notes'
    assert supported("The scheduler keeps its jobs in YAML files, which made the team drop it.", said, question) is None


def test_a_comparison_turned_around_is_not_supported() -> None:
    question = "How does the new scheduler compare with the old one?"
    said = "The new scheduler is slightly faster than the old one."
    assert supported("The new one is slightly faster than the old one.", said, question) == 1.0
    assert supported("The old one is slightly faster than the new one.", said, question) is None


def test_the_checker_keeps_a_hedged_figure_and_drops_a_wrong_one(
    tmp_path: Path, embedder_factory: Callable[[], Embedder]
) -> None:
    notes = "# Databases at scale\n\nSpeaker: Jane Doe\n\n" + SENTENCE.text + "\n- flush to primary\n- flush log\n"
    settings = Settings(corpus_dir=tmp_path / "corpus", index_dir=tmp_path / "index")
    assistant = assistant_over(settings, {"db.md": notes}, embedder_factory)
    retrieval = assistant.retriever.retrieve(QUESTION)
    checker = SupportChecker(assistant.extractive, assistant.embed_query)
    reply = "Tallowbase performs approximately 5 disk flushes for each insert request [1]. "
    reply += "It performs 7 disk flushes for each insert request [1]."
    kept = [v.kept for v in checker.check(reply, retrieval, retrieval.hits[:1])]
    assert kept == [True, False]


def test_a_claim_from_the_second_sentence_of_a_row_must_be_the_part_that_answers(
    tmp_path: Path, embedder_factory: Callable[[], Embedder]
) -> None:
    notes = """# Tracing today

Speaker: Jane Doe

## Key Takeaways

- OpenTrace has grown into the top project of the guild, surpassing Meshwell in usage. \
It is the common choice for shipping trace spans out of services.
- Metrics are sampled numbers meant for dashboards.
"""
    settings = Settings(corpus_dir=tmp_path / "corpus", index_dir=tmp_path / "index")
    assistant = assistant_over(settings, {"trace.md": notes}, embedder_factory)
    retrieval = assistant.retriever.retrieve("Which project of the guild has OpenTrace overtaken in usage?")
    checker = SupportChecker(assistant.extractive, assistant.embed_query)
    reply = "OpenTrace surpassed Meshwell in usage [1]. "
    reply += "It is the common choice for shipping trace spans out of services [1]."
    assert [v.kept for v in checker.check(reply, retrieval, retrieval.hits[:1])] == [True, False]


def test_a_company_named_in_a_talk_title_answers_which_company(
    tmp_path: Path, embedder_factory: Callable[[], Embedder]
) -> None:
    notes = """# Building fast applications using Quasar

Speaker: Jane Doe

Jane Doe, a principal engineer at Quasar, shares her experiences building scalable applications.
"""
    settings = Settings(corpus_dir=tmp_path / "corpus", index_dir=tmp_path / "index")
    assistant = assistant_over(settings, {"quasar.md": notes}, embedder_factory)
    retrieval = assistant.retriever.retrieve("Which company does Jane Doe work for?")
    checker = SupportChecker(assistant.extractive, assistant.embed_query)
    [verdict] = checker.check("Jane Doe works for Quasar [1].", retrieval, retrieval.hits[:1])
    assert verdict.kept, verdict.reason


def test_the_checker_keeps_a_no_that_its_sentence_says_and_drops_a_yes(
    tmp_path: Path, embedder_factory: Callable[[], Embedder]
) -> None:
    notes = """# Designing services

Speaker: Jane Doe

Every design should start from the domain, but not every service needs a shared object model at its core.
"""
    question = "Does Jane Doe think every service needs a shared object model?"
    reply = "Jane Doe does not think every service needs a shared object model [1]. "
    reply += "Jane Doe thinks every service needs a shared object model [1]."
    verdicts = checked(tmp_path, embedder_factory, notes, question, reply)
    assert [v.kept for v in verdicts] == [True, False], [v.reason for v in verdicts]


def checked(
    tmp_path: Path, embedder_factory: Callable[[], Embedder], notes: str, question: str, reply: str
) -> list[Verdict]:
    """The checker's verdicts on `reply` to `question`, its [1] the first passage retrieved from `notes`."""
    settings = Settings(corpus_dir=tmp_path / "corpus", index_dir=tmp_path / "index")
    assistant = assistant_over(settings, {"notes.md": notes}, embedder_factory)
    retrieval = assistant.retriever.retrieve(question)
    checker = SupportChecker(assistant.extractive, assistant.embed_query)
    return checker.check(reply, retrieval, retrieval.hits[:1])
