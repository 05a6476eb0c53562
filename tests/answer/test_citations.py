import numpy as np

from recapqa.answer.citations import check, split_claims


def test_markers_after_the_full_stop_belong_to_the_sentence() -> None:
    claims = split_claims("Uber runs 5.3k models [1]. It serves 10M predictions. [2] [3] Fine [1, 2].")
    assert [(c.text, c.cited) for c in claims] == [
        ("Uber runs 5.3k models.", [1]),
        ("It serves 10M predictions.", [2, 3]),
        ("Fine.", [1, 2]),
    ]


def test_support_is_lexical_per_cited_source() -> None:
    sources = [[(0, "Around 5.3k models in production")], [(1, "Kafka for open source messaging queue")]]
    vectors = np.zeros((2, 4), dtype=np.float32)
    kept = check(
        "Uber has 5.3k models in production [2][1]. Kafka is great [2]. Unrelated [1].", sources, vectors, embed=None
    )
    assert [(k.text, [s[0] for s in k.sources]) for k in kept] == [
        ("Uber has 5.3k models in production.", [1]),
    ]  # "Kafka is great" shares one of three content words: not enough
