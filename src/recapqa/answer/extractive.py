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
from dataclasses import dataclass, replace

from recapqa.answer.question import (
    QuestionInfo,
    analyse,
    corpus_proper_nouns,
    is_speaker_line,
    kind_score,
    required,
)
from recapqa.models import CANNOT_ANSWER, Answer, Citation, Hit, Talk
from recapqa.retrieve import Retrieval
from recapqa.sentences import Sentence
from recapqa.settings import Settings
from recapqa.store import Index
from recapqa.talk_mentions import speaker_aliases
from recapqa.text import Idf, squash, terms


@dataclass(frozen=True)
class Weights:
    """How much each feature counts; tuned on the dev split with eval/tune_extractive.py."""

    dense: float = 0.4
    cover: float = 0.6
    rank: float = 0.0
    kind: float = 0.2
    talk: float = 0.0
    named: float = 0.0

    def score(self, features: tuple[float, ...]) -> float:
        dense, cover, rank, kind, talk, named = features
        return (
            self.dense * dense
            + self.cover * cover
            + self.rank * rank
            + self.kind * kind
            + self.talk * talk
            + self.named * named
        )


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
    features: tuple[float, ...] = ()


def talk_text(talk: Talk) -> str:
    """Everything known about a talk besides its notes: title, company, speakers with their
    roles and companies, and the document's metadata (conference, track, file title)."""
    people = " ".join(f"{s.name} {s.role or ''} {s.company or ''}" for s in talk.speakers)
    meta = " ".join(str(talk.meta.get(k) or "") for k in ("conference", "track", "title"))
    return f"{talk.title} {talk.company or ''} {people} {talk.talk_id.replace('-', ' ')} {meta}"


class ExtractiveAnswerer:
    def __init__(self, index: Index, settings: Settings, weights: Weights | None = None) -> None:
        self.index = index
        self.settings = settings
        self.weights = weights or Weights()
        self.idf = Idf([s.text for s in index.sentences])
        self.proper_nouns = corpus_proper_nouns([c.text for c in index.chunks])
        self._talk_terms = {tid: set(terms(talk_text(t))) for tid, t in index.talks.items()}
        self._talk_squashed = {tid: squash(talk_text(t)) for tid, t in index.talks.items()}
        self._talk_head = {tid: squash(f"{t.title} {t.company or ''} {t.talk_id}") for tid, t in index.talks.items()}
        self._speakers = {
            tid: [(squash(f"{s.name} {s.role or ''}"), {squash(a) for a in speaker_aliases(s)}) for s in t.speakers]
            for tid, t in index.talks.items()
        }
        self._chunk_rows = {c.chunk_id: i for i, c in enumerate(index.chunks)}
        # per-sentence text features are fixed by the index: compute them once
        self._sentence_terms = [set(terms(s.embed_text)) | self._talk_terms[s.talk_id] for s in index.sentences]
        self._sentence_squashed = [squash(s.embed_text) for s in index.sentences]
        self._text_squashed = [squash(s.text) for s in index.sentences]
        self._context_squashed = [squash(s.context) for s in index.sentences]
        self._is_speaker_line = [is_speaker_line(s.text, s.context) for s in index.sentences]
        self._people = [self._people_about(row) for row in range(len(index.sentences))]
        self._speaker_rows: dict[str, list[int]] = {}
        self._chunk_of_sentence: dict[int, int] = {}
        for chunk_row, rows in enumerate(index.chunk_sentences):
            for row in rows:
                self._chunk_of_sentence.setdefault(row, chunk_row)
        for row, sentence in enumerate(index.sentences):
            if self._is_speaker_line[row]:
                self._speaker_rows.setdefault(sentence.talk_id, []).append(row)

    def _people_about(self, row: int) -> str:
        """The talk's title and the people a sentence is about: a lead-in such as
        "Chris (Pepsi Co):" narrows the talk's people to the one it names."""
        talk_id, context = self.index.sentences[row].talk_id, self._context_squashed[row]
        named = [text for text, aliases in self._speakers[talk_id] if any(a in context for a in aliases)]
        return self._talk_head[talk_id] + "".join(named) if named else self._talk_squashed[talk_id]

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
        if info.asks_speaker:  # who gave it is said once, in a chunk the question may not retrieve
            for rank, hit in enumerate(retrieval.hits):
                for row in self._speaker_rows.get(hit.talk.talk_id, []):
                    if row not in seen:
                        seen.add(row)
                        cosine = float(self.index.sentence_vectors[row] @ retrieval.query_vector)
                        own_hit = replace(hit, chunk=self.index.chunks[self._chunk_of_sentence[row]])
                        out.append(self._score(row, cosine, own_hit, rank, info, q_weight, retrieval.mentioned_talks))
        out.sort(key=lambda c: (-c.score, c.row))
        return out

    def _score(
        self, row: int, cosine: float, hit: Hit, rank: int, info: QuestionInfo, q_weight: float, mentioned: set[str]
    ) -> Candidate:
        sentence = self.index.sentences[row]
        cover = sum(self.idf(t) for t in info.terms & self._sentence_terms[row]) / q_weight
        own = self._sentence_squashed[row]
        named = sum(squash(n) in own for n in info.names) / len(info.names) if info.names else 0.0
        features = (
            cosine,
            cover,
            1.0 / (1 + rank),
            kind_score(info, sentence.text, sentence.context, sentence.list_item),
            float(sentence.talk_id in mentioned),
            named,
        )
        eligible = self._eligible(row, sentence, info)
        return Candidate(row, hit, rank, self.weights.score(features), eligible, features)

    def _eligible(self, row: int, sentence: Sentence, info: QuestionInfo) -> bool:
        if required(info.kind) and not kind_score(info, sentence.text, sentence.context, sentence.list_item):
            return False  # a count, a percentage or an amount of money must be in the sentence
        if info.focus and info.focus not in self._sentence_terms[row]:
            return False  # "how many engineers" is not answered by a count of models
        if self._is_speaker_line[row] and not info.asks_speaker:
            return False
        about = self._context_squashed[row]
        if info.talk_only:  # "the X speaker": X must be the talk's, wherever the context points
            about += self._talk_squashed[sentence.talk_id]
        else:
            about += self._text_squashed[row] + self._previous_text(row) + self._people[row]
        if not all(squash(n) in about for n in info.names):
            return False
        return all(n in about or n in sentence.text for n in info.numbers)

    def _previous_text(self, row: int) -> str:
        """The sentence before, in the same talk: 'these' and 'they' point back to it."""
        if row == 0 or self.index.sentences[row - 1].talk_id != self.index.sentences[row].talk_id:
            return ""
        return self._text_squashed[row - 1]

    def answer(self, retrieval: Retrieval) -> Answer:
        return self.answer_from(retrieval, self.candidates(retrieval))

    def answer_from(self, retrieval: Retrieval, candidates: list[Candidate]) -> Answer:
        """Pick from scored candidates (split from `answer` so tuning can rescore them)."""
        started = time.perf_counter()
        eligible = [c for c in candidates if c.eligible]
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
        used: set[int] = set()
        for cand in chosen:
            if cand.row in used:  # already brought in as an item of an earlier lead-in
                continue
            out.append(cand)
            used.add(cand.row)
            lead = self.index.sentences[cand.row]
            if not lead.text.rstrip().endswith(":"):
                continue
            row, added = cand.row + 1, 0
            while row < len(self.index.sentences) and added < limit:
                item = self.index.sentences[row]
                if item.talk_id != lead.talk_id or not item.list_item:
                    break
                if item.context == lead.text and row not in used:
                    out.append(Candidate(row, cand.hit, cand.rank, cand.score, True))
                    used.add(row)
                    added += 1
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
