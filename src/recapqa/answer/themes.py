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
from collections.abc import Callable, Iterable, Mapping, Sequence

import numpy as np

from recapqa.ingest.headings import is_general_heading
from recapqa.ingest.structure import NOT_SESSION, SUBSECTION_NAMES
from recapqa.models import Talk
from recapqa.settings import Settings
from recapqa.store.gist_lookup import PhraseTable
from recapqa.text import squash, terms


def shared_themes(
    rows: dict[str, list[int]],
    phrases: Sequence[list[str]],
    filler: Sequence[bool],
    named: set[str],
    excluded: frozenset[str],
    settings: Settings,
) -> list[tuple[str, list[str]]]:
    """(theme, the talks sharing it), best first, at most `gist_themes`, no two with the
    same talks. `rows`: the sentence rows of each talk to draw from; `phrases`: per sentence
    row, its terms and two-word phrases (distinct, in the order they first come); `filler`:
    rows that count only towards rarity."""
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
    common, rare = _limits(len(talks), sentences, settings)
    kept = [x for x, n in df.items() if 2 <= n <= common and sentence_df[x] <= max(rare, 2 * n)]
    kept = [x for x in kept if _notable(x, named, excluded)]
    held: dict[str, list[str]] = {x: [] for x in kept}  # the talks holding each, in talk order: one pass
    for talk, counts in phrases.items():
        for x in counts:
            if x in held:
                held[x].append(talk)
    totals = {talk: sum(counts.values()) for talk, counts in phrases.items()}
    share = {x: _running_sum(phrases[t][x] / totals[t] for t in held[x]) for x in kept}
    return _pick(kept, df, share, held.__getitem__, len(talks), settings)


def ranked_table(
    table: PhraseTable,
    talks: list[str],
    sentences: int,
    named: set[str],
    excluded: frozenset[str],
    settings: Settings,
) -> list[tuple[str, list[str]]]:
    """`ranked` of the stored phrase counts of `talks` (store/gist_lookup.py), counted with
    numpy: the same themes, the same order, the same floating-point sums (each talk's share
    added in talk order, as `ranked` adds it)."""
    size = len(table.words)
    has = table.count > 0
    df = np.bincount(table.phrase[has], minlength=size)
    sentence_df = np.bincount(table.phrase, weights=table.rows, minlength=size)
    common, rare = _limits(len(talks), sentences, settings)
    fit = (df >= 2) & (df <= common) & (sentence_df <= np.maximum(rare, 2 * df))
    ids = np.flatnonzero(fit)  # the order does not matter: ties go by name (`_pick`)
    text = {i: table.text(i) for i in ids.tolist()}
    kept = [i for i in ids.tolist() if _notable(text[i], named, excluded)]
    chosen = np.zeros(size, dtype=bool)
    chosen[kept] = True
    totals = np.bincount(table.talk, weights=table.count, minlength=len(talks))
    on = has & chosen[table.phrase]
    shares = np.bincount(table.phrase[on], weights=table.count[on] / totals[table.talk[on]], minlength=size)
    where = {text[i]: i for i in kept}

    def holders(x: str) -> list[str]:
        return [talks[t] for t in table.talk[on & (table.phrase == where[x])].tolist()]

    counted = {text[i]: int(df[i]) for i in kept}
    share = {text[i]: float(shares[i]) for i in kept}
    return _pick([text[i] for i in kept], counted, share, holders, len(talks), settings)


def _pick(
    kept: list[str],
    df: Mapping[str, int],
    share: Mapping[str, float],
    holders: Callable[[str], list[str]],
    talks: int,
    settings: Settings,
) -> list[tuple[str, list[str]]]:
    """The best `gist_themes` of `kept`, no two with the same talks."""
    weight = {x: (2.0 if len(x.split()) > 1 else 1.0) * math.log(1 + talks / df[x]) * df[x] * share[x] for x in kept}
    themes: list[tuple[str, list[str]]] = []
    seen: set[frozenset[str]] = set()
    for term in sorted(weight, key=lambda x: (-weight[x], x)):  # ties by name: the same themes every run
        if len(themes) >= settings.gist_themes:
            break
        held = frozenset(holders(term))
        if held not in seen:
            seen.add(held)
            themes.append((term, sorted(held)))
    return themes


def _limits(talks: int, sentences: int, settings: Settings) -> tuple[int, float]:
    """In how many talks a theme may be at most, and in how many sentences ('rare')."""
    return max(2, int(settings.gist_theme_max_share * talks)), settings.gist_theme_max_sentence_share * sentences


def _running_sum(values: Iterable[float]) -> float:
    """Added one by one, in order (as numpy's bincount adds: not compensated)."""
    total = 0.0
    for value in values:
        total += value
    return total


def _notable(x: str, named: set[str], excluded: frozenset[str]) -> bool:
    """Can the phrase be a theme: two words or a named thing, none of them excluded, longer
    than 3 letters?"""
    parts = x.split()
    return (len(parts) > 1 or x in named) and not any(p in excluded for p in parts) and len(x) > 3


# A section title that is a field of the notes' template, not a topic: 'Video URL: https://...',
# 'Speaker(s): Jane Roe', 'Labels: a, b' (a short label, a colon, then its value).
_FIELD = re.compile(r"^[\w()/ ]{1,20}:\s")
_MARKUP = re.compile(r"[*_`#]+")


def plain_title(title: str) -> str:
    """A section title without its markup and closing punctuation ('**Write path**.': 'Write path')."""
    return _MARKUP.sub("", title).strip(" .:")


def section_names(titles: Iterable[str], talk_title: str, limit: int) -> list[str]:
    """Up to `limit` of a talk's section titles (in order, each once) that name a topic of
    it: not the talk's own title, a link, a template's field, or a part every talk has
    ('Key Takeaways', 'Q&A', 'Introduction', 'Thanks')."""
    out: list[str] = []
    for title in dict.fromkeys(titles):
        if len(out) >= limit:
            break
        name = plain_title(title)
        if not name or name.casefold() == talk_title.casefold() or "://" in name or _FIELD.match(name):
            continue
        if is_general_heading(name) or SUBSECTION_NAMES.match(name) or NOT_SESSION.match(name):
            continue
        out.append(name)
    return out


def one_rendering(
    talks: list[str], themes: list[tuple[str, list[str]]], lead: Callable[[str], str]
) -> tuple[list[str], list[tuple[str, list[str]]]]:
    """The talks less those whose leading sentence an earlier talk's is too (one notes file
    rendered twice, as Markdown and as HTML, is one talk), and the themes still shared by two."""
    seen: set[str] = set()
    kept: list[str] = []
    for talk in talks:
        text = lead(talk)
        if text not in seen:
            seen.add(text)
            kept.append(talk)
    ours = set(kept)
    held = [(term, [t for t in holders if t in ours]) for term, holders in themes]
    return kept, [(term, holders) for term, holders in held if len(holders) >= 2]


def event_scope(
    talks: Iterable[Talk], question: str, asking: frozenset[str], weak: frozenset[str] = frozenset()
) -> frozenset[str]:
    """The notes files a themes question points at ("the themes of SomeConf 2018 day 1"):
    those whose path, title and event share the most of its words and numbers; empty (every
    file) when it names none of them, or when they hold fewer than two talks. The `weak`
    words (kinds of session: "the SomeConf talks") only decide between files the others tie."""
    return EventWords(talks).scope(question, asking, weak)


# A question's word this long or longer also counts when a notes file's path holds it run
# together with others ('RustFestLisbon2019/keynotes.rst' names RustFest, Lisbon and 2019).
PATH_WORD_LETTERS = 4


class EventWords:
    """Each notes file's words and numbers (its path, and the event and title of its first
    talk), its path's letters and digits run together, and how many talks it holds: made
    once, read by every themes question."""

    def __init__(self, talks: Iterable[Talk]) -> None:
        self.words: dict[str, set[str]] = {}
        self.path: dict[str, str] = {}
        self.count: Counter[str] = Counter()
        for talk in talks:
            self.count[talk.source] += 1
            if talk.source not in self.words:
                event = f"{talk.source} {talk.meta.get('conference') or ''} {talk.meta.get('title') or ''}"
                self.words[talk.source] = _words(event)
                self.path[talk.source] = squash(talk.source)

    def scope(self, question: str, asking: frozenset[str], weak: frozenset[str] = frozenset()) -> frozenset[str]:
        """The notes files the question's words name best (all of them tied), when they hold
        two talks or more; else none (every talk). A file is named by the question's other
        words first, by its `weak` ones only among files those tie."""
        asked = _words(question) - asking
        strong = asked - weak
        long = {w for w in strong if len(w) >= PATH_WORD_LETTERS}
        score = {
            source: (
                len(strong & words) + sum(w in self.path[source] for w in long - words),
                len(asked & weak & words),
            )
            for source, words in self.words.items()
        }
        best = max(score.values(), default=(0, 0))
        scope = frozenset(source for source, n in score.items() if n == best) if any(best) else frozenset()
        return scope if sum(self.count[source] for source in scope) >= 2 else frozenset()


def _words(text: str) -> set[str]:
    return set(terms(text)) | set(re.findall(r"\d+", text))
