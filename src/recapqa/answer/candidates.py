"""Candidate answer sentences, and the lines an answer brings with its chosen sentences: the
items of a chosen lead-in, the label of a chosen item."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from recapqa.models import Hit
from recapqa.sentences import Sentence


@dataclass
class Candidate:
    row: int
    hit: Hit
    rank: int
    score: float
    eligible: bool
    features: tuple[float, ...] = ()


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
        if label is not None and label not in used:  # '3. AWS Direct Connect' above '- HAS bandwidth limits'
            out.append(Candidate(label, cand.hit, cand.rank, cand.score, True))
            used.add(label)
        out.append(cand)
        used.add(cand.row)
        lead = sentences[cand.row]
        if not lead.text.rstrip().endswith(":"):
            continue
        row, added = cand.row + 1, 0
        while row < len(sentences) and added < limit:
            item = sentences[row]
            if item.talk_id != lead.talk_id or not item.list_item:
                break
            if item.context == lead.text and row not in used:
                out.append(Candidate(row, cand.hit, cand.rank, cand.score, True))
                used.add(row)
                added += 1
            row += 1
    return out


def _label_row(sentences: Sequence[Sentence], row: int, reach: int = 12) -> int | None:
    """The row of the label a list item sits under (a lead-in without ':'), if any."""
    item = sentences[row]
    if not item.list_item or not item.context or item.context.rstrip().endswith(":"):
        return None
    for earlier in range(row - 1, max(-1, row - 1 - reach), -1):
        before = sentences[earlier]
        if before.talk_id != item.talk_id:
            return None
        if before.text == item.context:
            return earlier
    return None
