"""The default answerer: quotes the one to three best sentences (or list items) of the
retrieved chunks, verbatim, each with its citation, or abstains.

Each candidate sentence gets the features of `answer/features.py` (closeness to the
question, coverage of its words, whether it holds what the question asks for, whether it
and its talk are about what the question names...) and a score: the probability, under a
logistic model fitted on the dev splits of both question sets, that it answers. A sentence
is only eligible when its talk is about every name the question gives (a name in the notes
or the talk's metadata) and, for a count or an amount, when it holds one.

Abstention: the best eligible sentence's probability must reach `abstain_threshold`
(RECAPQA_ABSTAIN_THRESHOLD), chosen on the dev splits (eval/calibrate.py).
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable
from dataclasses import dataclass, replace

import numpy as np

from recapqa.answer.features import confidence_values, probability
from recapqa.answer.gist import GistAnswerer
from recapqa.answer.question import (
    GIST_KINDS,
    QuestionInfo,
    analyse,
    corpus_proper_nouns,
    is_speaker_line,
    kind_score,
    required,
)
from recapqa.models import CANNOT_ANSWER, Answer, Citation, Hit, Talk
from recapqa.retrieve import Retrieval
from recapqa.settings import Settings
from recapqa.store import Index
from recapqa.talk_mentions import speaker_aliases, talk_text
from recapqa.text import Idf, squash, terms

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


class ExtractiveAnswerer:
    def __init__(
        self,
        index: Index,
        settings: Settings,
        weights: tuple[float, ...] | None = None,
        embed: Callable[[str], np.ndarray] | None = None,
    ) -> None:
        """`embed`: the query encoder, for topics of gist questions ("what did X say about Y")."""
        self.index = index
        self.settings = settings
        self.weights = tuple(weights or settings.answer_weights)
        self.proper_nouns = corpus_proper_nouns([c.text for c in index.chunks])
        self.gist = GistAnswerer(index, settings, embed, self.proper_nouns)
        self.idf = Idf([s.text for s in index.sentences])
        self._talk_terms = {tid: set(terms(talk_text(t))) for tid, t in index.talks.items()}
        self._talk_squashed = {tid: squash(talk_text(t)) for tid, t in index.talks.items()}
        self._talk_head = {tid: squash(f"{t.title} {t.company or ''} {t.talk_id}") for tid, t in index.talks.items()}
        self._speakers = {
            tid: [(squash(f"{s.name} {s.role or ''}"), {squash(a) for a in speaker_aliases(s)}) for s in t.speakers]
            for tid, t in index.talks.items()
        }
        self._chunk_rows = {c.chunk_id: i for i, c in enumerate(index.chunks)}
        notes: dict[str, str] = {}
        for sentence in index.sentences:
            notes[sentence.talk_id] = notes.get(sentence.talk_id, "") + squash(sentence.text) + "|"
        self._talk_notes = notes  # a talk's sentences, squashed: how often it names something
        # every name the notes or the talks' metadata hold, to tell a name they never mention
        self._everything = "".join(self._talk_squashed.values()) + "".join(notes.values())
        # per-sentence text features are fixed by the index: compute them once
        self._sentence_terms = [set(terms(s.embed_text)) | self._talk_terms[s.talk_id] for s in index.sentences]
        self._own_terms = [set(terms(s.text)) for s in index.sentences]
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
        features = self.features(row, cosine, rank, info, q_weight, mentioned)
        eligible = self._eligible(row, info, features)
        return Candidate(row, hit, rank, probability(self.weights, features), eligible, features)

    def features(
        self, row: int, cosine: float, rank: int, info: QuestionInfo, q_weight: float, mentioned: set[str]
    ) -> tuple[float, ...]:
        """The values of features.FEATURES, in order."""
        sentence = self.index.sentences[row]
        talk_id = sentence.talk_id
        text_terms = self._own_terms[row]
        near = self._context_squashed[row] + self._text_squashed[row] + self._previous_text(row)
        names = [squash(n) for n in info.names]
        kind = kind_score(info, sentence.text, sentence.context, sentence.list_item)

        def share(found: list[bool]) -> float:
            return sum(found) / len(found) if found else 0.0

        about = self._talk_squashed[talk_id]
        return (
            1.0,
            cosine,
            sum(self.idf(t) for t in info.terms & self._sentence_terms[row]) / q_weight,
            sum(self.idf(t) for t in info.terms & text_terms) / q_weight,
            1.0 / (1 + rank),
            kind,
            float(required(info.kind) and not kind),
            float(bool(info.focus) and info.focus not in self._sentence_terms[row]),
            float(talk_id in mentioned),
            share([n in near or n in self._people[row] for n in names]),
            share([n in about for n in names]),
            share([n not in self._everything for n in names]),
            float(any(n not in about and n not in sentence.text for n in info.numbers)),
            float(len(sentence.text.split()) <= 3),
            float(sentence.text.rstrip().endswith(":") and not kind),
            float(self._is_speaker_line[row] and not info.asks_speaker),
            float(sentence.list_item),
            sum(self.idf(t) for t in info.terms if not self.idf.known(t)) / q_weight,
        )

    def _eligible(self, row: int, info: QuestionInfo, features: tuple[float, ...]) -> bool:
        """A count or an amount must be in the sentence, of what the question counts; every
        name the question gives must be in the sentence, its lead-in, the sentence before, or
        the talk's metadata (only the metadata when the question says 'the X talk'), or be
        something the talk names again and again: a passing mention does not make the talk
        about it."""
        if features[6] or features[7] or (self._is_speaker_line[row] and not info.asks_speaker):
            return False  # no count where one is asked, or a count of something else
        sentence = self.index.sentences[row]
        metadata = self._talk_squashed[sentence.talk_id] + self._context_squashed[row]
        near = metadata + self._text_squashed[row] + self._previous_text(row) + self._people[row]
        often = self.settings.talk_name_mentions
        for name in (squash(n) for n in info.names):
            if info.talk_only and name not in metadata + self._people[row]:
                return False
            if name not in near and self._talk_notes.get(sentence.talk_id, "").count(name) < often:
                return False
        # a year or an edition the question gives ("Apply(ops) 24") must be there too
        return all(n in near or n in sentence.text for n in info.numbers)

    def _previous_text(self, row: int) -> str:
        """The sentence before, in the same talk: 'these' and 'they' point back to it."""
        if row == 0 or self.index.sentences[row - 1].talk_id != self.index.sentences[row].talk_id:
            return ""
        return self._text_squashed[row - 1]

    def answer(self, retrieval: Retrieval) -> Answer:
        info = analyse(retrieval.question, self.proper_nouns)
        if info.kind in GIST_KINDS:
            gist = self.gist.answer(retrieval, info)
            if gist is not None:
                return gist
        return self.answer_from(retrieval, self.candidates(retrieval))

    def answer_from(self, retrieval: Retrieval, candidates: list[Candidate]) -> Answer:
        """Pick from scored candidates (split from `answer` so tuning can rescore them)."""
        started = time.perf_counter()
        eligible = [c for c in candidates if c.eligible]
        if not eligible or self.confidence(eligible) < self.settings.abstain_threshold:
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

    def confidence(self, eligible: list[Candidate]) -> float:
        """Probability that the answer built from these eligible candidates (best first)
        holds: what `abstain_threshold` is compared with."""
        if not eligible:
            return 0.0
        values = confidence_values([c.score for c in eligible[:2]], eligible[0].features)
        return probability(self.settings.confidence_weights, values)

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
            text += " Closest talks: " + "; ".join(t.described for t in closest) + "."
        return Answer(
            question=retrieval.question,
            answer=text,
            abstained=True,
            mode="extractive",
            fallback_reason=reason,
            timings_ms={"answer": (time.perf_counter() - started) * 1e3},
            closest_talks=closest,
        )
