"""Which sentences shown to an LLM answer its question: rule (c) of the support check
(answer/citations.py). A claim is kept only when the sentence that supports it is one of these.

A sentence answers when the extractive answerer finds it eligible and scores it at least
`floor`, within `gap` log-odds of the best eligible sentence shown and among the `top` best
eligible ones (a true sentence of the right talk that is not the answer sits further down).
Two conventions of how notes are written let a sentence the answerer ranks lower answer too,
when it is eligible:

- **an item under its heading**: notes name a thing once, on a short line of its own (a list
  item or sub-heading: "Counting Service", "Route53 latency-based routing"), and say what it
  does in the lines right below it, without naming it again ("provides region wide view of
  customer concurrency ..."). The answerer ranks the short line first (it names what the
  question names) and the lines below it low (they do not). A sentence up to
  settings.llm_heading_reach rows below a short line of the same passage (at most
  settings.llm_heading_words words, no sentence end) that holds the most names of the question
  of any such line and scores within `gap` of the best line shown, eligible or not, answers as that line would, even
  when the answerer finds it ineligible for lack of that name;
- **an item under the line it hangs under**: a list item right below a line ("Design goals:",
  "Amazon.com in 2001: monolithic application and teams") says what that line names without
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
from recapqa.text import words

_GOES_ON = re.compile(r"^\W*(?:it|its|they|their|them|this|these|those|he|she|his|her)\b", re.I)
_SENTENCE_END = re.compile(r"[.!?:;]\W*$")


def log_odds(p: float) -> float:
    p = min(max(p, 1e-12), 1 - 1e-12)
    return math.log(p / (1 - p))


def relevant_rows(
    candidates: list[Candidate],
    sentences: Sequence[Sentence],
    floor: float,
    gap: float,
    heading_words: int,
    heading_reach: int,
    names: frozenset[str] = frozenset(),
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
    shown = {c.row: c for c in candidates}
    top_line = max((log_odds(c.score) for c in candidates), default=0.0) - gap

    def named(row: int) -> int:
        """How many names of the question the line `row` holds, when it is short, ends no
        sentence and is among the best lines shown; else 0."""
        text = sentences[row].text
        said = words(text)
        short = len(said) <= heading_words and not _SENTENCE_END.search(text)
        return len(names & set(said)) if short and log_odds(shown[row].score) >= top_line else 0

    most = max((named(row) for row in shown), default=0)

    def heads(row: int) -> bool:
        """The line `row` is a heading that names the question's subject best ("Ledger Service",
        not "Routing Service", for the Ledger Service)."""
        return most > 0 and named(row) == most

    out = dict(by_score)
    for c in candidates:
        if c.row in out:
            continue
        talk = sentences[c.row].talk_id
        above = [r for r in range(c.row - 1, c.row - heading_reach - 1, -1) if r in shown]
        if any(heads(r) for r in above if sentences[r].talk_id == talk):
            out[c.row] = c  # the heading names what the question names, for the lines it heads
        elif line_above(sentences, c.row, list_items) in by_score:
            out[c.row] = c  # the line it hangs under answers, and the item says what the line names
        elif c.eligible and _GOES_ON.match(sentences[c.row].text) and c.row - 1 in by_score:
            out[c.row] = c
    return out
