"""LLM answers to gist questions, against a scripted server (tests/fake_llm.py): the sources
are the sentences the extractive summary selected; a reply is kept only when every claim
cites one of them and is supported by it, else the user gets the extractive summary and why."""

import pytest

from conftest import DEFAULT_CORPUS
from fake_llm import fake_llm
from recapqa.answer.claims import Claim
from recapqa.answer.llm_gist import check_selected, selected_gist, sentence_rows
from recapqa.answer.prompt import CANNOT_ANSWER_REPLY, GIST_SYSTEM_PROMPT
from recapqa.ingest import quote_in_source
from recapqa.models import Answer
from recapqa.pipeline import Assistant
from recapqa.settings import AnswerMode

QUESTION = "Summarize the Pinterest talk"
HEAD = "Summary of Evolution of the Ads Ranking System at Pinterest (Aayush Mudgal):"
# reworded from the five sentences the extractive summary selects (asserted below; [4] and [5]
# are lists' lead-ins quoted with their short items)
FIRST = "Pinterest started using its first model in 2014"  # [1]
DEEP = "After 2017 they explored deep learning because boosted trees are hard to train"  # [2]
PINNER = "In 2022 they released Pinnerformer, a transformer multitask model"  # [3]
DATA = "Training data reached 100s of PBs"  # [4]
RUNS = "There are about 1500 workflow runs per day"  # [4]
JOBS = "There are about 3000 training jobs per day"  # [4]
CHANGES = "Rapid changes in ML can quickly make templates obsolete"  # [5]


@pytest.fixture(scope="module")
def gist(assistant: Assistant) -> Answer:
    answer, _ = assistant.ask(QUESTION, mode="extractive")
    assert answer.answer.splitlines()[0] == HEAD
    assert [c.quote for c in answer.citations] == [
        "They started using their first model in 2014 (four years after Pinterest’s release), followed in 2017 "
        "by their first boosted trees and logistic regression.",
        "After 2017, they explored using deep learning to address the problem that boosted tree and logistic "
        "regression models are hard to train (as they don’t support incremental training).",
        "In 2022, they released Pinnerformer (a transformer + multitask model, predicting user interactions with "
        "Pins), and also introduced a new environment based on Pytorch (caled Mlenv).",
        "Statistics around their platform are impressive:\n\n  1. 100s of PBs of training data.\n"
        "  2. ~1500 workflow runs per day.\n  3. ~3000 training jobs per day.",
        "He also shared some challenges at Pinterest (that can slow the Ml deployment):\n\n"
        "  1. Rapid changes in ML can quickly make templates obsolete.\n"
        "  2. The need to know and maintain many languages and frameworks.\n"
        "  3. Code reviews and meetings.\n  4. Motto: Scale first and learn last",
    ]
    return answer


def ask(assistant: Assistant, reply: str, mode: AnswerMode = "llm") -> tuple[Answer, dict[str, object]]:
    with fake_llm(reply) as server:
        settings = assistant.settings.model_copy(update={"llm_base_url": server["base_url"], "llm_timeout": 5.0})
        answer, _ = Assistant(assistant.index, settings).ask(QUESTION, mode=mode)
    assert len(server["requests"]) == 1
    return answer, server


def assert_falls_back(answer: Answer, gist: Answer, reason: str, reply: str) -> None:
    assert answer.mode == "extractive"
    assert answer.fallback_reason is not None and reason in answer.fallback_reason, answer.fallback_reason
    assert answer.answer == gist.answer  # the extractive summary, whole
    assert answer.citations == gist.citations
    assert answer.llm_reply == reply


def test_the_sources_are_the_selected_sentences(assistant: Assistant, gist: Answer) -> None:
    _, server = ask(assistant, f"- {FIRST} [1]")
    messages = server["requests"][0]["messages"]  # type: ignore[index]
    assert messages[0]["content"] == GIST_SYSTEM_PROMPT
    expected = "\n\n".join(
        f"[{n}] Evolution of the Ads Ranking System at Pinterest (Aayush Mudgal)\n{c.quote}"
        for n, c in enumerate(gist.citations, 1)
    )
    assert messages[1]["content"].startswith(f"Sources:\n\n{expected}\n\nQuestion: {QUESTION}\n")


def test_a_supported_reply_is_kept_as_a_cited_list(assistant: Assistant, gist: Answer) -> None:
    reply = f"Here is a summary:\n- {FIRST} [1].\n- {PINNER} [3].\n* {CHANGES}. [5]"
    answer, _ = ask(assistant, reply)
    assert answer.mode == "llm" and answer.fallback_reason is None and not answer.abstained
    assert answer.answer == f"{HEAD}\n- {FIRST} [1]\n- {PINNER} [2]\n- {CHANGES} [3]"
    quotes = [gist.citations[i].quote for i in (0, 2, 4)]
    assert [c.quote for c in answer.citations] == quotes
    for c in answer.citations:
        assert quote_in_source(DEFAULT_CORPUS, c.source, c.start_line, c.end_line, c.quote)
    assert answer.llm_reply == reply


def test_a_repeated_bullet_is_dropped(assistant: Assistant, gist: Answer) -> None:
    answer, _ = ask(assistant, f"- {FIRST} [1]\n- {FIRST} [1]\n- {DATA} [4]")
    assert answer.mode == "llm"
    assert answer.answer == f"{HEAD}\n- {FIRST} [1]\n- {DATA} [2]"


@pytest.mark.parametrize(
    ("reply", "reason"),
    [
        (
            f"- {FIRST} [1]\n- The moon is made of cheese [2]",
            "'The moon is made of cheese' no cited sentence supports it",
        ),
        (f"- {FIRST} [1]\n- {PINNER}", f"'{PINNER}' cites no source"),
        (f"- {FIRST} [1]\n- {DEEP} [7]", "cites a source it was not given"),
        (f"- {FIRST} [2]", f"'{FIRST}' no cited sentence supports it"),  # true, but of another source
        ("- Pinterest started using its first model in 2015 [1]", "no cited sentence supports it"),  # wrong number
        ("- They did not explore deep learning after 2017 [2]", "no cited sentence supports it"),  # negated
        ("- Evolution of the Ads Ranking System at Pinterest [1]", "says nothing beyond the question"),
        (CANNOT_ANSWER_REPLY, "the LLM declined to answer, but the notes have sentences on this"),
        ("Here is a summary:", "the LLM reply had no claim to check"),
    ],
)
def test_a_reply_with_one_bad_claim_falls_back_to_the_extractive_summary(
    assistant: Assistant, gist: Answer, reply: str, reason: str
) -> None:
    answer, _ = ask(assistant, reply)
    assert_falls_back(answer, gist, reason, reply)


def test_the_reason_counts_the_failed_claims(assistant: Assistant, gist: Answer) -> None:
    reply = f"- {FIRST} [1]\n- The moon is made of cheese [2]\n- Mars is red [3]"
    answer, _ = ask(assistant, reply)
    assert answer.fallback_reason == (
        "2 of the LLM's 3 claims failed the check: 'The moon is made of cheese' no cited sentence supports it"
    )


def test_auto_keeps_an_llm_summary_only_when_it_loses_no_sentence_nor_figure(
    assistant: Assistant, gist: Answer
) -> None:
    full = f"- {FIRST} [1]\n- {DEEP} [2]\n- {PINNER} [3]\n- {DATA} [4]\n- {RUNS} [4]\n- {JOBS} [4]\n- {CHANGES} [5]"
    kept, _ = ask(assistant, full, mode="auto")
    assert kept.mode == "llm" and kept.fallback_reason is None
    assert [c.quote for c in kept.citations] == [c.quote for c in gist.citations]
    partial = f"- {FIRST} [1]\n- {PINNER} [3]"
    answer, _ = ask(assistant, partial, mode="auto")
    reason = "the LLM summary leaves out 3 of the 5 sentences the extractive summary gives"
    assert_falls_back(answer, gist, reason, partial)
    llm_mode, _ = ask(assistant, partial, mode="llm")
    assert llm_mode.mode == "llm"  # mode llm keeps any summary that passes the check
    no_figure = full.replace(DATA, "There were PBs of training data")  # [4] says "100s of PBs"
    answer, _ = ask(assistant, no_figure, mode="auto")
    assert_falls_back(answer, gist, "the LLM summary drops figures the extractive summary gives (100)", no_figure)


def test_check_selected_reads_each_claim_against_its_own_sentence(assistant: Assistant, gist: Answer) -> None:
    llm = assistant.llm
    rows = sentence_rows(llm, gist.citations)
    texts = [assistant.index.sentences[r].text for r in rows]  # a lead-in quoted with its items: its first item
    assert texts[:3] == [c.quote for c in gist.citations[:3]]
    assert texts[3:] == ["100s of PBs of training data.", "Rapid changes in ML can quickly make templates obsolete."]
    claims = [Claim(FIRST, [1]), Claim(DATA, [1, 4]), Claim(DEEP, [])]
    verdicts = check_selected(llm.checker, claims, QUESTION, rows)
    assert [(v.reason, [s[:2] for s in v.sources]) for v in verdicts] == [
        ("supported", [(1, rows[0])]),
        ("supported", [(4, rows[3])]),  # [1] does not hold it: only [4] is kept as its citation
        ("cites no source", []),
    ]


def test_a_claim_naming_the_speaker_of_another_talk_is_unsupported(assistant: Assistant) -> None:
    question = "Which speakers brought up MLflow?"
    gist = selected_gist(assistant.llm, assistant.retriever.retrieve(question))
    assert gist is not None
    assert [(c.talk.title, c.talk.speaker_names, c.quote) for c in gist.citations] == [
        ("ML in a multi-cloud environment", ["Dr. Rebecca Taylor"], "mlflow for model management and zen-ml"),
        (
            "Panel: Production Machine Learning for Recsys: Challenges and Best Practices",
            ["Mihir Mathur", "Morena Bastiaansen", "Christopher Addy", "Ian Schweer"],
            "MLflow for model storage and versioning.",
        ),
        (
            "Evolution of the Ads Ranking System at Pinterest",
            ["Aayush Mudgal"],
            "Use of MLflow for model deployment (model registry + scorpion model server).",
        ),
    ]
    rows = sentence_rows(assistant.llm, gist.citations)
    claims = [
        Claim("Rebecca Taylor uses MLflow for model management", [1]),
        Claim("Aayush Mudgal uses MLflow for model management", [1]),  # his talk is [3]
        Claim("Aayush Mudgal uses MLflow for model deployment", [3]),
        # "which speakers": the speaker is the answer, and must be the cited talk's
        Claim("Dr. Rebecca Taylor brought up MLflow", [1]),
        Claim("Mihir Mathur and Ian Schweer brought up MLflow", [2]),
        Claim("Aayush Mudgal brought up MLflow", [1]),
    ]
    verdicts = check_selected(assistant.llm.checker, claims, question, rows)
    assert [v.reason for v in verdicts] == [
        "supported",
        "no cited sentence supports it",
        "supported",
        "supported",
        "supported",
        "says nothing beyond the question and talk names",
    ]
