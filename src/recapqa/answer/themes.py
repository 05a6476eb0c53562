"""Themes across talks: the phrases several talks share, weighted by TF-IDF over talks.

A theme is a two-word phrase or a word the notes only write capitalised (a named thing,
not a common verb), found in at least two talks and at most `gist_theme_max_share` of them,
rare among all sentences (`gist_theme_max_sentence_share`), never a link label, role word,
common word ("make sense") or asking word. Two-word phrases count double ('feature store' says more than 'feature').
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Iterable, Sequence

from recapqa.models import Talk
from recapqa.settings import Settings
from recapqa.text import terms


def shared_themes(
    rows: dict[str, list[int]],
    phrases: list[set[str]],
    filler: Sequence[bool],
    named: set[str],
    excluded: frozenset[str],
    settings: Settings,
) -> list[tuple[str, list[str]]]:
    """(theme, the talks sharing it), best first, at most `gist_themes`, no two with the
    same talks. `rows`: the sentence rows of each talk to draw from; `phrases`: per sentence
    row, its terms and two-word phrases; `filler`: rows that count only towards rarity."""
    counts = {t: Counter(x for r in rs if not filler[r] for x in phrases[r]) for t, rs in rows.items()}
    sentence_df = Counter(x for rs in rows.values() for r in rs for x in phrases[r])
    sentences = sum(len(rs) for rs in rows.values())
    return ranked(counts, sentence_df, sentences, named, excluded, settings)


def ranked(
    phrases: dict[str, Counter[str]],
    sentence_df: Counter[str],
    sentences: int,
    named: set[str],
    excluded: frozenset[str],
    settings: Settings,
) -> list[tuple[str, list[str]]]:
    """The themes of `phrases` (each talk's phrase counts over its rows that are not filler,
    in talk order), `sentence_df` (in how many of the `sentences` rows each phrase is)."""
    talks = list(phrases)
    df = Counter(x for counts in phrases.values() for x in counts)
    common = max(2, int(settings.gist_theme_max_share * len(talks)))
    rare = settings.gist_theme_max_sentence_share * sentences
    weight: dict[str, float] = {}
    holders: dict[str, frozenset[str]] = {}
    kept = [x for x, n in df.items() if _candidate(x, n, named, excluded, common, sentence_df[x] <= max(rare, 2 * n))]
    held: dict[str, list[str]] = {x: [] for x in kept}  # the talks holding each, in talk order: one pass
    for talk, counts in phrases.items():
        for x in counts:
            if x in held:
                held[x].append(talk)
    totals = {talk: sum(counts.values()) for talk, counts in phrases.items()}
    for x in kept:
        n = df[x]
        holders[x] = frozenset(held[x])
        share = sum(phrases[t][x] / totals[t] for t in holders[x])
        weight[x] = (2.0 if len(x.split()) > 1 else 1.0) * math.log(1 + len(talks) / n) * n * share
    themes: list[tuple[str, list[str]]] = []
    seen: set[frozenset[str]] = set()
    for term in sorted(weight, key=lambda x: (-weight[x], x)):  # ties by name: the same themes every run
        if len(themes) >= settings.gist_themes:
            break
        if holders[term] not in seen:
            seen.add(holders[term])
            themes.append((term, sorted(holders[term])))
    return themes


def _candidate(x: str, n: int, named: set[str], excluded: frozenset[str], common: int, rare: bool) -> bool:
    """Can the phrase be a theme: two words or a named thing, none of them excluded, in 2 to
    `common` talks, longer than 3 letters, `rare` among the sentences?"""
    parts = x.split()
    notable = (len(parts) > 1 or x in named) and not any(p in excluded for p in parts)
    return notable and 2 <= n <= common and len(x) > 3 and rare


def event_scope(talks: Iterable[Talk], question: str, asking: frozenset[str]) -> frozenset[str]:
    """The notes files a themes question points at ("the themes of KubeCon 2018 day 1"):
    those whose path, title and event share the most of its words and numbers; empty (every
    file) when it names none of them, or when they hold fewer than two talks."""

    def words(text: str) -> set[str]:
        return set(terms(text)) | set(re.findall(r"\d+", text))

    asked = words(question) - asking
    score: dict[str, int] = {}
    count: Counter[str] = Counter()
    for talk in talks:
        count[talk.source] += 1
        if talk.source not in score:
            event = f"{talk.source} {talk.meta.get('conference') or ''} {talk.meta.get('title') or ''}"
            score[talk.source] = len(asked & words(event))
    best = max(score.values(), default=0)
    scope = frozenset(source for source, n in score.items() if n == best) if best else frozenset()
    return scope if sum(count[source] for source in scope) >= 2 else frozenset()
