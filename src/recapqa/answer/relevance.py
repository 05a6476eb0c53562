"""Which sentences shown to an LLM answer its question: rule (c) of the support check
(answer/citations.py). A claim is kept only when the sentence that supports it is one of these.

A sentence answers when the extractive answerer finds it eligible and scores it at least
`floor`, within `gap` log-odds of the best eligible sentence shown and among the `top` best
eligible ones (a true sentence of the right talk that is not the answer sits further down).
Two conventions of how notes are written let a sentence the answerer ranks lower answer too
(a list item even when the answerer finds it ineligible):

- **an item under the line it hangs under**: a list item right below a line ("Design goals:",
  "Acme in 2012: one big service and one team") says what that line names without
  naming it again; it answers when that line does (answer/list_lines.py, at most
  settings.llm_list_items items below it);
- **a sentence that goes on about the one before it**: a sentence opening with a pronoun
  ("It connects various UI components ...") is about what the sentence before it names, so it
  answers when that sentence does.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence

from recapqa.answer.extractive import Candidate
from recapqa.answer.list_lines import line_above
from recapqa.sentences import Sentence

_GOES_ON = re.compile(r"^\W*(?:it|its|they|their|them|this|these|those|he|she|his|her)\b", re.I)


def log_odds(p: float) -> float:
    p = min(max(p, 1e-12), 1 - 1e-12)
    return math.log(p / (1 - p))


def relevant_rows(
    candidates: list[Candidate],
    sentences: Sequence[Sentence],
    floor: float,
    gap: float,
    list_items: int = 0,
    top: int = 0,
) -> dict[int, Candidate]:
    """The candidates (by sentence row) whose sentence answers the question (module doc);
    `top` > 0: only the `top` best eligible sentences answer by their own score."""
    eligible = sorted((c for c in candidates if c.eligible), key=lambda c: (-c.score, c.row))
    best = max((c.score for c in eligible), default=0.0)
    lowest = log_odds(best) - gap
    ranked = eligible[:top] if top > 0 else eligible
    by_score = {c.row: c for c in ranked if c.score >= floor and log_odds(c.score) >= lowest}
    out = dict(by_score)
    for c in candidates:
        if c.row in out:
            continue
        if line_above(sentences, c.row, list_items) in by_score:
            out[c.row] = c  # the line it hangs under answers, and the item says what the line names
        elif c.eligible and _GOES_ON.match(sentences[c.row].text) and c.row - 1 in by_score:
            out[c.row] = c
    return out
