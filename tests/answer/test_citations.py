"""The support check on the real index: what it keeps must be supported, relevant and new.

Replies are built from the retrieved passages themselves (the sentence the extractive
answerer quotes, the least relevant sentence it was shown), not from strings of the corpus.
"""

import pytest

from recapqa.answer.citations import (
    RELATIVE_RELEVANCE,
    RELEVANCE_FLOOR,
    SupportChecker,
    Verdict,
    log_odds,
    negated_terms,
    negation_matches,
)
from recapqa.answer.name_claims import asks_who_spoke
from recapqa.models import Hit
from recapqa.pipeline import Assistant
from recapqa.retrieve import Retrieval

QUESTION = "How many models does Uber run in production?"


def checker(assistant: Assistant) -> SupportChecker:
    return SupportChecker(assistant.extractive, assistant.embed_query)


def check(assistant: Assistant, question: str, reply: str) -> tuple[list[Verdict], Retrieval]:
    retrieval = assistant.retriever.retrieve(question)
    return checker(assistant).check(reply, retrieval, retrieval.hits), retrieval


def source_of(assistant: Assistant, hits: list[Hit], text: str) -> int:
    """The number (1-based) of the first hit whose sentences include `text`."""
    for n, hit in enumerate(hits, 1):
        rows = assistant.index.chunk_sentences[assistant.extractive.chunk_row(hit)]
        if any(assistant.index.sentences[r].text == text for r in rows):
            return n
    raise AssertionError(f"no source holds {text!r}")


def best_quote(assistant: Assistant, question: str) -> tuple[str, int]:
    retrieval = assistant.retriever.retrieve(question)
    answer = assistant.extractive.answer(retrieval)
    assert not answer.abstained
    quote = answer.citations[0].quote
    return quote, source_of(assistant, retrieval.hits, quote)


def test_a_claim_restating_the_supporting_sentence_is_kept(assistant: Assistant) -> None:
    quote, n = best_quote(assistant, QUESTION)
    [verdict], _ = check(assistant, QUESTION, f"Uber has {quote.lower()} [{n}].")
    assert verdict.kept, verdict.reason
    assert verdict.sources[0][0] == n


def test_the_citation_must_point_at_the_talk_that_holds_it(assistant: Assistant) -> None:
    quote, n = best_quote(assistant, QUESTION)
    retrieval = assistant.retriever.retrieve(QUESTION)
    talk = retrieval.hits[n - 1].talk.talk_id
    wrong = next(i for i, h in enumerate(retrieval.hits, 1) if h.talk.talk_id != talk)
    [verdict], _ = check(assistant, QUESTION, f"Uber has {quote.lower()} [{wrong}].")
    assert not verdict.kept
    [verdict], _ = check(assistant, QUESTION, f"Uber has {quote.lower()} [{len(retrieval.hits) + 5}].")
    assert not verdict.kept and verdict.reason == "cites no source it was given"


def test_a_neighbouring_passage_of_the_same_talk_is_cited_as_the_one_that_holds_it(assistant: Assistant) -> None:
    quote, n = best_quote(assistant, QUESTION)
    retrieval = assistant.retriever.retrieve(QUESTION)
    talk = retrieval.hits[n - 1].talk.talk_id
    same = [i for i, h in enumerate(retrieval.hits, 1) if h.talk.talk_id == talk and quote not in h.chunk.text]
    if not same:
        pytest.skip("the retrieval shows one passage of that talk")
    [verdict], _ = check(assistant, QUESTION, f"Uber has {quote.lower()} [{same[0]}].")
    assert verdict.kept and verdict.sources[0][0] == n


@pytest.mark.parametrize(
    "template", ["{company} [{n}].", "{title} [{n}]", "[{n}]", "{speaker} [{n}].", "[{company}] [{n}]"]
)
def test_bare_names_titles_and_markers_say_nothing(assistant: Assistant, template: str) -> None:
    _, n = best_quote(assistant, QUESTION)
    talk = assistant.retriever.retrieve(QUESTION).hits[n - 1].talk
    reply = template.format(n=n, company=talk.company or talk.title, title=talk.title, speaker=talk.speaker_names[0])
    verdicts, _ = check(assistant, QUESTION, reply)
    assert not any(v.kept for v in verdicts)


def test_restating_the_question_says_nothing(assistant: Assistant) -> None:
    _, n = best_quote(assistant, QUESTION)
    [verdict], _ = check(assistant, QUESTION, f"Uber runs models in production [{n}].")
    assert verdict.reason == "says nothing beyond the question and talk names"


def test_a_speaker_name_is_an_answer_when_the_question_asks_who(assistant: Assistant) -> None:
    question = "Who gave the talk about the journey of the AI platform at Uber?"
    retrieval = assistant.retriever.retrieve(question)
    n, hit = next((i, h) for i, h in enumerate(retrieval.hits, 1) if h.talk.speaker_names)
    [verdict] = checker(assistant).check(f"{hit.talk.speaker_names[0]} gave it [{n}].", retrieval, retrieval.hits)
    assert verdict.kept, verdict.reason


def test_a_number_the_source_does_not_hold_is_not_supported(assistant: Assistant) -> None:
    quote, n = best_quote(assistant, QUESTION)
    digits = next(w for w in quote.split() if any(ch.isdigit() for ch in w))
    wrong = quote.replace(digits, "1850")
    [verdict], _ = check(assistant, QUESTION, f"Uber has {wrong.lower()} [{n}].")
    assert not verdict.kept


def test_one_shared_word_is_not_support(assistant: Assistant) -> None:
    quote, n = best_quote(assistant, QUESTION)
    word = max(quote.split(), key=len)
    [verdict], _ = check(assistant, QUESTION, f"The galaxy spins {word} through purple cheese oceans [{n}].")
    assert not verdict.kept


def test_a_pasted_sentence_that_does_not_answer_is_not_support(assistant: Assistant) -> None:
    retrieval = assistant.retriever.retrieve(QUESTION)
    candidates = [
        c for c in assistant.extractive.candidates(retrieval) if len(assistant.index.sentences[c.row].text) > 40
    ]
    worst = assistant.index.sentences[candidates[-1].row].text  # verbatim, but the least relevant shown
    n = source_of(assistant, retrieval.hits, worst)
    [verdict] = checker(assistant).check(f"{worst} [{n}]", retrieval, retrieval.hits)
    assert not verdict.kept and verdict.reason == "its support does not answer the question"


def test_another_companys_figure_does_not_answer(assistant: Assistant) -> None:
    quote, n = best_quote(assistant, QUESTION)
    question = "How many models does Netflix run in production?"
    retrieval = assistant.retriever.retrieve(question)
    n = source_of(assistant, retrieval.hits, quote)
    [verdict] = checker(assistant).check(f"Netflix has {quote.lower()} [{n}].", retrieval, retrieval.hits)
    assert not verdict.kept


def test_a_reply_that_repeats_itself_is_cut_to_its_distinct_claims(assistant: Assistant) -> None:
    quote, n = best_quote(assistant, QUESTION)
    claim = f"Uber has {quote.lower()} [{n}]."
    verdicts, _ = check(assistant, QUESTION, " ".join([claim] * 4 + [f"{quote} [{n}]."]))
    assert [v.kept for v in verdicts] == [True, False, False, False, False]
    assert {v.reason for v in verdicts[1:]} == {"repeats an earlier claim"}


def test_a_marker_opening_the_line_supports_its_own_sentence(assistant: Assistant) -> None:
    """The shape 42 of 44 real replies had: the wrong sentence must not inherit it."""
    quote, n = best_quote(assistant, QUESTION)
    retrieval = assistant.retriever.retrieve(QUESTION)
    other = next(i for i in range(1, len(retrieval.hits) + 1) if i != n)
    reply = f"[{other}] The moon is made of cheese.\n[{n}] Uber has {quote.lower()}."
    verdicts = checker(assistant).check(reply, retrieval, retrieval.hits)
    assert [v.kept for v in verdicts] == [False, True]


# The rules added for issue 11 (support check precision, eval/llm/README.md)


def test_negated_terms_are_the_words_a_negation_bears_on_up_to_a_clause_break() -> None:
    assert negated_terms("she invited to not build one but buy one") == [["build", "one"]]
    assert negated_terms("Uber doesn't use Spark, but Ray.") == [["use", "spark"]]
    assert negated_terms("It is never slow nor costly and simple to run", scope=2) == [
        ["slow", "cost"],
        ["cost", "simpl"],
    ]
    assert negated_terms("Uber uses Spark.") == []


def test_a_negated_claim_must_negate_what_its_sentence_negates() -> None:
    sentence = "Feast as a feature store (she invited to not build one but buy one)"
    assert not negation_matches("You should not buy a feature store.", sentence)
    assert negation_matches("You should not build a feature store.", sentence)
    assert negation_matches("Buy a feature store.", sentence)  # no negation in the claim: nothing to match
    assert not negation_matches("They do not use Spark.", "They use Spark and not Ray.")
    # conservative: the first word the claim negates must be negated in the sentence, so a true
    # paraphrase that negates another word is dropped too
    assert not negation_matches("They don't use Ray.", "They use Spark and not Ray.")
    assert negation_matches("They did not use Ray.", "They did not use Ray or Spark.")


def test_log_odds() -> None:
    assert log_odds(0.5) == 0.0
    assert round(log_odds(0.9), 4) == 2.1972
    assert log_odds(1.0) == pytest.approx(27.631, abs=1e-3)  # clamped, so a saturated score stays finite


def _same_talk_runner_up(assistant: Assistant, question: str) -> tuple[str, int, float]:
    """A sentence of the best sentence's talk that passes the probability floors but scores
    more than the allowed log-odds gap below the best: (its text, its source number, gap)."""
    retrieval = assistant.retriever.retrieve(question)
    eligible = [c for c in assistant.extractive.candidates(retrieval) if c.eligible]
    best = eligible[0]
    floor = max(RELEVANCE_FLOOR * assistant.settings.abstain_threshold, RELATIVE_RELEVANCE * best.score)
    gap = assistant.settings.llm_support_logit_gap
    for c in eligible[1:]:
        text = assistant.index.sentences[c.row].text
        below = log_odds(best.score) - log_odds(c.score)
        if c.hit.talk.talk_id == best.hit.talk.talk_id and c.score >= floor and below > gap and len(text) > 30:
            return text, source_of(assistant, retrieval.hits, text), below
    pytest.fail(f"no sentence of the best talk sits between the floors and the gap for {question!r}")


def test_a_true_sentence_far_below_the_best_one_does_not_answer(assistant: Assistant) -> None:
    question = "In which year did Uber begin working with ML?"  # its talk has such a sentence
    text, n, below = _same_talk_runner_up(assistant, question)
    retrieval = assistant.retriever.retrieve(question)
    [verdict] = checker(assistant).check(f"{text} [{n}]", retrieval, retrieval.hits)
    assert not verdict.kept and verdict.reason == "its support does not answer the question"
    loose = SupportChecker(assistant.extractive, assistant.embed_query, logit_gap=below + 0.01)
    [verdict] = loose.check(f"{text} [{n}]", retrieval, retrieval.hits)
    assert verdict.kept, verdict.reason  # the gap alone rejected it
    assert assistant.index.sentences[verdict.sources[0][1]].text == text


def test_a_title_answers_which_talk_when_that_talk_answers(assistant: Assistant) -> None:
    _, n = best_quote(assistant, QUESTION)
    talk = assistant.retriever.retrieve(QUESTION).hits[n - 1].talk
    question = f"Which talks mentioned models in production at {talk.company}?"
    retrieval = assistant.retriever.retrieve(question)
    cited = next(i for i, h in enumerate(retrieval.hits, 1) if h.talk.talk_id == talk.talk_id)
    [verdict] = checker(assistant).check(f"{talk.title} [{cited}]", retrieval, retrieval.hits)
    assert verdict.kept, verdict.reason
    assert assistant.index.sentences[verdict.sources[0][1]].talk_id == talk.talk_id
    other = next(i for i, h in enumerate(retrieval.hits, 1) if h.talk.talk_id != talk.talk_id)
    [verdict] = checker(assistant).check(f"{talk.title} [{other}]", retrieval, retrieval.hits)
    assert not verdict.kept  # the title of one talk, cited as another
    [verdict] = checker(assistant).check(f"{talk.title} [{cited}]", *_retrieved(assistant, QUESTION))
    assert not verdict.kept and verdict.reason == "says nothing beyond the question and talk names"


def _retrieved(assistant: Assistant, question: str) -> tuple[Retrieval, list[Hit]]:
    retrieval = assistant.retriever.retrieve(question)
    return retrieval, retrieval.hits


def test_who_gave_it_is_supported_by_the_speaker_line_of_the_cited_talk(assistant: Assistant) -> None:
    question = "Who gave the talk about the journey of the AI platform at Uber?"
    retrieval = assistant.retriever.retrieve(question)
    facts = assistant.extractive.facts

    def rows(hit: Hit) -> list[int]:
        return list(assistant.index.chunk_sentences[assistant.extractive.chunk_row(hit)])

    asked = next(c for c in assistant.extractive.candidates(retrieval) if c.eligible).hit.talk.talk_id
    speaker_rows = facts.talks[asked].speaker_rows
    assert speaker_rows
    hits = [h for h in retrieval.hits if not set(rows(h)) & set(speaker_rows)]  # the Speaker: line is not shown
    n, hit = next((n, h) for n, h in enumerate(hits, 1) if h.talk.talk_id == asked)
    name = hit.talk.speaker_names[0]
    [verdict] = checker(assistant).check(f"{hit.talk.title} ({name}) [{n}]", retrieval, hits)
    assert verdict.kept, verdict.reason
    assert verdict.sources[0][:2] == (n, speaker_rows[0])
    [verdict] = checker(assistant).check(
        f"{hit.talk.title} ({name}) [{n}]", assistant.retriever.retrieve(QUESTION), hits
    )
    assert not verdict.kept  # not a who question: the speaker line is not among its sentences


def test_supports_reads_one_sentence_without_the_relevance_rule(assistant: Assistant) -> None:
    """`supports` (gist answers): rules (a), (b) and (d) on one sentence; relevance to the
    question is not asked, so a true sentence of the talk supports a claim on any question."""
    retrieval = assistant.retriever.retrieve(QUESTION)
    row = next(r for r, s in enumerate(assistant.index.sentences) if s.text == "100s of PBs of training data.")
    check = checker(assistant)
    known = {"pinterest", "talk"}
    assert check.supports("Training data reached 100s of PBs", row, known, retrieval.question) is not None
    assert check.supports("Training data reached 200s of PBs", row, known, retrieval.question) is None  # number
    assert check.supports("Training data never reached 100s of PBs", row, known, retrieval.question) is None
    assert check.supports("The Pinterest talk", row, known, retrieval.question) is None  # says nothing
    assert check.supports("Models serve 100s of users", row, known, retrieval.question) is None


def test_a_count_question_is_not_answered_by_a_claim_without_a_number(assistant: Assistant) -> None:
    quote, n = best_quote(assistant, QUESTION)
    retrieval = assistant.retriever.retrieve(QUESTION)
    wordy = " ".join(w for w in quote.split() if not any(ch.isdigit() for ch in w))
    [without, with_number] = checker(assistant).check(f"{wordy} [{n}]. {quote} [{n}].", retrieval, retrieval.hits)
    assert not without.kept and without.reason == "holds no number or date, and the question asks one"
    assert with_number.kept, with_number.reason


def test_a_number_supports_only_what_it_counts_in_the_sentence(assistant: Assistant) -> None:
    """A sentence with two numbers, each before its own word: the first number of the claim
    must count the word it counts there, not the word the second one counts."""
    from recapqa.answer.claim_rules import NUMBER, counted_word

    check = checker(assistant)
    for row, sentence in enumerate(assistant.index.sentences):  # noqa: B007 (row is used after the loop)
        numbers = NUMBER.findall(sentence.text)
        counted = [counted_word(sentence.text, number) for number in numbers]
        if len(numbers) == 2 and len(set(numbers)) == 2 and None not in counted and counted[0] != counted[1]:
            break
    else:
        raise AssertionError("no sentence with two numbers counting two things")
    first_word = next(w for w in sentence.text[sentence.text.index(numbers[0]) + len(numbers[0]) :].split())
    second_word = sentence.text.split(numbers[1], 1)[1].split()[0]
    question = "How many are there?"
    assert check.supports(f"There are {numbers[0]} {first_word}", row, set(), question) is not None
    assert check.supports(f"There are {numbers[0]} {second_word}", row, set(), question) is None


def test_which_company_is_said_in_the_persons_speaker_line(assistant: Assistant) -> None:
    """ "Which company is X from?" is answered by X's "Speaker:" line ("X, engineer at Y"),
    even on a panel, and not by another panelist's line."""
    import re

    lines = []
    for talk_id, talk in assistant.index.talks.items():
        for row in assistant.extractive.facts.talks[talk_id].speaker_rows:
            match = re.match(r"([A-Z]\w+ [A-Z]\w+), .* at ([A-Z][\w ]+)$", assistant.index.sentences[row].text)
            if match and match.group(1) in talk.speaker_names and len(talk.speaker_names) > 2:
                lines.append((talk_id, row, *match.groups()))
    assert len(lines) >= 2
    for (talk_id, _, name, company), (_, _, _, other) in zip(lines, lines[1:] + lines[:1], strict=True):
        retrieval = assistant.retriever.retrieve(f"Which company is {name} from?")
        n = next(n for n, h in enumerate(retrieval.hits, 1) if h.talk.talk_id == talk_id)
        right, wrong = checker(assistant).check(
            f"{name} is from {company} [{n}]. {name} is from {other} [{n}].", retrieval, retrieval.hits
        )
        assert right.kept and company in assistant.index.sentences[right.sources[0][1]].text, right.reason
        assert not wrong.kept and wrong.reason == "its support does not answer the question"


@pytest.mark.parametrize(
    ("question", "asks"),
    [
        ("Which speakers talked about models in production?", True),
        ("Which PyCon 2013 lightning talk speaker explained how to fake typing during talks?", True),
        ("Who gave the keynote on feature stores?", True),
        ("What did the speaker say about feature stores?", False),
        ("Which company does the speaker work for?", False),
        ("Which feature store did Hello Fresh pick?", False),
    ],
)
def test_a_few_words_may_say_which_speaker_is_asked_for(question: str, asks: bool) -> None:
    assert asks_who_spoke(question) is asks


def test_which_speakers_is_answered_by_naming_the_speakers_of_a_talk_that_answers(
    assistant: Assistant, monkeypatch: pytest.MonkeyPatch
) -> None:
    quote, _ = best_quote(assistant, QUESTION)
    talk = next(
        t
        for t in assistant.index.talks.values()
        if any(s.text == quote and s.talk_id == t.talk_id for s in assistant.index.sentences)
    )
    assert len(talk.speaker_names) == 1
    retrieval = assistant.retriever.retrieve(f"Which speakers talked about models in production at {talk.company}?")
    cited = next(i for i, h in enumerate(retrieval.hits, 1) if h.talk.talk_id == talk.talk_id)
    other = next(i for i, h in enumerate(retrieval.hits, 1) if h.talk.talk_id != talk.talk_id)
    reply = f"{talk.title} ({talk.speaker_names[0]}) [{cited}]"
    [verdict] = checker(assistant).check(reply, retrieval, retrieval.hits)
    assert verdict.kept, verdict.reason
    assert not assistant.extractive.facts.sentences[verdict.sources[0][1]].speaker_line  # the talk's relevant sentence
    [verdict] = checker(assistant).check(f"{talk.title} ({talk.speaker_names[0]}) [{other}]", retrieval, retrieval.hits)
    assert not verdict.kept  # cited as another talk
    few = assistant.extractive.settings.model_copy(update={"llm_names_max_speakers": 0})
    monkeypatch.setattr(assistant.extractive, "settings", few)
    [verdict] = checker(assistant).check(reply, retrieval, retrieval.hits)
    assert not verdict.kept and verdict.reason == "its support does not answer the question"
