"""What a gist answer (answer/gist.py) may quote from a talk and how it picks: the talk's
layout (sections under a heading or a title line; blocks: a paragraph, or a list with its
lead-in), its units (a sentence, a lead-in with its run of short items, a run of short items
opening a block under a heading, or a short item with the items nested one level under it,
each quoted as one bullet; no code block), how much a unit says, and maximal marginal
relevance over the units.

Measured on the summary set's dev split: a sentence holding a key point is longer than one
that holds none (area under the ROC curve 0.73 for its length, 0.63 for centrality), hence
`gist_density_boost`; a penalty for a second pick from a section or block already quoted
lowered key-point recall there, so sections only scope topics (a title holding the topic).
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np

from recapqa.answer.gist_words import LINKS
from recapqa.chunking import LIST_MARKER
from recapqa.sentences import Sentence
from recapqa.settings import Settings
from recapqa.store.rows import prefetch

# a line standing alone, short and without a sentence's end: a title the notes did not mark
_TITLE_END = re.compile(r"[.:;!?,)\]]\s*$")
_TITLE_START = re.compile(r"[*_#\s]*\w")  # a word, maybe emphasised; not an arrow or a quote
_CODE = re.compile(r"\s*(```|~~~)")  # a fenced code block: what the talk showed, not a point it made
# a line of source code: a comment, an import, an assignment, a call, a statement of a block
_CODE_LINE = re.compile(
    r"^\s*(#|//|import\s|from\s+\S+\s+import\s|(if|for|while|def|class|return|print)\b"
    r"|[\w.\[\]'\"]+\s*[-+*/]?=[^=]|[\w.]+\(.*\)\s*;?\s*$)"
)


@dataclass
class Layout:
    """Per row of one talk (in source order): its section, its block, and the title of its
    section (the heading, or the title line that opened it; '' when none)."""

    section: list[int]
    block: list[int]
    title: list[str]


def layout(sentences: Sequence[Sentence], rows: list[int], title_words: int) -> Layout:
    """A section starts at a new heading or at a title line (alone on its lines, at most
    `title_words` words, no sentence end); a block at a section, or after a blank line
    unless the row carries on the list above it."""
    out = Layout([0] * len(rows), [0] * len(rows), [""] * len(rows))
    s = b = 0
    title = sentences[rows[0]].heading if rows else ""
    for i, row in enumerate(rows):
        now = sentences[row]
        if i:
            before = sentences[rows[i - 1]]
            after = sentences[rows[i + 1]] if i + 1 < len(rows) else None
            alone = before.span.end_line < now.span.start_line and (
                after is None or after.span.start_line > now.span.end_line
            )
            titled = (
                alone
                and not now.list_item
                and len(now.text.split()) <= title_words
                and _TITLE_START.match(now.text) is not None
                and not _TITLE_END.search(now.text)
            )
            if now.heading != before.heading or titled:
                s += 1
                b += 1
                title = now.text if titled else now.heading
            elif now.span.start_line > before.span.end_line + 1 and not (
                now.context and now.context in (before.context, before.text)
            ):
                b += 1
        out.section[i], out.block[i], out.title[i] = s, b, title
    return out


def density(text: str, settings: Settings) -> float:
    """How much a unit says, 0..1: the log of its words (links and list markers left out)
    against the log of `gist_dense_words`, where it says the most it can."""
    said = sum(len(LIST_MARKER.sub("", line).split()) for line in LINKS.sub(" ", text).splitlines())
    return min(1.0, math.log1p(said) / math.log1p(settings.gist_dense_words))


def beside(on: np.ndarray, block: Sequence[int]) -> np.ndarray:
    """The units right before and after a unit `on` (one on the topic) within its block: what
    it follows from or leads to."""
    near = np.zeros(len(on), dtype=bool)
    for i in np.flatnonzero(on).tolist():
        for j in (i - 1, i + 1):
            if 0 <= j < len(on) and block[j] == block[i]:
                near[j] = True
    return near


def pick(
    vectors: np.ndarray,
    relevance: np.ndarray,
    settings: Settings,
    limit: int,
    members: Sequence[tuple[int, ...]] = (),
) -> list[int]:
    """Positions picked by maximal marginal relevance (`mmr_lambda`), best first.
    `members`: per position, the sentence rows it quotes; two picks never share one."""
    chosen: list[int] = []
    lam = settings.mmr_lambda
    blocked = np.zeros(len(relevance), dtype=bool)
    while len(chosen) < limit and not blocked.all():
        redundancy = (vectors @ vectors[chosen].T).max(axis=1) if chosen else np.zeros(len(relevance))
        score = lam * relevance - (1 - lam) * redundancy
        score[blocked] = -np.inf
        best = int(np.argmax(score))
        chosen.append(best)
        blocked[best] = True
        if members:
            quoted = set(members[best])
            blocked |= np.array([bool(quoted.intersection(m)) for m in members])
    return chosen


@dataclass(frozen=True)
class Unit:
    """What one bullet of a gist answer quotes: a sentence, or a list's lead-in with its
    short items (`rows`), verbatim (`quote`)."""

    rows: tuple[int, ...]
    quote: str


@dataclass
class Candidates:
    """The units a gist answer may quote from some talks, with their unit vectors, their
    block (distinct across talks) and the title of their section."""

    units: list[Unit]
    vectors: np.ndarray
    block: list[int]
    title: list[str]


def candidates(
    sentences: Sequence[Sentence],
    vectors: np.ndarray,
    talks_rows: Sequence[list[int]],
    filler: Sequence[bool],
    quote_of: Callable[[int, int], str | None],
    settings: Settings,
    indent_of: Callable[[int], int] | None = None,
) -> Candidates:
    """Every non-filler sentence of the talks, each lead-in with the run of short items
    it introduces (items of at most `gist_item_words` words, the bullet at most
    `gist_group_words`, at least `gist_lead_items` of them): a list of short items says as
    much as a sentence, one item alone is filler; each run of short items opening a block
    with no lead-in (its heading leads it); and each list item with the items nested under
    it (`indent_of`: a row's column), within `gist_group_words`: "Prefix steering" says what
    its sub-items are about, and a bullet that says something itself ("compares three
    storage engines") leads its sub-items as a colon's lead-in does. A block of code is no unit."""
    out = Candidates([], np.zeros((0, vectors.shape[1]), dtype=vectors.dtype), [], [])
    every_row = [row for rows in talks_rows for row in rows]
    prefetch(sentences, every_row)  # one query each (rows read on demand), not one a block or unit
    prefetch(vectors, every_row)
    picked: list[np.ndarray] = []
    base = 0
    for every in talks_rows:
        parts = layout(sentences, every, settings.gist_title_words)
        at = {row: i for i, row in enumerate(every)}
        for i, row in enumerate(every):
            group = _items(sentences, every, i, settings) if sentences[row].text.rstrip().endswith(":") else ()
            if not group and indent_of is not None and sentences[row].list_item:
                group = _nested(sentences, every, i, indent_of, settings)
            if not group and (i == 0 or parts.block[i - 1] != parts.block[i]):
                group = _headed(sentences, every, i, parts.block, settings)
            quote = quote_of(group[0], group[-1]) if group else None
            members = group if quote else ((row,) if not filler[row] and not _code(sentences[row].text) else ())
            if not members:
                continue
            out.units.append(Unit(members, quote or sentences[row].text))
            mean = vectors[list(members)].mean(axis=0)
            picked.append(mean / (np.linalg.norm(mean) or 1.0))
            out.block.append(base + parts.block[at[members[0]]])
            out.title.append(parts.title[at[members[0]]])
        base += len(every) + 1
    if picked:
        out.vectors = np.stack(picked)
    return out


def _headed(
    sentences: Sequence[Sentence], every: list[int], i: int, block: Sequence[int], settings: Settings
) -> tuple[int, ...]:
    """The run of short items that opens a block with no lead-in (the heading above leads
    it: "Euro SciPy" over "- August 21-24 in Brussels", "- 2 days of tutorials"), within
    `gist_group_words`, or () when fewer than three fit."""
    group: list[int] = []
    size = 0
    for j in range(i, len(every)):
        item = sentences[every[j]]
        n = len(item.text.split())
        if block[j] != block[i] or not item.list_item or item.context:
            break
        if n > settings.gist_item_words or size + n > settings.gist_group_words:
            break
        group.append(every[j])
        size += n
    return tuple(group) if len(group) > 2 else ()


def _code(text: str) -> bool:
    """A code block: fenced, or (an indented block, an rST `code-block` whose marker the
    ingestion drops) three lines or more, most of them lines of code."""
    if _CODE.match(text):
        return True
    lines = [line for line in text.splitlines() if line.strip()]
    return len(lines) >= 3 and 2 * sum(bool(_CODE_LINE.match(line)) for line in lines) > len(lines)


def _items(sentences: Sequence[Sentence], every: list[int], i: int, settings: Settings) -> tuple[int, ...]:
    """The lead-in at `every[i]` with the short items right under it, or () when fewer
    than `gist_lead_items` fit (a lead-in is not a point without what it leads to: "Preferred
    solution:" with its one item "Use VPC peering")."""
    lead = sentences[every[i]]
    group, size = [every[i]], len(lead.text.split())
    for row in every[i + 1 :]:
        item = sentences[row]
        n = len(item.text.split())
        if item.context != lead.text or n > settings.gist_item_words or size + n > settings.gist_group_words:
            break
        group.append(row)
        size += n
    return tuple(group) if len(group) > settings.gist_lead_items else ()


def _nested(
    sentences: Sequence[Sentence], every: list[int], i: int, indent_of: Callable[[int], int], settings: Settings
) -> tuple[int, ...]:
    """The list item at `every[i]` with the run of items nested one level under it, within
    `gist_group_words`, or () when none fits (a deeper level ends the run: one bullet
    holds one level)."""
    column = indent_of(every[i])
    group, size = [every[i]], len(sentences[every[i]].text.split())
    level = indent_of(every[i + 1]) if i + 1 < len(every) else column
    for row in every[i + 1 :]:
        item = sentences[row]
        n = len(item.text.split())
        if not item.list_item or level <= column or indent_of(row) != level or size + n > settings.gist_group_words:
            break
        group.append(row)
        size += n
    return tuple(group) if len(group) > 1 else ()
