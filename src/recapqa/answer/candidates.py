"""Candidate answer sentences, and the lines an answer brings with its chosen sentences: the
items of a chosen lead-in, the label of a chosen item."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from recapqa.answer.facts import points_back
from recapqa.models import Hit
from recapqa.sentences import Sentence, same_talk_rows
from recapqa.text import terms


@dataclass
class Candidate:
    row: int
    hit: Hit
    rank: float  # its retrieval rank (`retrieval_ranks`), 0 first
    score: float
    eligible: bool
    features: tuple[float, ...] = ()


def retrieval_ranks(hits: Sequence[Hit], talk_share: float) -> list[float]:
    """The rank each retrieved chunk lends its sentences: its own, moved `talk_share` of the way
    toward the rank of its talk's first retrieved chunk. Which chunk of the right talk came first
    says less of which of its sentences answers than whether the talk came first: a paragraph's
    opening, retrieved first, names the talk's topic; the detail asked sits rows below it."""
    first: dict[str, int] = {}
    for rank, hit in enumerate(hits):
        first.setdefault(hit.talk.talk_id, rank)
    return [rank - talk_share * (rank - first[hit.talk.talk_id]) for rank, hit in enumerate(hits)]


def with_list_items(sentences: Sequence[Sentence], chosen: list[Candidate], limit: int = 6) -> list[Candidate]:
    """A chosen line that introduces a list ("Advice for someone starting their career:")
    says nothing alone: bring the items it introduces; a chosen item under a label
    (a lead-in without ':') comes after its label."""
    out: list[Candidate] = []
    used: set[int] = set()
    for cand in chosen:
        if cand.row in used:  # already brought in as an item of an earlier lead-in
            continue
        label = _label_row(sentences, cand.row)
        if label is not None and label not in used:  # '3. Private Links' above '- LIMITED bandwidth'
            out.append(Candidate(label, cand.hit, cand.rank, cand.score, True))
            used.add(label)
        out.append(cand)
        used.add(cand.row)
        lead = sentences[cand.row]
        if not lead.text.rstrip().endswith(":") and not lead.gist_label and not _labels_items(sentences, cand.row):
            continue  # a line says what its items are about with ':' or as their label
        added = 0
        for row in same_talk_rows(sentences, cand.row, 1, len(sentences)):
            item = sentences[row]
            if added >= limit or not item.list_item:
                break
            if (item.context == lead.text or (lead.gist_label and not item.context)) and row not in used:
                out.append(Candidate(row, cand.hit, cand.rank, cand.score, True))
                used.add(row)
                added += 1
    return out


def with_antecedent(sentences: Sequence[Sentence], chosen: list[Candidate]) -> list[Candidate]:
    """The best sentence, when it opens by pointing back ('This change would allow it to…'),
    comes after the sentence of its paragraph it points back to: that one names 'it'."""
    best = chosen[0]
    here = sentences[best.row]
    if here.list_item or not here.previous or best.row == 0 or not points_back(here.text):
        return chosen
    before = sentences[best.row - 1]
    if before.talk_id != here.talk_id or before.text != here.previous:
        return chosen
    already = next((c for c in chosen if c.row == best.row - 1), None)  # a runner-up: moved before it
    lead = already or Candidate(best.row - 1, best.hit, best.rank, best.score, True)
    return [lead, *(c for c in chosen if c is not already)]


def _labels_items(sentences: Sequence[Sentence], row: int) -> bool:
    """Is the line the label of the list items right under it ('3. Private Links' above
    '- LIMITED bandwidth')?"""
    below = next(same_talk_rows(sentences, row, 1, 1), None)
    return below is not None and sentences[below].list_item and sentences[below].context == sentences[row].text


def _label_row(sentences: Sequence[Sentence], row: int, reach: int = 12) -> int | None:
    """The row of the label a list item sits under (a lead-in without ':'), if any."""
    label = sentences[row].label
    if not label:
        return None
    return next((r for r in same_talk_rows(sentences, row, -1, reach) if sentences[r].text == label), None)


def asks_lead_in(sentences: Sequence[Sentence], best: Candidate, question: str, shared: int = 2) -> bool:
    """Does the question ask what a list's lead-in introduces ('Kopernik read:' for "whose work
    had Kopernik read?"): the best sentence is an item whose lead-in shares `shared` of the
    question's words?"""
    item = sentences[best.row]
    lead_in = item.context.rstrip()
    return item.list_item and lead_in.endswith(":") and len(set(terms(lead_in)) & set(terms(question))) >= shared


def with_siblings(sentences: Sequence[Sentence], chosen: list[Candidate], limit: int = 6) -> list[Candidate]:
    """For a question asking for a list: the best sentence, when it is a list item, comes
    with the items of its list (same lead-in, same heading, one run), in source order."""
    best = chosen[0]
    item = sentences[best.row]
    if not item.list_item:  # 'Since those were missing, …' right after a list: that list
        before = sentences[best.row - 1] if best.row > 0 else None
        if before is None or not before.list_item or before.talk_id != item.talk_id or not points_back(item.text):
            return chosen
        listed = with_siblings(sentences, [Candidate(best.row - 1, best.hit, best.rank, best.score, True)], limit)
        return [c for c in listed if c.row != best.row] + chosen

    def same_list(row: int) -> bool:
        other = sentences[row]
        return other.list_item and (other.talk_id, other.context, other.heading) == (
            item.talk_id,
            item.context,
            item.heading,
        )

    first = best.row
    while first > 0 and same_list(first - 1) and best.row - first < limit:
        first -= 1
    last = best.row
    while last + 1 < len(sentences) and same_list(last + 1) and last - first + 1 < limit:
        last += 1
    if last == first:
        return chosen
    run = [c for c in chosen if first <= c.row <= last]
    by_row = {c.row: c for c in run}
    items = [by_row.get(row, Candidate(row, best.hit, best.rank, best.score, True)) for row in range(first, last + 1)]
    return items + [c for c in chosen if c.row not in by_row]
