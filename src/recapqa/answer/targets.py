"""Which talks a gist question is about: the talks it names, else the retrieved talk whose
title, speakers and company share the most of its words (rarer words count more)."""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Callable, Iterator, Mapping

from recapqa.answer.question import QuestionInfo
from recapqa.gist_text import label
from recapqa.models import Talk
from recapqa.retrieve import Retrieval
from recapqa.store import Index
from recapqa.store.gist_lookup import GistLookup
from recapqa.text import squash, terms


class LabelTerms(Mapping[str, frozenset[str]]):
    """Each talk's label words (`terms(label(talk))`), made the first time a talk is looked
    up: loading does not loop over every talk (serve start-up at 10k files)."""

    def __init__(self, talks: Mapping[str, Talk]) -> None:
        self._talks = talks
        self._made: dict[str, frozenset[str]] = {}

    def __getitem__(self, talk_id: str) -> frozenset[str]:
        made = self._made.get(talk_id)
        if made is None:
            made = self._made[talk_id] = frozenset(terms(label(self._talks[talk_id])))
        return made

    def __iter__(self) -> Iterator[str]:
        return iter(self._talks)

    def __len__(self) -> int:
        return len(self._talks)


class _StoredDf:
    """In how many talks' labels a word is, from the index's stored gist rows."""

    def __init__(self, stored: GistLookup) -> None:
        self._stored = stored

    def __getitem__(self, word: str) -> int:
        return self._stored.label_df(word)


class TalkTargets:
    def __init__(self, index: Index) -> None:
        self.index = index
        self.label_terms = LabelTerms(index.talks)
        self._label_df: Counter[str] | _StoredDf | None = _StoredDf(index.gist) if index.gist else None

    @property
    def _df(self) -> Counter[str] | _StoredDf:
        """In how many talks' labels each word is: stored with the index, else made on the
        first `weight` (every talk's label)."""
        if self._label_df is None:
            self._label_df = Counter(x for words in self.label_terms.values() for x in words)
        return self._label_df

    def named(self, retrieval: Retrieval) -> list[Talk]:
        """The talks the question names, in retrieval order; those not retrieved after, by id
        (never in the order of a set, which changes with the hash seed)."""
        order: dict[str, int] = {}
        for n, hit in enumerate(retrieval.hits):  # a talk's first (best) hit
            order.setdefault(hit.talk.talk_id, n)
        named = [self.index.talks[t] for t in sorted(retrieval.mentioned_talks) if t in self.index.talks]
        return sorted(named, key=lambda t: order.get(t.talk_id, len(order)))

    def top(self, retrieval: Retrieval, n: int) -> list[Talk]:
        """The first n distinct talks retrieved."""
        out: list[Talk] = []
        for hit in retrieval.hits:
            if hit.talk not in out:
                out.append(hit.talk)
        return out[:n]

    def best_titled(
        self, retrieval: Retrieval, info: QuestionInfo, keep: Callable[[Talk], bool] | None = None
    ) -> list[Talk]:
        """The retrieved talk (of those `keep` accepts) whose label shares the most of the
        question's words; retrieval rank breaks ties."""
        candidates = [t for t in self.top(retrieval, len(retrieval.hits)) if keep is None or keep(t)]
        if not candidates:
            return []

        def overlap(talk: Talk) -> float:
            return self.weight(info.terms & self.label_terms[talk.talk_id])

        best = max(range(len(candidates)), key=lambda i: (overlap(candidates[i]), -i))
        return [candidates[best]]

    def weight(self, words: frozenset[str] | set[str]) -> float:
        """Words that name talks, rarer ones (over the talks' labels) counting more."""
        n = len(self.index.talks)
        return sum(math.log(1 + n / (self._df[x] or 1)) for x in words)


def names_people(talk: Talk, question: str) -> bool:
    """Does the question name one of the talk's speakers (by surname) or its company?"""
    asked = squash(question)
    surnames = [squash(p.name.split()[-1]) for p in talk.speakers if p.name.split()]
    companies = [squash(c) for c in [talk.company, *(p.company for p in talk.speakers)] if c]
    return any(len(n) > 2 and n in asked for n in surnames + companies)
