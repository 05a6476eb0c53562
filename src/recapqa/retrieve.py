"""Hybrid retrieval: dense and BM25 ranks (from the index's VectorStore, files or PostgreSQL)
fused by reciprocal rank fusion, talks named in the question favoured, at most a few chunks
per talk so that questions spanning several talks see all of them."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

from recapqa.errors import UnknownTalkError
from recapqa.models import Hit, Talk
from recapqa.settings import Settings
from recapqa.store import Index
from recapqa.store.rows import prefetch
from recapqa.talk_mentions import TalkMatcher, talk_notes


@dataclass
class Filters:
    talk_id: str | None = None
    company: str | None = None
    speaker: str | None = None
    conference: str | None = None  # document metadata: the event the notes are from

    def __bool__(self) -> bool:
        return any((self.talk_id, self.company, self.speaker, self.conference))

    def __str__(self) -> str:
        """The filters set, as a person would say them: "company 'Acme' and speaker 'Jo'"."""
        named = {"talk": self.talk_id, "company": self.company, "speaker": self.speaker, "conference": self.conference}
        return " and ".join(f"{name} '{value}'" for name, value in named.items() if value) or "no filter"


@dataclass
class Retrieval:
    question: str
    query_vector: np.ndarray
    hits: list[Hit]
    mentioned_talks: set[str]
    timings_ms: dict[str, float] = field(default_factory=dict)
    allowed: frozenset[str] | None = None  # the talks the filters let through (None: no filter)
    # chunks within the top k by fused score that the per-talk cap left out (its talk already
    # had max_chunks_per_talk): the extractive answerer reads their sentences after the hits'
    spilled: list[Hit] = field(default_factory=list)


def allowed_talks(talks: dict[str, Talk], filters: Filters) -> set[str]:
    """Talk ids passing the filters; UnknownTalkError when a filter matches nothing."""
    allowed = set(talks)
    if filters.talk_id:
        if filters.talk_id not in talks:
            raise UnknownTalkError(f"no talk with id '{filters.talk_id}'", "list them with `recapqa talks`")
        allowed = {filters.talk_id}
    if filters.company:
        want = filters.company.lower()
        allowed &= {
            t
            for t in allowed
            if want in (talks[t].company or "").lower()
            or any(want in (s.company or "").lower() for s in talks[t].speakers)
        }
    if filters.speaker:
        want = filters.speaker.lower()
        allowed &= {t for t in allowed if any(want in s.name.lower() for s in talks[t].speakers)}
    if filters.conference:
        want = filters.conference.lower()
        allowed &= {t for t in allowed if want in str(talks[t].meta.get("conference") or "").lower()}
    if not allowed:
        raise UnknownTalkError(f"no talk matches {filters}", "list talks, companies and speakers with `recapqa talks`")
    return allowed


class Retriever:
    def __init__(
        self,
        index: Index,
        embed_query: Callable[[str], np.ndarray],
        settings: Settings,
        matcher: TalkMatcher | None = None,
    ) -> None:
        """`matcher`: the talk matcher made from what the index stored (else made here)."""
        self.index = index
        self.embed_query = embed_query
        self.settings = settings
        self.matcher = matcher or TalkMatcher(index.talks.values(), talk_notes(index.chunks))

    def retrieve(self, question: str, k: int | None = None, filters: Filters | None = None) -> Retrieval:
        s = self.settings
        k = k or s.top_k
        timings: dict[str, float] = {}
        allowed = allowed_talks(self.index.talks, filters) if filters else None
        pool = len(self.index.chunks) if allowed is not None else s.candidate_pool

        t0 = time.perf_counter()
        query_vector = self.embed_query(as_asked(question))
        t1 = time.perf_counter()
        dense = self.index.store.search(query_vector, pool)
        t2 = time.perf_counter()
        lexical = self.index.store.search_text(question, pool)
        t3 = time.perf_counter()
        timings.update(embed=(t1 - t0) * 1e3, dense=(t2 - t1) * 1e3, bm25=(t3 - t2) * 1e3)

        named = self.matcher.mentions(question)
        mentioned = set(named.talks) if allowed is None else set(named.talks) & allowed
        fused: dict[int, float] = {}
        dense_rank, lexical_rank = {}, {}
        for rank, (row, _) in enumerate(dense):
            dense_rank[row] = rank
            fused[row] = fused.get(row, 0.0) + 1.0 / (s.rrf_k + rank + 1)
        for rank, (row, _) in enumerate(lexical):
            lexical_rank[row] = rank
            fused[row] = fused.get(row, 0.0) + 1.0 / (s.rrf_k + rank + 1)
        if allowed is not None:  # every row was searched: which talk each is from without parsing them
            talk_ids = self.index.chunk_talk_ids()
            fused = {r: v for r, v in fused.items() if talk_ids[r] in allowed}
            talk_of = {r: talk_ids[r] for r in fused}
        else:
            # one query for the candidates (a database store), not their neighbours: only their
            # talks are read, then the few picked
            prefetch(self.index.chunks, fused, around=False)
            talk_of = {r: self.index.chunks[r].talk_id for r in fused}
        boost = {talk: s.talk_boost / (s.rrf_k + 1) for talk in named.talks - named.by_ordinary_word}
        boost.update({talk: s.full_name_boost / (s.rrf_k + 1) for talk in named.by_full_name})
        for row in fused:
            fused[row] += boost.get(talk_of[row], 0.0)
        ranked = sorted(fused, key=lambda r: (-fused[r], r))
        picked = with_named_talks(
            diverse_top(ranked, talk_of, k, s.max_chunks_per_talk, named.by_full_name), ranked, talk_of, mentioned
        )
        kept = set(picked)
        spilled = [r for r in ranked[:k] if r not in kept]
        sentences = [row for r in picked + spilled for row in self.index.chunk_sentences[r]]
        prefetch(self.index.sentences, sentences)  # the answerers read them, and their vectors
        prefetch(self.index.sentence_vectors, sentences)

        def hit(r: int) -> Hit:
            chunk = self.index.chunks[r]
            talk = self.index.talks[chunk.talk_id]
            return Hit(chunk, talk, fused[r], dense_rank.get(r), lexical_rank.get(r), row=r)

        hits = [hit(r) for r in picked]
        timings["fusion"] = (time.perf_counter() - t3) * 1e3
        let_through = None if allowed is None else frozenset(allowed)
        return Retrieval(question, query_vector, hits, mentioned, timings, let_through, [hit(r) for r in spilled])


def as_asked(question: str) -> str:
    """The question as its vector is computed: with a question mark when it was typed without
    one ('where does X want the tour placed'), as most questions are written, so the two
    spellings of one question retrieve the same passages."""
    question = question.strip()
    return question if question.endswith(("?", ".", "!")) else f"{question}?"


def with_named_talks(picked: list[int], ranked: list[int], talk_of: dict[int, str], named: set[str]) -> list[int]:
    """The picked rows, with the best row of each talk the question names that none of them
    is from in place of the lowest picked rows not from a named talk: a question naming a
    speaker or a talk is asked of that talk even when its words rank other talks higher."""
    present = {talk_of[r] for r in picked}
    missing = [t for t in sorted(named) if t not in present]
    best = [next((r for r in ranked if talk_of[r] == t), None) for t in missing]
    picked = list(picked)
    for row in best:
        spare = [i for i, r in enumerate(picked) if talk_of[r] not in named]
        if row is None or not spare:
            continue
        picked[spare[-1]] = row
    order = {r: i for i, r in enumerate(ranked)}
    return sorted(picked, key=order.__getitem__)


def diverse_top(
    ranked: list[int], talk_of: dict[int, str], k: int, per_talk: int, named: frozenset[str] = frozenset()
) -> list[int]:
    """Top k rows with at most `per_talk` from one talk (any number from a talk the question
    names by a person's full name: the question is about that talk, so there is no other to
    leave room for), topped up in rank order if short."""
    picked: list[int] = []
    counts: dict[str, int] = {}
    for row in ranked:
        if talk_of[row] in named or counts.get(talk_of[row], 0) < per_talk:
            picked.append(row)
            counts[talk_of[row]] = counts.get(talk_of[row], 0) + 1
        if len(picked) == k:
            return picked
    for row in ranked:
        if row not in picked:
            picked.append(row)
            if len(picked) == k:
                break
    return picked
