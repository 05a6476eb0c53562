"""The questions that ask for the gist rather than one fact: summaries and takeaways of a
talk, what a speaker said about a topic, themes across talks, two talks compared on a
topic, and which talks mention something. Every sentence is quoted verbatim and cited.

- Summary / takeaways: the talk's sentences minus filler (fragments, speaker lines, lines
  with fewer than `min_terms` content words) are ranked by centrality (cosine with the
  talk's centroid) and picked with MMR (`mmr_lambda`) for coverage, up to
  `gist_sentences`, then put back in source order. Takeaways favour sentences under a
  takeaways/lessons/conclusion lead-in or heading.
- Speaker or company on a topic: only their talk(s); sentences ranked by the topic; when
  the topic is not there, the answer says so and names the talks where it is.
- Themes: terms weighted by TF-IDF over talks; a term shared by several talks' top terms
  is a theme, named by its most common spelling; one cited sentence per talk under it.
- Which talks mention Y / compare two talks on Y: the talks whose sentences hold the topic,
  each with its best sentence.
"""

from __future__ import annotations

import itertools
import re
import threading
import time
from collections import Counter
from collections.abc import Callable, Sequence

import numpy as np

from recapqa.answer.gist_tables import gist_tables
from recapqa.answer.gist_words import ASKING_WORDS, NOT_THEMES, TAKEAWAY_CUE
from recapqa.answer.question import QuestionInfo
from recapqa.answer.targets import TalkTargets, names_people
from recapqa.answer.themes import event_scope, shared_themes
from recapqa.models import CANNOT_ANSWER, Answer, Citation, Talk
from recapqa.retrieve import Retrieval
from recapqa.settings import Settings
from recapqa.store import Index
from recapqa.text import terms, words


class GistAnswerer:
    def __init__(
        self,
        index: Index,
        settings: Settings,
        embed: Callable[[str], np.ndarray] | None = None,
        proper_nouns: frozenset[str] = frozenset(),
    ) -> None:
        """`proper_nouns`: words the notes only write capitalised (a theme is a two-word
        phrase or one of these, not a common verb)."""
        self.index = index
        self.settings = settings
        self.embed = embed
        self.named = {stem for word in proper_nouns for stem in terms(word)}
        self.targets = TalkTargets(index)
        # rows per talk, per-sentence words, filler flags and spellings: made on the first gist
        # question, so that loading an index (serve start-up) does not pay for questions never asked
        self.rows: dict[str, list[int]] = {}
        self.chunk_of: dict[int, str] = {}
        self.words: list[list[str]] = []
        self.terms: list[set[str]] = []
        self.filler: list[bool] = []
        self.spelling: dict[str, Counter[str]] = {}
        self._ready = threading.Lock()
        self._themes_found: dict[frozenset[str], tuple[list[str], list[tuple[str, list[str]]]]] = {}

    def _prepare(self) -> None:
        with self._ready:
            if self.filler or not self.index.sentences:
                return
            t = gist_tables(self.index, self.targets.label_terms, self.settings.gist_min_terms)
            self.rows, self.chunk_of, self.words, self.terms, self.spelling = (
                t.rows,
                t.chunk_of,
                t.words,
                t.terms,
                t.spelling,
            )
            self.filler = t.filler

    # ---- the shapes -------------------------------------------------------------------

    def answer(self, retrieval: Retrieval, info: QuestionInfo) -> Answer | None:
        """The gist answer, or None when the question is not of a shape this can answer
        (the fact answerer takes it then)."""
        self._prepare()
        started = time.perf_counter()
        talks = self.targets.named(retrieval)
        if info.kind == "speaker_topic":  # "what did <speaker> say about <another talk's title>": theirs only
            talks = [t for t in talks if names_people(t, retrieval.question)] or talks
        # "which talks mention X": X is the topic even where it names a talk
        topic = self._topic(info, [] if info.kind == "which_talks" else talks)
        if info.kind in ("summary", "takeaways"):
            target = talks[:1] or self.targets.best_titled(retrieval, info)
            return self._summary(retrieval, target[0], info.kind == "takeaways", started) if target else None
        if info.kind == "speaker_topic" and talks and topic:
            return self._on_topic(retrieval, talks, topic, started)
        if info.kind == "compare" and len(talks) >= 2:
            return self._compare(retrieval, talks[:2], topic, started)
        if info.kind == "which_talks" and topic:
            return self._which(retrieval, topic, started)
        if info.kind == "themes":
            return self._themes(retrieval, info, started)
        return None

    def _summary(self, retrieval: Retrieval, talk: Talk, takeaways: bool, started: float) -> Answer:
        rows = [r for r in self.rows.get(talk.talk_id, []) if not self.filler[r]]
        if not rows:
            return self._nothing(retrieval, started, [talk])
        relevance = self._centrality(rows)
        facts = np.array([bool(re.search(r"\d", self.index.sentences[r].text)) for r in rows])
        relevance = relevance + self.settings.gist_fact_boost * facts  # a number says what happened
        if takeaways:
            cue = np.array([bool(TAKEAWAY_CUE.search(self.index.sentences[r].context or "")) for r in rows])
            relevance = relevance + self.settings.gist_takeaway_boost * cue
        chosen = sorted(self._mmr(rows, relevance))
        head = f"{'Key takeaways from' if takeaways else 'Summary of'} {talk.described}:"
        return self._build(retrieval, head, [(None, r) for r in chosen], started)

    def _on_topic(self, retrieval: Retrieval, talks: list[Talk], topic: set[str], started: float) -> Answer:
        query = self._topic_vector(retrieval, topic)
        floor = self.settings.gist_topic_cosine
        rows = [
            r
            for t in talks
            for r in self.rows.get(t.talk_id, [])
            if not self.filler[r] and (topic & self.terms[r] or float(self.index.sentence_vectors[r] @ query) >= floor)
        ]
        if not rows:
            elsewhere = self._talks_with(topic, exclude={t.talk_id for t in talks})
            names = "; ".join(t.described for t in talks)
            text = f"{CANNOT_ANSWER} {names} did not talk about this in the notes."
            if elsewhere:
                text += " It comes up in: " + "; ".join(t.described for t in elsewhere[:3]) + "."
            return Answer(
                retrieval.question, text, True, "extractive", timings_ms=_ms(started), closest_talks=elsewhere
            )
        scores = self.index.sentence_vectors[rows] @ query
        scores = scores + np.array([len(topic & self.terms[r]) / len(topic) for r in rows])
        chosen = sorted(self._mmr(rows, scores))
        head = f"What {' and '.join(t.described for t in talks)} said:"
        return self._build(retrieval, head, [(None, r) for r in chosen], started)

    def _compare(self, retrieval: Retrieval, talks: list[Talk], topic: set[str], started: float) -> Answer:
        """Each talk's sentences on the topic; when the question names only the talks (their
        titles hold the topic), each talk's summary, shared out within `gist_sentences`."""
        picked: list[tuple[str | None, int]] = []
        share = [len(part) for part in np.array_split(np.arange(self.settings.gist_sentences), len(talks))]
        for talk, n in zip(talks, share, strict=True):
            rows = [r for r in self.rows.get(talk.talk_id, []) if not self.filler[r]]
            on_topic = [r for r in rows if topic & self.terms[r]]
            if on_topic:
                on_topic.sort(key=lambda r: -float(self.index.sentence_vectors[r] @ retrieval.query_vector))
                picked += [(talk.title, r) for r in sorted(on_topic[:n])]
            elif rows and not topic:
                picked += [(talk.title, r) for r in sorted(self._mmr(rows, self._centrality(rows), n))]
        if not picked:
            return self._nothing(retrieval, started, talks)
        head = f"On {self._name(topic, retrieval.question)}:" if topic else "Compared:"
        return self._build(retrieval, head, picked, started)

    def _which(self, retrieval: Retrieval, topic: set[str], started: float) -> Answer:
        found = []
        for talk_id, rows in self.rows.items():
            titled = self.targets.label_terms[talk_id]  # a talk titled "... Maturity Model" presents one
            hits = [r for r in rows if topic <= self.terms[r] | self._lead_in(r) | titled]  # a mention, even short
            if hits and self.index.talks[talk_id].kind == "talk":
                best = max(hits, key=lambda r: float(self.index.sentence_vectors[r] @ retrieval.query_vector))
                found.append((float(self.index.sentence_vectors[best] @ retrieval.query_vector), talk_id, best))
        if not found:
            return self._nothing(retrieval, started, self.targets.top(retrieval, 3))
        found.sort(reverse=True)
        picked = [(self.index.talks[t].title, r) for _, t, r in found[: self.settings.gist_max_talks]]
        head = f"Talks that mention {self._name(topic, retrieval.question)} ({len(found)}):"
        return self._build(retrieval, head, picked, started)

    def _themes(self, retrieval: Retrieval, info: QuestionInfo, started: float) -> Answer | None:
        scope = event_scope(self.index.talks.values(), info.text, ASKING_WORDS)
        talks, themes = self._shared_themes(scope)
        if len(talks) < 2:
            return None
        picked: list[tuple[str | None, int]] = []
        for term, holders in themes:
            for t in holders[: self.settings.gist_theme_talks]:
                rows = [r for r in self.rows[t] if not self.filler[r] and term in self._phrases(r)] or self.rows[t]
                best = max(rows, key=lambda r: float(self.index.sentence_vectors[r] @ retrieval.query_vector))
                picked.append((f"{self._name({term})} — {self.index.talks[t].title}", best))
        if not picked:
            return None
        return self._build(retrieval, f"Themes across {len(talks)} talks:", picked, started)

    # ---- helpers ----------------------------------------------------------------------

    def _shared_themes(self, scope: frozenset[str]) -> tuple[list[str], list[tuple[str, list[str]]]]:
        """The talks themes are drawn from (those of the notes files in `scope`, or all) and
        the themes they share: they depend on the notes only, so they are found once per scope."""
        with self._ready:
            if scope not in self._themes_found:
                min_rows = self.settings.gist_theme_min_sentences
                talks = [
                    t
                    for t, rows in self.rows.items()
                    if self.index.talks[t].kind == "talk"
                    and len(rows) >= min_rows
                    and (not scope or self.index.talks[t].source in scope)
                ]
                phrases = [self._phrases(r) for r in range(len(self.index.sentences))]
                drawn = {t: self.rows[t] for t in talks}
                people = {x for t in self.index.talks.values() for p in t.speakers for x in terms(p.name)}
                excluded = NOT_THEMES | ASKING_WORDS | people  # a theme is what talks share, not who spoke
                themes = shared_themes(drawn, phrases, self.filler, self.named, excluded, self.settings)
                self._themes_found[scope] = (talks, themes) if len(talks) >= 2 else (talks, [])
            return self._themes_found[scope]

    def _topic_vector(self, retrieval: Retrieval, topic: set[str]) -> np.ndarray:
        """The topic alone, embedded ('LLMs' rather than 'What did Min Cai say about LLMs?'),
        in the question's own words."""
        if self.embed is None:
            return retrieval.query_vector
        asked = [w for w in re.findall(r"[\w+#.-]+", retrieval.question) if set(terms(w)) & topic]
        return self.embed(" ".join(asked) or retrieval.question)

    def _lead_in(self, row: int) -> set[str]:
        """Terms of the line that introduces a list item ("Tools they use:")."""
        context = self.index.sentences[row].context
        return set(terms(context)) if context else set()

    def _phrases(self, row: int) -> set[str]:
        """Content terms of a sentence and its two-word phrases ('featur store')."""
        seq = self.words[row]
        return set(seq) | {f"{a} {b}" for a, b in itertools.pairwise(seq)}

    def _centrality(self, rows: list[int]) -> np.ndarray:
        """Cosine of each sentence with the centroid of `rows`."""
        vectors = self.index.sentence_vectors[rows]
        centroid = vectors.mean(axis=0)
        return vectors @ (centroid / (np.linalg.norm(centroid) or 1.0))

    def _mmr(self, rows: list[int], relevance: np.ndarray, limit: int | None = None) -> list[int]:
        vectors = self.index.sentence_vectors[rows]
        chosen: list[int] = []
        lam = self.settings.mmr_lambda
        while len(chosen) < min(limit or self.settings.gist_sentences, len(rows)):
            redundancy = (vectors @ vectors[chosen].T).max(axis=1) if chosen else np.zeros(len(rows))
            score = lam * relevance - (1 - lam) * redundancy
            score[chosen] = -np.inf
            chosen.append(int(np.argmax(score)))
        return [rows[i] for i in chosen]

    def _topic(self, info: QuestionInfo, talks: list[Talk]) -> set[str]:
        """What the question is about: its words, less the asking words and what names the
        talks it points at (their titles, speakers, companies)."""
        named = {x for t in talks for x in self.targets.label_terms[t.talk_id]}
        return {t for t in info.terms if t not in ASKING_WORDS and t not in named}

    def _talks_with(self, topic: set[str], exclude: set[str]) -> list[Talk]:
        return [
            self.index.talks[t]
            for t, rows in self.rows.items()
            if t not in exclude and any(topic & self.terms[r] for r in rows)
        ]

    def _name(self, topic: set[str], question: str = "") -> str:
        """Terms back to words: as the question writes them, else as the notes do most often;
        in the question's order."""
        order = {t: i for i, t in reversed(list(enumerate(terms(question))))}
        asked = {stem: word for word in words(question) for stem in terms(word)}
        parts = [p for t in sorted(topic, key=lambda t: (order.get(t, len(order)), t)) for p in t.split()]
        notes = {p: self.spelling[p].most_common(1)[0][0] for p in parts if p in self.spelling}
        return " ".join(asked.get(p) or notes.get(p, p) for p in parts)

    def _build(
        self, retrieval: Retrieval, head: str, picked: Sequence[tuple[str | None, int]], started: float
    ) -> Answer:
        citations, lines = [], [head]
        for label, row in picked:
            sentence = self.index.sentences[row]
            citations.append(
                Citation(
                    chunk_id=self.chunk_of.get(row, ""),
                    talk=self.index.talks[sentence.talk_id],
                    source=sentence.source,
                    start_line=sentence.span.start_line,
                    end_line=sentence.span.end_line,
                    quote=sentence.text,
                    score=1.0,
                )
            )
            lines.append(f"- {label}: {sentence.text}" if label else f"- {sentence.text}")
        return Answer(retrieval.question, "\n".join(lines), False, "extractive", citations, timings_ms=_ms(started))

    def _nothing(self, retrieval: Retrieval, started: float, closest: list[Talk]) -> Answer:
        text = CANNOT_ANSWER + (" Closest talks: " + "; ".join(t.described for t in closest) + "." if closest else "")
        return Answer(retrieval.question, text, True, "extractive", timings_ms=_ms(started), closest_talks=closest)


def _ms(started: float) -> dict[str, float]:
    return {"answer": (time.perf_counter() - started) * 1e3}
