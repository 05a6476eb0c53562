import math

import pytest

from recapqa.evaluate import metrics as m


def test_relevance_matches_gold_keys_as_substrings_of_title_or_id() -> None:
    ranked = [
        ("journey-of-the-ai-platform-at-uber", "Journey of the AI platform at Uber"),
        ("ml-in-a-multi-cloud-environment", "ML in a multi-cloud environment"),
    ]
    assert m.relevance(ranked, ["UBER"]) == [1, 0]
    assert m.relevance(ranked, ["Multi-Cloud"]) == [0, 1]
    assert m.relevance(ranked, []) == [0, 0]


def test_hit_mrr_ndcg() -> None:
    rels = [0, 1, 0, 1, 0, 1]
    assert m.hit_at(rels, 1) == 0.0 and m.hit_at(rels, 2) == 1.0
    assert m.mrr_at(rels, 5) == 0.5
    assert m.mrr_at([0, 0, 0, 0, 0, 1], 5) == 0.0
    dcg = 1 / math.log2(3) + 1 / math.log2(5)
    ideal = 1 + 1 / math.log2(3)
    assert m.ndcg_at(rels, n_relevant=2, k=5) == pytest.approx(dcg / ideal)
    assert m.ndcg_at([1, 1], n_relevant=2, k=5) == pytest.approx(1.0)
    assert m.ndcg_at([], n_relevant=2, k=5) == 0.0
    assert m.ndcg_at([0, 0], n_relevant=0, k=5) == 0.0
    # one gold key matching two retrieved talks (a post cut in two): both relevant, never above 1
    assert m.ndcg_at([1, 1, 0], n_relevant=1, k=5) == pytest.approx(1.0)
    assert m.ndcg_at([0, 1, 1], n_relevant=1, k=5) < 1.0


def test_squad_f1_and_fact_hit() -> None:
    assert m.token_f1("Around 5.3k models in production", "5.3k models") == pytest.approx(
        2 * (2 / 5) / (2 / 5 + 1)
    )  # 5 predicted tokens, both gold tokens found
    assert m.token_f1("The cat", "a cat") == 1.0  # articles and case ignored
    assert m.token_f1("", "") == 1.0 and m.token_f1("x", "") == 0.0
    assert m.best_f1("Kafka", ["Flink", "kafka!"]) == 1.0
    assert m.best_f1("anything", []) == 0.0
    assert m.fact_hit("Around 5.3K models", ["5.3k"]) and not m.fact_hit("5 models", ["5.3k"])


def test_abstention_scores() -> None:
    answerable = [True, True, False, False]
    s = m.abstention_scores([False, True, True, False], answerable)
    assert s == {"precision": 0.5, "recall": 0.5, "f1": 0.5, "false_abstention_rate": 0.5}
    none = m.abstention_scores([False] * 4, answerable)
    assert none["precision"] is None and none["recall"] == 0.0 and none["false_abstention_rate"] == 0.0
    everything = m.abstention_scores([True] * 4, answerable)
    assert everything["recall"] == 1.0 and everything["precision"] == 0.5 and everything["false_abstention_rate"] == 1.0
    only_answerable = m.abstention_scores([True, False], [True, True])
    assert only_answerable["recall"] is None and only_answerable["false_abstention_rate"] == 0.5


def test_percentile_matches_linear_interpolation() -> None:
    assert m.percentile([], 50) is None
    assert m.percentile([5.0], 95) == 5.0
    assert m.percentile([1.0, 2.0, 3.0, 4.0], 50) == 2.5
    assert m.percentile(list(range(1, 101)), 95) == pytest.approx(95.05)


def test_a_key_point_counts_when_all_its_words_are_in_the_answer_in_any_order() -> None:
    answer = "- In 2014 they deployed the first model.\n- Later: boosted trees."
    assert m.words_present(answer, "first model in 2014")
    assert m.words_present(answer, "Boosted trees")
    assert not m.words_present(answer, "first boosted model in 2015")
    assert not m.words_present(answer, "the")  # articles only: nothing to find


def test_the_wilson_interval_of_a_rate() -> None:
    low, high = m.wilson(0.5, 100)
    assert (round(low, 3), round(high, 3)) == (0.404, 0.596)
    assert m.wilson(1.0, 10)[1] == 1.0 and round(m.wilson(1.0, 10)[0], 3) == 0.722
    assert m.wilson(0.0, 0) == (0.0, 1.0)  # no questions: nothing known


def test_the_report_gives_each_split_rate_with_its_interval_and_count() -> None:
    from recapqa.evaluate.report import interval_table

    split = {
        "counts": {"with_gold_talks": 100, "answerable": 100, "unanswerable": 0},
        "retrieval": {"hit@1": 0.5},
        "answers": {"fact_hit": 1.0},
        "abstention": {"recall": None, "false_abstention_rate": 0.0},
    }
    row = interval_table({"set · test": split})[2]
    assert row == (
        "| set · test | 0.500 [0.40–0.60] (n=100) | 1.000 [0.96–1.00] (n=100) | – | 0.000 [0.00–0.04] (n=100) |"
    )
