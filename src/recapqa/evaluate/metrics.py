"""Metric functions. Talk-level retrieval metrics follow BEIR/trec_eval with binary
relevance: a retrieved talk is relevant when a gold key is a case-insensitive substring of
its title (with its speakers' names: "the <speaker> keynote") or talk_id."""

from __future__ import annotations

import math
import re
import string
from collections import Counter
from collections.abc import Iterable, Sequence

from recapqa.models import Hit


def talk_key(talk_id: str, title: str, speakers: Sequence[str]) -> tuple[str, str]:
    """What a gold key is matched against: the talk's id, and its title with its speakers'
    names (a speaker's name names the talk titled "Keynote" that they gave)."""
    return talk_id, " ".join([title, *speakers])


def ranked_talks(hits: Iterable[Hit]) -> list[tuple[str, str]]:
    """The retrieved talks' keys (`talk_key`), each once, in the order retrieval ranked them."""
    ranked: list[tuple[str, str]] = []
    for hit in hits:
        key = talk_key(hit.talk.talk_id, hit.talk.title, hit.talk.speaker_names)
        if key not in ranked:
            ranked.append(key)
    return ranked


def talk_matches(key: str, talk_id: str, title: str) -> bool:
    key = key.lower()
    return key in talk_id.lower() or key in title.lower()


def relevance(ranked: Sequence[tuple[str, str]], gold: Sequence[str]) -> list[int]:
    """1/0 per ranked (talk_id, title): does it match any gold key?"""
    return [int(any(talk_matches(k, tid, title) for k in gold)) for tid, title in ranked]


def hit_at(rels: Sequence[int], k: int) -> float:
    return float(any(rels[:k]))


def mrr_at(rels: Sequence[int], k: int) -> float:
    for i, rel in enumerate(rels[:k]):
        if rel:
            return 1.0 / (i + 1)
    return 0.0


def ndcg_at(rels: Sequence[int], n_relevant: int, k: int) -> float:
    """nDCG@k, at most 1: a gold key that matches two talks (a post cut in two) makes both
    relevant, so the ideal counts every relevant talk retrieved, not only the keys."""
    dcg = sum(rel / math.log2(i + 2) for i, rel in enumerate(rels[:k]))
    relevant = max(n_relevant, sum(1 for rel in rels[:k] if rel))
    ideal = sum(1.0 / math.log2(i + 2) for i in range(min(relevant, k)))
    return dcg / ideal if ideal else 0.0


def _normalize(text: str) -> list[str]:
    """SQuAD normalisation: lower case, no punctuation or articles, single spaces."""
    text = text.lower()
    text = "".join(ch for ch in text if ch not in set(string.punctuation))
    text = re.sub(r"\b(a|an|the)\b", " ", text)
    return text.split()


def token_f1(prediction: str, truth: str) -> float:
    pred, gold = _normalize(prediction), _normalize(truth)
    if not pred or not gold:
        return float(pred == gold)
    common = sum((Counter(pred) & Counter(gold)).values())
    if not common:
        return 0.0
    precision, recall = common / len(pred), common / len(gold)
    return 2 * precision * recall / (precision + recall)


def best_f1(prediction: str, truths: Sequence[str]) -> float:
    return max((token_f1(prediction, t) for t in truths), default=0.0)


def _fold(text: str) -> str:
    return " ".join(text.lower().split())


def fact_hit(prediction: str, truths: Sequence[str], all_of: Sequence[str] = ()) -> bool:
    """One of `truths` (when given) and every one of `all_of` occur in the prediction
    (case and whitespace folded)."""
    folded = _fold(prediction)
    if truths and not any(_fold(t) in folded for t in truths):
        return False
    return all(_fold(t) in folded for t in all_of)


def words_present(prediction: str, phrase: str) -> bool:
    """Every word of `phrase` occurs in the prediction, in any order (SQuAD normalisation:
    case, punctuation and articles folded). How a summary's key point is counted: the
    answer quotes the notes, so it says the point in the notes' words, not the gold's order."""
    words = set(_normalize(phrase))
    return bool(words) and words <= set(_normalize(prediction))


def abstention_scores(abstained: Sequence[bool], answerable: Sequence[bool]) -> dict[str, float | None]:
    """Unanswerable questions are the positive class."""
    tp = sum(a and not ok for a, ok in zip(abstained, answerable, strict=True))
    predicted = sum(abstained)
    positives = sum(not ok for ok in answerable)
    precision = tp / predicted if predicted else None
    recall = tp / positives if positives else None
    f1 = (
        (2 * precision * recall / (precision + recall))
        if precision and recall
        else (0.0 if predicted and positives else None)
    )
    n_answerable = len(answerable) - positives
    false_rate = (
        sum(a and ok for a, ok in zip(abstained, answerable, strict=True)) / n_answerable if n_answerable else None
    )
    return {"precision": precision, "recall": recall, "f1": f1, "false_abstention_rate": false_rate}


def percentile(values: Sequence[float], q: float) -> float | None:
    """Linear-interpolated percentile (numpy's default), q in [0, 100]."""
    if not values:
        return None
    ordered = sorted(values)
    pos = (len(ordered) - 1) * q / 100
    low, high = math.floor(pos), math.ceil(pos)
    return ordered[low] + (ordered[high] - ordered[low]) * (pos - low)


def mean(values: Sequence[float]) -> float | None:
    return sum(values) / len(values) if values else None


def wilson(rate: float, n: int, z: float = 1.96) -> tuple[float, float]:
    """The Wilson score interval (95% by default) of a rate measured on n questions: how far
    a figure on a split of that size may move by chance alone."""
    if n <= 0:
        return (0.0, 1.0)
    centre = (rate + z * z / (2 * n)) / (1 + z * z / n)
    half = z * math.sqrt(rate * (1 - rate) / n + z * z / (4 * n * n)) / (1 + z * z / n)
    return (max(0.0, centre - half), min(1.0, centre + half))
