"""The state and helpers of the gist answerer (answer/gist.py): the per-sentence tables
(each row made when a question first reads it), the units a talk offers and how they are picked, topic
vectors, names of topics, and how a gist answer is written and cited."""

from __future__ import annotations

import re
import threading
import time
from collections.abc import Callable, Mapping, Sequence

import numpy as np

from recapqa.answer.gist_select import Candidates, Unit, candidates, pick
from recapqa.answer.gist_tables import Expansions, Spelling, gist_tables
from recapqa.answer.gist_words import ASKING_WORDS, GENERIC_WORDS, NOT_THEMES
from recapqa.answer.question import QuestionInfo
from recapqa.answer.targets import TalkTargets
from recapqa.answer.themes import EventWords, plain_title, ranked_table, shared_themes
from recapqa.gist_text import WordTerms, pairs
from recapqa.memory import release_freed
from recapqa.models import CANNOT_ANSWER, Answer, Chunk, Citation, Talk
from recapqa.retrieve import Retrieval
from recapqa.settings import Settings
from recapqa.store import Index
from recapqa.store.gist_lookup import GistLookup
from recapqa.text import WORD, terms

_ABOUT = re.compile(r"\b(?:about|on|regarding)\b", re.I)


class GistBase:
    def __init__(
        self,
        index: Index,
        settings: Settings,
        embed: Callable[[str], np.ndarray] | None = None,
        proper_nouns: frozenset[str] = frozenset(),
        talk_rows: Mapping[str, list[int]] | None = None,
    ) -> None:
        """`proper_nouns`: words the notes only write capitalised (a theme is a two-word
        phrase or one of these, not a common verb); `talk_rows`: each talk's sentence rows,
        as the index stores them."""
        self.index = index
        self.settings = settings
        self.embed = embed
        self.named = {stem for word in proper_nouns for stem in terms(word)}
        self.targets = TalkTargets(index)
        # rows per talk, per-sentence words, filler flags and spellings (answer/gist_tables.py):
        # set up on the first gist question, each row made when a question first reads it
        self._talk_rows = talk_rows
        self.rows: Mapping[str, list[int]] = {}
        self.chunk_of: Mapping[int, str] = {}
        self.chunks: Mapping[str, Chunk] = {}
        self.expansions: Expansions = {}
        self.words: Sequence[list[list[str]]] = []
        self.terms: Sequence[set[str]] = []
        self.filler: Sequence[bool] = []
        self.spelling: Spelling = {}
        self.stored: GistLookup | None = None  # the index's stored gist rows (store/gist_rows.py)
        self._stems = WordTerms()
        self._ready = threading.Lock()
        self._events: EventWords | None = None  # each notes file's words, for a themes question's scope
        self._themes_found: dict[frozenset[str], tuple[list[str], list[tuple[str, list[str]]]]] = {}

    def _prepare(self) -> None:
        with self._ready:
            if self.filler or not self.index.sentences:
                return
            t = gist_tables(self.index, self.targets.label_terms, self.settings.gist_min_terms, self._talk_rows)
            self.rows, self.chunk_of, self.words, self.terms, self.spelling = (
                t.rows,
                t.chunk_of,
                t.words,
                t.terms,
                t.spelling,
            )
            self.chunks = t.chunks
            self.expansions = t.expansions
            self.stored = t.stored
            self.filler = t.filler

    # ---- helpers ----------------------------------------------------------------------

    def _topic_vector(self, retrieval: Retrieval, topic: set[str]) -> np.ndarray:
        """The topic alone, embedded ('LLMs' rather than 'What did Jane Roe say about LLMs?'),
        in the question's own words, with the expansion the notes give an acronym of it
        ('LLMs Large Language Models')."""
        if self.embed is None:
            return retrieval.query_vector
        asked = [w for w in re.findall(r"[\w+#.-]+", retrieval.question) if set(terms(w)) & topic]
        expanded = [self.expansions[t] for t in sorted(topic) if t in self.expansions]
        return self.embed(" ".join(asked + expanded) or retrieval.question)

    def _lead_in(self, row: int) -> set[str]:
        """Terms of the line that introduces a list item ("Tools they use:")."""
        context = self.index.sentences[row].context
        return set(terms(context)) if context else set()

    def _phrases(self, row: int) -> list[str]:
        """Content terms of a sentence, then its two-word phrases ('featur store'), of words
        next to each other in the text; each distinct, in the order they first come (as the
        index stores them: store/gist_rows.py)."""
        text = self.index.sentences[row].text
        return [*self._stems.sentence(text), *pairs(text)]

    def _candidates(self, talks: Sequence[Talk]) -> Candidates:
        rows = [self.rows.get(t.talk_id, []) for t in talks]
        vectors = self.index.sentence_vectors
        return candidates(self.index.sentences, vectors, rows, self.filler, self._quote, self.settings, self._column)

    def _noted(self, talk: Talk) -> bool:
        """Has the talk notes to quote (not only a listing of it, written up under another heading)?"""
        return bool(self._candidates([talk]).units)

    def _column(self, row: int) -> int:
        """How far the line a sentence is on is indented (where its list marker starts: "- a"
        and "2. b" on lines indented alike are one level), as its chunk holds the line; -1 when
        no chunk holds it."""
        sentence = self.index.sentences[row]
        chunk = self.chunks.get(self.chunk_of.get(row, ""))
        if chunk is None:
            return -1
        at = sentence.span.char_start - chunk.span.char_start
        line = chunk.text[chunk.text.rfind("\n", 0, at) + 1 : at]
        return len(line) - len(line.lstrip())

    def _said(self, found: Candidates, topic: set[str]) -> np.ndarray:
        """How many topic words each unit holds, itself or in the lead-in or section title
        above it. A hyphenated topic word counts whole or with all its parts ('multi-cloud' is
        not said by 'multi-task')."""
        parts = {t: set(terms(t.replace("-", " "))) for t in topic if "-" in t}
        said = []
        for unit, title in zip(found.units, found.title, strict=True):
            held = topic & set().union(*(self.terms[r] | self._lead_in(r) for r in unit.rows), terms(title))
            for whole, pieces in parts.items():
                if whole not in held and not pieces <= held:
                    held = held - pieces
            said.append(len(held))
        return np.array(said, dtype=float)

    def _pick(
        self, found: Candidates, relevance: np.ndarray, keep: np.ndarray | None = None, limit: int | None = None
    ) -> list[Unit]:
        """Up to `limit` (else `gist_sentences`) units (those in `keep`, or all), in source order."""
        at = np.flatnonzero(keep) if keep is not None else np.arange(len(found.units))
        members = [found.units[i].rows for i in at]
        chosen = pick(found.vectors[at], relevance[at], self.settings, limit or self.settings.gist_sentences, members)
        return sorted((found.units[at[i]] for i in chosen), key=lambda u: u.rows)

    def _titled(self, found: Candidates, chosen: list[Unit]) -> list[tuple[str | None, Unit]]:
        """Each unit with the title of its section, when it has one the quote does not hold
        (a heading is kept with what it heads: "Ledger Rework: Dana's new term...")."""
        titles = {u.rows: plain_title(t) for u, t in zip(found.units, found.title, strict=True)}
        out: list[tuple[str | None, Unit]] = []
        for unit in chosen:
            title = titles.get(unit.rows, "")
            shown = title and title.lower() not in unit.quote.lower() and all(title != t for t, _ in out)
            out.append((title if shown else None, unit))  # once per section
        return out

    def _quote(self, first: int, last: int) -> str | None:
        """The notes' own text from sentence row `first` to `last`, when one chunk holds it."""
        start, end = self.index.sentences[first].span.char_start, self.index.sentences[last].span.char_end
        for row in (first, last):
            chunk = self.chunks.get(self.chunk_of.get(row, ""))
            if chunk and chunk.span.char_start <= start and end <= chunk.span.char_end:
                return chunk.text[start - chunk.span.char_start : end - chunk.span.char_start]
        return None

    def _centrality(self, rows: list[int]) -> np.ndarray:
        """Cosine of each sentence with the centroid of `rows`."""
        vectors = self.index.sentence_vectors[rows]
        centroid = vectors.mean(axis=0)
        return vectors @ (centroid / (np.linalg.norm(centroid) or 1.0))

    def _topic(self, info: QuestionInfo, talks: list[Talk]) -> set[str]:
        """What the question is about: its words, less the asking words and what names the
        talks it points at (their titles, speakers, companies); a word after 'about' or 'on'
        stays unless it names every one of them ("how do the Prometheus 2.0 keynote and
        the Kubernetes update talk about monitoring": the first title says 'Monitoring')."""
        labels = [self.targets.label_terms[t.talk_id] for t in talks]
        named = set().union(*labels)
        everyone = set(labels[0]).intersection(*labels[1:]) if labels else set()
        after = _ABOUT.split(info.text)
        about = set(terms(after[-1])) if len(after) > 1 else set()
        return {
            t for t in info.terms if t not in ASKING_WORDS and (t not in named or (t in about and t not in everyone))
        }

    def _talks_with(self, topic: set[str], exclude: set[str]) -> list[Talk]:
        """The talks (in row order) with a sentence holding a topic word."""
        if self.stored is not None:
            saying = self.stored.talks_saying(topic) - exclude
            return [self.index.talks[t] for t in self.rows if t in saying]
        return [
            self.index.talks[t]
            for t, rows in self.rows.items()
            if t not in exclude and any(topic & self.terms[r] for r in rows)
        ]

    def _name(self, topic: set[str], question: str = "") -> str:
        """Terms back to words: as the question writes them, else as the notes do most often;
        in the question's order."""
        order = {t: i for i, t in reversed(list(enumerate(terms(question))))}
        spelt = [re.sub(r"['’]s$", "", w.strip(".'’")) for w in WORD.findall(question)]  # as the question has it
        asked = {stem: word for word in spelt for stem in terms(word)}
        parts = [p for t in sorted(topic, key=lambda t: (order.get(t, len(order)), t)) for p in t.split()]
        # the notes' spelling (one pass over the corpus, the first time) only for words the question lacks
        notes = {p: self.spelling[p].most_common(1)[0][0] for p in parts if not asked.get(p) and p in self.spelling}
        return " ".join(dict.fromkeys(asked.get(p) or notes.get(p, p) for p in parts))  # "multi-cloud" once

    def _shared_themes(
        self, scope: frozenset[str], allowed: frozenset[str] | None = None
    ) -> tuple[list[str], list[tuple[str, list[str]]]]:
        """The talks themes are drawn from (those of the notes files in `scope`, or all; only
        the `allowed` ones when filters allow some) and the themes they share: they depend on
        the notes only, so they are found once per scope (each time under filters)."""
        with self._ready:
            if allowed is not None:
                return self._find_themes(scope, allowed)
            if scope not in self._themes_found:
                self._themes_found[scope] = self._find_themes(scope, None)
            return self._themes_found[scope]

    def _find_themes(
        self, scope: frozenset[str], allowed: frozenset[str] | None
    ) -> tuple[list[str], list[tuple[str, list[str]]]]:
        ours = [
            t
            for t in self.rows
            if self.index.talks[t].kind == "talk"
            and (not scope or self.index.talks[t].source in scope)
            and (allowed is None or t in allowed)
        ]
        talks = [t for t in ours if len(self.rows[t]) >= self.settings.gist_theme_min_sentences]
        if scope and len(talks) < 2:  # the event's notes list each talk in a line or two: those lines
            talks = ours
        drawn = {t: self.rows[t] for t in talks}
        people = {x for t in self.index.talks.values() for p in t.speakers for x in terms(p.name)}
        excluded = NOT_THEMES | ASKING_WORDS | GENERIC_WORDS | people  # what talks share, not who spoke or how
        if self.stored is None:
            phrases = [self._phrases(r) for r in range(len(self.index.sentences))]
            themes = shared_themes(drawn, phrases, self.filler, self.named, excluded, self.settings)
        else:  # each talk's phrases as the index counted them
            table = self.stored.phrase_table(talks, self.settings.gist_min_terms)
            sentences = sum(len(rows) for rows in drawn.values())
            themes = ranked_table(table, talks, sentences, self.named, excluded, self.settings)
            del table
            release_freed()  # the pass's arrays, freed, go back to the system
        return (talks, themes) if len(talks) >= 2 else (talks, [])

    def _build(
        self, retrieval: Retrieval, head: str, picked: Sequence[tuple[str | None, int | Unit]], started: float
    ) -> Answer:
        citations, lines = [], [head]
        for label, unit in picked:
            if isinstance(unit, int):
                unit = Unit((unit,), self.index.sentences[unit].text)
            first, last = self.index.sentences[unit.rows[0]], self.index.sentences[unit.rows[-1]]
            citations.append(
                Citation(
                    chunk_id=self.chunk_of.get(unit.rows[0], ""),
                    talk=self.index.talks[first.talk_id],
                    source=first.source,
                    start_line=first.span.start_line,
                    end_line=last.span.end_line,
                    quote=unit.quote,
                    score=1.0,
                )
            )
            lines.append(f"- {label}: {unit.quote}" if label else f"- {unit.quote}")
        return Answer(retrieval.question, "\n".join(lines), False, "extractive", citations, timings_ms=ms(started))

    def _nothing(self, retrieval: Retrieval, started: float, closest: list[Talk]) -> Answer:
        text = CANNOT_ANSWER + (" Closest talks: " + "; ".join(t.described for t in closest) + "." if closest else "")
        return Answer(retrieval.question, text, True, "extractive", timings_ms=ms(started), closest_talks=closest)


def ms(started: float) -> dict[str, float]:
    return {"answer": (time.perf_counter() - started) * 1e3}
