"""What the extractive answerer knows about one candidate sentence, as numbers.

One row per feature (name, meaning); rules that make a sentence ineligible (a count where
one is asked, names the talk must be about) are not features: `answer/eligibility.py`.
The answerer scores a sentence as the logistic of the
weighted sum, a probability that the sentence answers the question. The weights are
fitted on the dev splits of both question sets by eval/calibrate.py and live in
`Settings.answer_weights`. The best sentence's probability is also what abstention
compares with `Settings.abstain_threshold`, so one threshold means the same on any corpus.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence, Set

from recapqa.errors import ConfigError

FEATURES: tuple[tuple[str, str], ...] = (
    ("bias", "always 1"),
    ("dense", "cosine between the question and the sentence (with its lead-in)"),
    ("cover", "IDF-weighted share of the question's content words in the sentence or its talk"),
    ("cover_text", "the same share in the sentence's own words only"),
    ("rank", "1 / (1 + rank of its chunk, moved toward its talk's first chunk's: candidates.retrieval_ranks)"),
    ("kind", "how well the sentence holds what the question asks for (0..2)"),
    ("talk_named", "1 when the question names the sentence's talk"),
    ("names_sentence", "share of the question's names in the sentence, its lead-in or the sentence before"),
    ("names_talk", "share of the question's names in the talk's metadata (title, speakers, event...)"),
    ("numbers_missing", "1 when a number the question gives (a year, an edition) is not in the sentence or talk"),
    ("fragment", "1 for a fragment of three words or fewer"),
    ("lead_in", "1 for a line that ends with ':' (it introduces a list) and holds nothing the question asks for"),
    ("list_item", "1 for a list item"),
    ("terms_unknown", "IDF-weighted share of the question's content words that occur nowhere in the notes"),
    (
        "kind_missing",
        "1 when the question asks for a type of detail (kinds.TYPED: a time, a number, a place, a name...; or a "
        "job title, answer/details.py) and neither the sentence nor its lead-in holds one",
    ),
    (
        "talk_words",
        "IDF-weighted share of the question's words (those the notes use) that the sentence's talk metadata holds "
        "(title, speakers, event...): how much of the question only says which talk it is about",
    ),
    (
        "topic_cover",
        "IDF-weighted share of the question's other words (those the notes use, not in the talk's metadata) that "
        "the sentence itself holds: what the question asks about the talk, found in the sentence",
    ),
)
# read by the confidence model only: the ranking's weight is 0 (eval/loco.py fits the ranking without them)
CONFIDENCE_ONLY = ("kind_missing", "talk_words", "topic_cover")
NAMES = tuple(name for name, _ in FEATURES)

# Whether the chosen answer holds: features of the question's best eligible sentence.
CONFIDENCE_FEATURES: tuple[tuple[str, str], ...] = (
    ("bias", "always 1"),
    ("best_logit", "log-odds of the best sentence's probability"),
    ("margin", "its probability minus the runner-up's"),
    ("cover_text", "the best sentence's own coverage of the question's words"),
    ("terms_unknown", "share of the question's words found nowhere in the notes"),
    ("dense", "the best sentence's cosine with the question"),
    ("names_sentence", "share of the question's names in the best sentence or its lead-in"),
    ("kind", "how well the best sentence holds what the question asks for"),
    ("kind_missing", "the question asks for a type of detail the best sentence and its lead-in do not hold"),
    ("talk_words", "share of the question's words the best sentence's talk metadata holds"),
    ("topic_cover", "share of the question's words beyond the talk's metadata that the best sentence holds"),
)
CONFIDENCE_NAMES = tuple(name for name, _ in CONFIDENCE_FEATURES)


def check_weights(answer: Sequence[float], confidence: Sequence[float]) -> None:
    """A ConfigError when a weight setting does not give one weight per feature."""
    for given, names, setting in (
        (answer, NAMES, "RECAPQA_ANSWER_WEIGHTS"),
        (confidence, CONFIDENCE_NAMES, "RECAPQA_CONFIDENCE_WEIGHTS"),
    ):
        if len(given) != len(names):
            raise ConfigError(
                f"{setting} has {len(given)} weights; the answerer has {len(names)} features",
                f"give one weight per feature ({', '.join(names)}) or unset it",
            )


def probability(weights: Sequence[float], values: Sequence[float]) -> float:
    z = sum(w * v for w, v in zip(weights, values, strict=True))
    return 1.0 / (1.0 + math.exp(-max(-30.0, min(30.0, z))))


def confidence_values(scores: Sequence[float], best: Sequence[float]) -> tuple[float, ...]:
    """CONFIDENCE_FEATURES from the eligible candidates' scores (best first) and the best
    candidate's FEATURES."""
    p = min(max(scores[0], 1e-6), 1 - 1e-6)
    runner_up = scores[1] if len(scores) > 1 else 0.0
    values = dict(zip(NAMES, best, strict=True))
    return (
        1.0,
        math.log(p / (1 - p)),
        p - runner_up,
        values["cover_text"],
        values["terms_unknown"],
        values["dense"],
        values["names_sentence"],
        values["kind"],
        values["kind_missing"],
        values["talk_words"],
        values["topic_cover"],
    )


def topic_values(
    question: Set[str], idf: Callable[[str], float], known: Callable[[str], bool], talk: Set[str], own: Set[str]
) -> tuple[float, float]:
    """(talk_words, topic_cover) of a sentence: the question's stemmed words that the notes use
    (`known`), split into those its talk's metadata holds (`talk`: 'Acme', 'Jane' in "What did
    Jane from Acme say about caching?") and the rest ('caching'), and how much of the rest the
    sentence's own words (`own`) hold, each IDF-weighted. A near miss often names a real talk
    and asks what it does not say: most of its weight is the talk's name, and the sentence
    picked for it holds little of the rest."""
    asked = [t for t in question if known(t)]
    whole = sum(idf(t) for t in asked) or 1.0
    rest = [t for t in asked if t not in talk]
    weight = sum(idf(t) for t in rest)
    held = sum(idf(t) for t in rest if t in own) / weight if weight else 1.0
    return 1.0 - weight / whole, held
