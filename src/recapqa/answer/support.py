"""Rule (b) of the support check (answer/citations.py): does one sentence of the notes say
what one claim says? Word overlap in proportion to the claim, or embedding similarity, with
every number the claim adds in the sentence (counting the same thing; a hedge such as
"approximately" need not be there), the claim's negations bearing on what the sentence
negates, an abbreviation the claim spells out spelled out as the sentence does
(answer/abbreviations.py), and a word of each reason or consequence the claim attaches
("..., which made the team drop it") in the sentence. A line with list items hanging under it
says what its items say too (answer/list_lines.py)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from recapqa.answer.abbreviations import spelled_out_agrees
from recapqa.answer.claim_rules import (
    HEDGES,
    NEGATION,
    NEGATION_SCOPE,
    NUMBER,
    attached_clauses,
    contrast_matches,
    negation_matches,
    number_values,
    numbers_bound,
)
from recapqa.sentences import Sentence
from recapqa.text import terms, with_digits

LEXICAL_SUPPORT = 0.5  # share of the claim's content words the sentence (with its talk's names) holds
NEW_SUPPORT = 0.6  # share of the words the claim adds to the question that the sentence itself holds
EMBED_SUPPORT = 0.75  # cosine that stands for word overlap...
EMBED_NEW_SUPPORT = 0.5  # ...when the sentence still holds this share of the added words


@dataclass(frozen=True)
class ClaimWords:
    """What the support rules read of one claim."""

    text: str
    terms: frozenset[str]  # its content terms
    new: frozenset[str]  # those it adds to the question and the talk names (empty only when it adds a number)
    numbers: frozenset[str]  # numbers it adds to the question
    vector: np.ndarray | None  # its embedding, when an encoder is given
    polar: bool = False  # it answers a yes / no question by negating it (claim_rules.answers_no)

    @property
    def negated(self) -> bool:
        return bool(NEGATION.search(self.text))

    @classmethod
    def of(cls, text: str, new: set[str], question: str, vector: np.ndarray | None, polar: bool = False) -> ClaimWords:
        numbers = frozenset(added_numbers(text, question))
        return cls(text, frozenset(terms(text)), frozenset(new), numbers, vector, polar)


def added_numbers(text: str, question: str) -> set[str]:
    """The numbers of `text` the question does not hold (content terms leave out short
    numbers: "5 write operations" adds the 5)."""
    return set(NUMBER.findall(text)) - set(NUMBER.findall(question))


def sentence_support(
    claim: ClaimWords, sentence: Sentence, items: str, talk_terms: frozenset[str], vector: np.ndarray
) -> float | None:
    """Support of `sentence` (with `items`, the text of the list items hanging under it, and
    `talk_terms`, its talk's title, company and speakers; `vector` its embedding) for the
    claim: the larger of word overlap and cosine, or None when it does not support it."""
    said = f"{sentence.context} {sentence.text} {items}"
    return text_support(claim, said, talk_terms, vector)


def text_support(claim: ClaimWords, said: str, talk_terms: frozenset[str], vector: np.ndarray | None) -> float | None:
    """Support of the text `said` (`vector`: its embedding, if any) for the claim, as above; a
    number the claim gives in digits may be spelled out there ("9 patterns": "Nine patterns")."""
    said = with_digits(said) if claim.numbers else said
    written = {n for n in claim.numbers if n in said}
    if written != claim.numbers:  # a figure written another way ("23,000" for "23 thousand")
        worth, theirs = number_values(claim.text), set(number_values(said).values())
        if any(n not in worth or worth[n] not in theirs for n in claim.numbers - written):
            return None
    if written and not numbers_bound(claim.text, said, written):
        return None  # "137 million cities" is not supported by "137 million users in 10 000 cities"
    if claim.negated and not negation_matches(claim.text, said, NEGATION_SCOPE if claim.polar else 1):
        return None  # "X does not use Y" is not supported by "X uses Y", nor by "X does not use Z but Y"
    if not contrast_matches(claim.text, said):
        return None  # "B is faster than A" is not supported by "A is faster than B"
    if not spelled_out_agrees(claim.text, said):
        return (
            None  # "LSN stands for Log Storage Node" is not supported by "Log sequence number (LSN) ... storage nodes"
        )
    own = set(terms(said)) | {t for n in claim.numbers - written for t in terms(n)}  # worth the same, checked above
    if any(not clause & (own | talk_terms) for clause in attached_clauses(claim.text)):
        return None  # "..., which made the team drop it": the sentence says nothing of why they dropped it
    shared = claim.terms & (own | talk_terms)
    lexical = len(shared) / len(claim.terms)
    # what the claim adds must be in the sentence itself (its numbers are, by the test above),
    # but a hedge ("approximately 5") need not be
    new_covered = len(claim.new & (own | HEDGES)) / len(claim.new) if claim.new else 1.0
    enough = len(shared) >= min(2, len(claim.terms))
    lexical_ok = lexical >= LEXICAL_SUPPORT and new_covered >= NEW_SUPPORT and enough
    cosine = float(vector @ claim.vector) if claim.vector is not None and vector is not None else 0.0
    if lexical_ok or (cosine >= EMBED_SUPPORT and new_covered >= EMBED_NEW_SUPPORT):
        return max(lexical, cosine)
    return None
