"""What the support checker (answer/citations.py) made of each claim of an LLM reply, and
whether a kept claim only repeats an earlier one."""

from __future__ import annotations

from dataclasses import dataclass, field

from recapqa.text import terms

REPEAT_OVERLAP = 0.8  # share of the claim's words (Jaccard) another kept claim holds: a repeat


@dataclass
class Verdict:
    """What the checker made of one claim; `sources` is empty unless it was kept."""

    text: str
    cited: list[int]
    reason: str  # "supported", or why not
    sources: list[tuple[int, int, float]] = field(default_factory=list)  # (source number, row, support)

    @property
    def kept(self) -> bool:
        return bool(self.sources)


def repeats(verdict: Verdict, kept: list[Verdict]) -> bool:
    """The kept claim says nothing the earlier kept ones did not (REPEAT_OVERLAP)."""
    mine = set(terms(verdict.text))
    rows = {row for _, row, _ in verdict.sources}
    for other in kept:
        theirs = set(terms(other.text))
        overlap = len(mine & theirs) / max(1, len(mine | theirs))
        if overlap >= REPEAT_OVERLAP or (rows <= {r for _, r, _ in other.sources} and mine <= theirs):
            return True
    return False
