"""The default answerer: quotes the one to three best sentences (or list items) of the
retrieved chunks, verbatim, each with its citation, or abstains.

A sentence's score mixes
  - cosine between the question and the sentence (embedded at index time),
  - IDF-weighted share of the question's content words the sentence or its talk covers,
  - the rank of the chunk it came from,
  - whether it holds what the question asks for (question.kind_score),
  - whether its talk is one the question names, and whether the sentence itself names
    what the question names.
A sentence is only eligible when it is about every name and number the question requires
(see `_eligible`): this is what stops "How many models does Netflix run?" from being
answered with Uber's figure.

Abstention: the best eligible sentence's score must reach `abstain_threshold`
(RECAPQA_ABSTAIN_THRESHOLD). The default was chosen on the dev split of
eval/questions.jsonl as the lowest value that abstains on at least 80% of unanswerable dev
questions while abstaining on at most 5% of answerable ones; eval/BASELINE.md has the
figures for both splits.
"""

from __future__ import annotations

import re
import time
from dataclasses import dataclass

from recapqa.answer.question import (
    QuestionInfo,
    analyse,
    corpus_proper_nouns,
    has_number,
    is_speaker_line,
    kind_score,
    squash,
)
from recapqa.answer.text import Idf, terms
from recapqa.models import CANNOT_ANSWER, Answer, Citation, Hit, Talk
from recapqa.retrieve import Retrieval
from recapqa.sentences import Sentence
from recapqa.settings import Settings
from recapqa.store import Index
from recapqa.talk_mentions import talk_aliases

W_DENSE, W_COVER, W_RANK, W_KIND, W_TALK, W_NAMED = 0.55, 0.45, 0.10, 0.12, 0.08, 0.10
_MULTI_TALK = re.compile(
    r"\b(which|what) (talks|speakers|companies|presentations)\b|\bwho (uses|use|mentioned)\b", re.I
)


@dataclass
class Candidate:
    row: int
    hit: Hit
    rank: int
    score: float
    eligible: bool


def talk_text(talk: Talk) -> str:
    people = " ".join(f"{s.name} {s.role or ''}" for s in talk.speakers)
    return f"{talk.title} {talk.company or ''} {people} {talk.talk_id.replace('-', ' ')}"


class ExtractiveAnswerer:
    def __init__(self, index: Index, settings: Settings) -> None:
        self.index = index
        self.settings = settings
        self.idf = Idf([s.text for s in index.sentences])
        self.proper_nouns = corpus_proper_nouns([c.text for c in index.chunks])
        self._talk_terms = {tid: set(terms(talk_text(t))) for tid, t in index.talks.items()}
        self._talk_squashed = {tid: squash(talk_text(t)) for tid, t in index.talks.items()}
        self._aliases = {tid: {squash(a) for a in talk_aliases(t)} for tid, t in index.talks.items()}
        self._chunk_rows = {c.chunk_id: i for i, c in enumerate(index.chunks)}

    def candidates(self, retrieval: Retrieval) -> list[Candidate]:
        info = analyse(retrieval.question, self.proper_nouns)
        q_weight = sum(self.idf(t) for t in info.terms) or 1.0
        seen: set[int] = set()
        out: list[Candidate] = []
        for rank, hit in enumerate(retrieval.hits):
            rows = [r for r in self.index.chunk_sentences[self._chunk_rows[hit.chunk.chunk_id]] if r not in seen]
            seen.update(rows)
            if not rows:
                continue
            cosines = self.index.sentence_vectors[rows] @ retrieval.query_vector
            for row, cosine in zip(rows, cosines, strict=True):
                out.append(self._score(row, float(cosine), hit, rank, info, q_weight, retrieval.mentioned_talks))
        out.sort(key=lambda c: (-c.score, c.row))
        return out

    def _score(
        self, row: int, cosine: float, hit: Hit, rank: int, info: QuestionInfo, q_weight: float, mentioned: set[str]
    ) -> Candidate:
        sentence = self.index.sentences[row]
        s_terms = set(terms(sentence.embed_text)) | self._talk_terms[sentence.talk_id]
        cover = sum(self.idf(t) for t in info.terms & s_terms) / q_weight
        own = squash(sentence.embed_text)
        named = sum(squash(n) in own for n in info.names) / len(info.names) if info.names else 0.0
        score = (
            W_DENSE * cosine
            + W_COVER * cover
            + W_RANK / (1 + rank)
            + W_KIND * kind_score(info, sentence.text, sentence.context, sentence.list_item)
            + W_TALK * (sentence.talk_id in mentioned)
            + W_NAMED * named
        )
        return Candidate(row, hit, rank, score, self._eligible(row, sentence, info))

    def _eligible(self, row: int, sentence: Sentence, info: QuestionInfo) -> bool:
        if info.kind == "number" and not has_number(sentence.text, info.numbers):
            return False
        if is_speaker_line(sentence.text, sentence.context) and not info.asks_speaker:
            return False
        about = squash(sentence.context)
        if not info.talk_only:
            about += squash(sentence.text) + self._previous_text(row)
        context_names_someone = any(a and a in squash(sentence.context) for a in self._aliases[sentence.talk_id])
        if not context_names_someone or info.talk_only:
            about += self._talk_squashed[sentence.talk_id]
        if not all(squash(n) in about for n in info.names):
            return False
        return all(n in about or n in sentence.text for n in info.numbers)

    def _previous_text(self, row: int) -> str:
        """The sentence before, in the same talk: 'these' and 'they' point back to it."""
        if row == 0 or self.index.sentences[row - 1].talk_id != self.index.sentences[row].talk_id:
            return ""
        return squash(self.index.sentences[row - 1].text)

    def answer(self, retrieval: Retrieval) -> Answer:
        started = time.perf_counter()
        eligible = [c for c in self.candidates(retrieval) if c.eligible]
        if not eligible or eligible[0].score < self.settings.abstain_threshold:
            return self.abstain(retrieval, started)
        chosen = self._with_list_items(self._select(eligible, retrieval.question))
        citations = [self.citation(c) for c in chosen]
        quotes = [c.quote for c in citations]
        return Answer(
            question=retrieval.question,
            answer=quotes[0] if len(quotes) == 1 else "\n".join(f"- {q}" for q in quotes),
            abstained=False,
            mode="extractive",
            citations=citations,
            timings_ms={"answer": (time.perf_counter() - started) * 1e3},
        )

    def _select(self, eligible: list[Candidate], question: str) -> list[Candidate]:
        """The best sentence first, plus close runners-up: from other talks when the
        question spans talks, else from the same talk."""
        best = eligible[0]
        multi_talk = bool(_MULTI_TALK.search(question))
        floor = best.score * (self.settings.multi_talk_ratio if multi_talk else self.settings.runner_up_ratio)
        chosen = [best]
        for cand in eligible[1:]:
            if len(chosen) >= self.settings.max_answer_sentences or cand.score < floor:
                break
            same_talk = [self._talk(c) == self._talk(cand) for c in chosen]
            if (multi_talk and any(same_talk)) or (not multi_talk and not all(same_talk)):
                continue
            chosen.append(cand)
        return chosen

    def _with_list_items(self, chosen: list[Candidate], limit: int = 6) -> list[Candidate]:
        """A chosen line that introduces a list ("Advice for someone starting their career:")
        says nothing alone: bring the items it introduces."""
        out: list[Candidate] = []
        for cand in chosen:
            out.append(cand)
            lead = self.index.sentences[cand.row]
            if not lead.text.rstrip().endswith(":"):
                continue
            row = cand.row + 1
            while row < len(self.index.sentences) and len(out) < len(chosen) + limit:
                item = self.index.sentences[row]
                if item.talk_id != lead.talk_id or not item.list_item:
                    break
                if item.context == lead.text and all(c.row != row for c in out):
                    out.append(Candidate(row, cand.hit, cand.rank, cand.score, True))
                row += 1
        return out

    def _talk(self, cand: Candidate) -> str:
        return self.index.sentences[cand.row].talk_id

    def citation(self, cand: Candidate) -> Citation:
        sentence = self.index.sentences[cand.row]
        return Citation(
            chunk_id=cand.hit.chunk.chunk_id,
            talk=self.index.talks[sentence.talk_id],
            source=sentence.source,
            start_line=sentence.span.start_line,
            end_line=sentence.span.end_line,
            quote=sentence.text,
            score=cand.score,
        )

    def abstain(self, retrieval: Retrieval, started: float, reason: str | None = None) -> Answer:
        closest: list[Talk] = []
        for hit in retrieval.hits:
            if hit.talk not in closest:
                closest.append(hit.talk)
        closest = closest[:3]
        text = CANNOT_ANSWER
        if closest:
            text += " Closest talks: " + "; ".join(_describe(t) for t in closest) + "."
        return Answer(
            question=retrieval.question,
            answer=text,
            abstained=True,
            mode="extractive",
            fallback_reason=reason,
            timings_ms={"answer": (time.perf_counter() - started) * 1e3},
            closest_talks=closest,
        )


def _describe(talk: Talk) -> str:
    names = ", ".join(talk.speaker_names)
    return f"{talk.title} ({names})" if names else talk.title


def confidence(candidates: list[Candidate]) -> float:
    """Best eligible score, or 0: what the abstention threshold is compared with."""
    return next((c.score for c in candidates if c.eligible), 0.0)
