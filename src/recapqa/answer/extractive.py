"""The default answerer: quotes the one to three best sentences (or list items) of the
retrieved chunks, verbatim, each with its citation, or abstains.

Each candidate sentence gets the features of `answer/features.py` and a score: the
probability, under a logistic model fitted on the dev splits of both question sets, that it
answers (eval/calibrate.py). A sentence
is only eligible when its talk is about every name the question gives (a name in the notes
or the talk's metadata) and, for a count or an amount, when it holds one.

Abstention: the best eligible sentence's probability must reach `abstain_threshold`
(RECAPQA_ABSTAIN_THRESHOLD), chosen on the dev splits (eval/calibrate.py).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import replace
from functools import partial
from pathlib import Path

import numpy as np

from recapqa.answer.abbreviations import name_forms
from recapqa.answer.candidates import (
    Candidate,
    asks_lead_in,
    retrieval_ranks,
    with_antecedent,
    with_list_items,
    with_siblings,
)
from recapqa.answer.details import lacks_detail
from recapqa.answer.eligibility import Eligibility
from recapqa.answer.facts import Facts
from recapqa.answer.features import NAMES, check_weights, confidence_values, probability, topic_values
from recapqa.answer.gist import GistAnswerer
from recapqa.answer.kinds import GIST_KINDS, kind_of, spans_talks
from recapqa.answer.metadata import MetadataAnswerer
from recapqa.answer.question import QuestionInfo, analyse
from recapqa.answer.sentence_kinds import kind_score
from recapqa.models import CANNOT_ANSWER, Answer, Citation, Hit, Talk, quote_list
from recapqa.retrieve import Retrieval
from recapqa.settings import Settings
from recapqa.store import Index, corpus_words
from recapqa.store.corpus_words import CorpusWords


class ExtractiveAnswerer:
    def __init__(
        self,
        index: Index,
        settings: Settings,
        weights: tuple[float, ...] | None = None,
        embed: Callable[[str], np.ndarray] | None = None,
        words: CorpusWords | None = None,
    ) -> None:
        """`embed`: the query encoder, for topics of gist questions ("what did X say about Y");
        `words`: the index's corpus word tables, when already loaded."""
        self.index = index
        self.settings = settings
        self.weights = tuple(weights or settings.answer_weights)
        check_weights(self.weights, settings.confidence_weights)
        words = words or corpus_words.load(index)  # stored with the index: no sentence is read
        self.proper_nouns = words.proper_nouns
        self.gist = GistAnswerer(index, settings, embed, self.proper_nouns, words.talk_rows)
        self.metadata = MetadataAnswerer(self.gist.targets, settings)
        self.idf = words.idf
        # the notes' folder often names the event all its talks belong to ('kernelconf-2024/'): the
        # one the index was built from (its manifest), which a served index's settings may not name
        folder = Path(index.manifest.get("corpus_dir") or settings.corpus_dir.resolve()).name
        self.facts = Facts(index, words.talk_rows, settings.antecedent_reach, folder)
        self.eligible = Eligibility(index, self.facts, settings)

    def talk_terms(self, talk_id: str) -> frozenset[str]:
        """Stemmed words of everything known about a talk (title, speakers, event...)."""
        return self.facts.talks[talk_id].terms

    def chunk_row(self, hit: Hit) -> int:
        """The hit's row in `Index.chunks`: the one retrieval gave, else found by its id (which
        reads every chunk's id once)."""
        return hit.row if hit.row is not None else self.facts.chunk_rows[hit.chunk.chunk_id]

    def candidates(
        self, retrieval: Retrieval, info: QuestionInfo | None = None, spilled: bool = False
    ) -> list[Candidate]:
        """Every sentence of the retrieved chunks, scored; `info`: the question already analysed;
        `spilled`: also those of the chunks the per-talk cap left out (`Retrieval.spilled`)."""
        info = info or analyse(retrieval.question, self.proper_nouns)
        texts = [t for hit in retrieval.hits for t in (hit.chunk.embed_text, hit.talk.title)]
        spelled = partial(self.facts.texts_of, [hit.talk.talk_id for hit in retrieval.hits])  # of lower-case names
        info = replace(info, forms=name_forms(info.text, info.names, texts, spelled))
        q_weight = sum(self.idf(t) for t in info.terms) or 1.0
        seen: set[int] = set()
        out: list[Candidate] = []
        ranks = retrieval_ranks(retrieval.hits, self.settings.talk_rank_share)
        last = float(len(retrieval.hits))  # a chunk the per-talk cap left out ranks after every retrieved one
        pairs = [*zip(ranks, retrieval.hits, strict=True), *((last, hit) for hit in retrieval.spilled if spilled)]
        for rank, hit in pairs:
            rows = [r for r in self.index.chunk_sentences[self.chunk_row(hit)] if r not in seen]
            seen.update(rows)
            if not rows:
                continue
            cosines = self.index.sentence_vectors[rows] @ retrieval.query_vector
            for row, cosine in zip(rows, cosines, strict=True):
                out.append(self._score(row, float(cosine), hit, rank, info, q_weight, retrieval.mentioned_talks))
        out += self._talk_sentences(retrieval, info, q_weight, seen)
        if info.asks_speaker:  # who gave it is said once, in a chunk the question may not retrieve
            for rank, hit in enumerate(retrieval.hits):
                for row in self.facts.talks[hit.talk.talk_id].speaker_rows:
                    if row not in seen:
                        seen.add(row)
                        cosine = float(self.index.sentence_vectors[row] @ retrieval.query_vector)
                        chunk_row = self.facts.sentences[row].chunk_row
                        own_hit = replace(hit, chunk=self.index.chunks[chunk_row], row=chunk_row)
                        out.append(self._score(row, cosine, own_hit, rank, info, q_weight, retrieval.mentioned_talks))
        out.sort(key=lambda c: (-c.score, c.row))
        return out

    def _talk_sentences(
        self, retrieval: Retrieval, info: QuestionInfo, q_weight: float, seen: set[int]
    ) -> list[Candidate]:
        """The sentences of the first retrieved talks closest to the question (sentence
        vectors) that no retrieved chunk holds: a talk is often retrieved by another of its
        chunks than the one that answers (`Settings.talk_sentences` per talk)."""
        out: list[Candidate] = []
        if not self.settings.talk_sentences:
            return out
        last = len(retrieval.hits)  # ranked after every retrieved chunk: no retrieval score vouches for it
        talks: list[str] = []
        for hit in retrieval.hits:
            if hit.talk.talk_id in talks or len(talks) >= self.settings.talk_sentence_talks:
                continue
            talks.append(hit.talk.talk_id)
            rows = [r for r in self.facts.rows_of(hit.talk.talk_id) if r not in seen]
            if not rows:
                continue
            cosines = self.index.sentence_vectors[rows] @ retrieval.query_vector
            for i in np.argsort(-cosines, kind="stable")[: self.settings.talk_sentences]:
                row = rows[int(i)]
                seen.add(row)
                chunk_row = self.facts.sentences[row].chunk_row
                own_hit = replace(hit, chunk=self.index.chunks[chunk_row], row=chunk_row)
                out.append(
                    self._score(row, float(cosines[i]), own_hit, last, info, q_weight, retrieval.mentioned_talks)
                )
        return out

    def _score(
        self, row: int, cosine: float, hit: Hit, rank: float, info: QuestionInfo, q_weight: float, mentioned: set[str]
    ) -> Candidate:
        features = self.features(row, cosine, rank, info, q_weight, mentioned)
        eligible = self.eligible(row, info, features[NAMES.index("kind")])
        return Candidate(row, hit, rank, probability(self.weights, features), eligible, features)

    def features(
        self, row: int, cosine: float, rank: float, info: QuestionInfo, q_weight: float, mentioned: set[str]
    ) -> tuple[float, ...]:
        """The values of features.FEATURES, in order."""
        sentence, facts = self.index.sentences[row], self.facts.sentences[row]
        about, folder = self.facts.talks[sentence.talk_id].about, self.facts.folder_numbers
        near = facts.context + facts.text + self.facts.previous_text(row) + facts.antecedents
        names = info.name_forms()
        kind = kind_score(info, sentence.text, sentence.context, sentence.list_item)
        missing = lacks_detail(info, sentence.text, sentence.context, sentence.list_item, kind)

        def share(found: list[bool]) -> float:
            return sum(found) / len(found) if found else 0.0

        return (
            1.0,
            cosine,
            sum(self.idf(t) for t in info.terms & facts.terms) / q_weight,
            sum(self.idf(t) for t in info.terms & facts.own_terms) / q_weight,
            1.0 / (1 + rank),
            kind,
            float(sentence.talk_id in mentioned),
            share([any(f in near or f in facts.people for f in forms) for forms in names]),
            share([any(f in about for f in forms) for forms in names]),
            float(any(n not in about and n not in sentence.text and n not in folder for n in info.numbers)),
            float(len(sentence.text.split()) <= 3),
            float(sentence.text.rstrip().endswith(":") and not kind),
            float(sentence.list_item),
            sum(self.idf(t) for t in info.terms if not self.idf.known(t)) / q_weight,
            float(missing),
            *topic_values(info.terms, self.idf, self.idf.known, self.talk_terms(sentence.talk_id), facts.own_terms),
        )

    def answer(self, retrieval: Retrieval) -> Answer:
        info = analyse(retrieval.question, self.proper_nouns)
        if info.kind in GIST_KINDS:
            gist = self.gist.answer(retrieval, info)
            if gist is not None:
                return gist
        known = self.metadata.answer(retrieval, info) or self._speaker_of_topic(retrieval, info, company=True)
        if known is not None:
            return known
        answer = self.answer_from(retrieval, self.candidates(retrieval, info))
        if answer.abstained and retrieval.spilled and self.settings.read_spilled:  # before saying 'not covered'
            answer = self.answer_from(retrieval, self.candidates(retrieval, info, spilled=True))
        if answer.abstained:
            return self.metadata.count_in_title(retrieval, info) or self._speaker_of_topic(retrieval, info) or answer
        return answer

    def _speaker_of_topic(self, retrieval: Retrieval, info: QuestionInfo, company: bool = False) -> Answer | None:
        """'Who gave the talk about solar kettles?': the speakers of the talk whose sentence says
        what the question says the talk was about; with `company`, their company."""
        if info.kind != ("company" if company else "person") or not info.asks_speaker:
            return None
        topic = replace(info, kind="other", asks_speaker=False, talk_only=False)
        eligible = [c for c in self.candidates(retrieval, topic) if c.eligible]
        if not eligible or self.confidence(eligible) < self.settings.abstain_threshold:
            return None
        best = eligible[0]
        named = best.features[NAMES.index("names_sentence")] if info.names else 1.0
        if named < 1.0 or best.features[NAMES.index("cover_text")] < self.settings.speaker_topic_cover:
            return None  # the sentence must itself say what the question says the talk was about
        evidence = self.citation(best)
        if company:
            return self.metadata.company_of(retrieval, evidence.talk, [evidence])
        return self.metadata.speakers_of(retrieval, info, evidence.talk, [evidence])

    def answer_from(self, retrieval: Retrieval, candidates: list[Candidate]) -> Answer:
        """Pick from scored candidates (split from `answer` so tuning can rescore them)."""
        started = time.perf_counter()
        eligible = [c for c in candidates if c.eligible]
        if not eligible or self.confidence(eligible) < self.settings.abstain_threshold:
            return self.abstain(retrieval, started)
        chosen = self._select(eligible, retrieval.question)
        if kind_of(retrieval.question) == "list" or asks_lead_in(self.index.sentences, chosen[0], retrieval.question):
            chosen = with_siblings(self.index.sentences, chosen)
        chosen = with_list_items(self.index.sentences, with_antecedent(self.index.sentences, chosen))
        citations = [self.citation(c) for c in chosen]
        return Answer(
            question=retrieval.question,
            answer=quote_list([c.quote for c in citations]),
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
        multi_talk = spans_talks(question)
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
        by_id: dict[str, Talk] = {}
        for hit in retrieval.hits:
            by_id.setdefault(hit.talk.talk_id, hit.talk)
        closest = list(by_id.values())[:3]
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
