"""The questions that ask for the gist rather than one fact: summaries and takeaways of a
talk, what a speaker said about a topic, themes across talks, two talks compared on a
topic, and which talks mention something. Every quote is verbatim and cited; at most
`gist_sentences` of them.

- Summary / takeaways: a summary names the talk's first sections (its outline, as the notes
  title it: `gist_summary_sections`); the talk's units (a sentence, or a list's lead-in with its run of
  short items: answer/gist_select.py) minus filler (fragments, speaker lines, lines with
  fewer than `min_terms` content words) are ranked by centrality (cosine with the talk's
  centroid) plus how much they say (`gist_density_boost`) and picked with MMR
  (`mmr_lambda`), then put back in source order. Both favour units under a
  takeaways/lessons/conclusion lead-in or section title (the notes' own summary). "What did X say about <their own
  talk's title>" is the summary of that talk.
- Speaker or company on a topic (answer/gist_topic.py): only their talk(s) (those the
  notes' text names them in, when their own hold nothing on it); units holding the topic (or under a
  lead-in or section title holding it) or close to it, then the talk's others by their
  cosine to the topic (acronyms expanded as the notes expand them); when the topic is not
  there, the closest block of their talk said as such, or an abstention naming the talks
  where it is.
- Themes: terms weighted by TF-IDF over talks; a term shared by several talks is a theme
  (not a pair of common words: "make sense"), named with how many talks share it; then one
  cited sentence per talk (the talks under the themes first, taken in turn, then those whose
  sentence says most surely what they are about), each the sentence saying what its talk is
  about: central, saying much, early, framing the talk ("The presentation emphasized ..."),
  the talk named with the titles of its first sections (the topics the notes give it); talks
  sharing no theme: what each is about. One notes file rendered twice is one talk.
- Which talks mention Y: the talks whose sentences hold the topic, each with its best
  sentence. Compare two talks on Y (answer/gist_topic.py): the talks the two named sides point
  at, each one's units on the topic.
"""

from __future__ import annotations

import re
import time

import numpy as np

from recapqa.answer.gist_select import Candidates, density, layout
from recapqa.answer.gist_topic import GistTopic
from recapqa.answer.gist_words import (
    ABOUT_CUE,
    ASIDE_CUE,
    ASKING_WORDS,
    CONCLUDING_CUE,
    LINKS,
    QUOTED_LINE,
    SESSION_KINDS,
    SUMMARY_LABEL,
    TAKEAWAY_CUE,
)
from recapqa.answer.question import QuestionInfo
from recapqa.answer.themes import EventWords, one_rendering, section_names
from recapqa.models import Answer, Talk
from recapqa.retrieve import Retrieval
from recapqa.text import squash, terms


class GistAnswerer(GistTopic):
    # ---- the shapes -------------------------------------------------------------------

    def answer(self, retrieval: Retrieval, info: QuestionInfo) -> Answer | None:
        """The gist answer, or None when the question is not of a shape this can answer
        (the fact answerer takes it then); with filters, None as well when it would quote a
        talk they leave out."""
        answer = self._answer(retrieval, info)
        allowed = retrieval.allowed
        if answer is not None and allowed is not None and any(c.talk.talk_id not in allowed for c in answer.citations):
            return None
        return answer

    def _answer(self, retrieval: Retrieval, info: QuestionInfo) -> Answer | None:
        self._prepare()
        started = time.perf_counter()
        talks = self.targets.named(retrieval)
        if info.kind == "speaker_topic":  # "what did <speaker> say about <another talk's title>": theirs only
            talks = self._theirs(retrieval, talks)
        # "which talks mention X": X is the topic even where it names a talk
        topic = self._topic(info, [] if info.kind == "which_talks" else talks)
        if info.kind == "speaker_topic":  # their notes may be written up where their name is
            topic = self._unmisspelt(info, talks, topic)
            talks = self._speaker_talks(retrieval, info, talks, topic)
        if info.kind in ("summary", "takeaways"):
            # a talk listed in one notes file and written up in another: the one with notes to quote
            noted = next(([t] for t in talks if self._noted(t)), [])  # the first only: each is a candidates pass
            target = noted or self._stand_in(retrieval, info)
            target = target or talks[:1]
            if target and not self._labelled(target[0], info):
                return self._nothing(retrieval, started, self.targets.top(retrieval, 3))
            return self._summary(retrieval, target[0], info.kind == "takeaways", started) if target else None
        if info.kind == "speaker_topic" and talks:  # about nothing but their own talk: its summary
            return (
                self._on_topic(retrieval, talks, topic, started)
                if topic
                else self._summary(retrieval, talks[0], False, started)
            )
        if info.kind == "compare":
            answer = self._compared(retrieval, info, talks, topic, started)
            if answer is not None:
                return answer
        if info.kind == "which_talks" and topic:
            return self._which(retrieval, topic, started)
        if info.kind == "themes":
            return self._themes(retrieval, info, started)
        return None

    def _stand_in(self, retrieval: Retrieval, info: QuestionInfo) -> list[Talk]:
        """The talk with notes to summarise (best titled of those), when the question's
        best-titled talk has none: only when its notes (or label) hold one of the words the
        question names that talk by (a talk listed in one file and written up under another
        heading in another), not any other talk (a keynote left blank is not summarised from
        the one talk with text)."""
        kept = self.targets.best_titled(retrieval, info, self._noted)
        top = self.targets.best_titled(retrieval, info)
        if not kept or not top or top == kept:
            return kept
        naming = info.terms & self.targets.label_terms[top[0].talk_id]
        said = set(self.targets.label_terms[kept[0].talk_id])
        for unit in self._candidates(kept).units:
            said.update(terms(unit.quote))
        return kept if not naming or naming & said else []

    def _summary(self, retrieval: Retrieval, talk: Talk, takeaways: bool, started: float) -> Answer | None:
        """None when the talk's notes hold nothing to quote (a listing of it; what was said
        may be in other notes: the fact answerer looks there)."""
        found = self._candidates([talk])
        if not found.units:
            return None
        chosen = self._pick(found, self._summary_relevance(found))
        titled = self._titled(found, chosen)
        head = f"{'Key takeaways from' if takeaways else 'Summary of'} {talk.described}"
        # a summary names the talk's outline, as its notes title it, less the titles its quotes show
        shown = {label.casefold() for label, _ in titled if label}
        outline = [] if takeaways else self._sections(talk.talk_id, self.settings.gist_summary_sections)
        sections = [name for name in outline if name.casefold() not in shown]
        head += f" — sections: {'; '.join(sections)}:" if sections else ":"
        return self._build(retrieval, head, titled, started)

    def _summary_relevance(self, found: Candidates) -> np.ndarray:
        """A summary's relevance (`_relevance`), favouring the notes' own takeaways, lessons,
        conclusion: units under a lead-in or section title saying so, and units saying the talk
        concluded (`gist_conclusion_boost`); a unit quoting a line word for word ('> ...')
        less (`gist_quoted_penalty`)."""
        cues = [
            f"{self.index.sentences[u.rows[0]].context} {title} {u.quote if len(u.rows) > 1 else ''}"
            for u, title in zip(found.units, found.title, strict=True)
        ]
        said = [LINKS.sub(" ", u.quote) for u in found.units]
        return (
            self._relevance(found)
            + self.settings.gist_takeaway_boost * np.array([bool(TAKEAWAY_CUE.search(c)) for c in cues])
            + self.settings.gist_conclusion_boost * np.array([bool(CONCLUDING_CUE.search(t)) for t in said])
            - self.settings.gist_quoted_penalty * np.array([bool(QUOTED_LINE.search(u.quote)) for u in found.units])
        )

    def _which(self, retrieval: Retrieval, topic: set[str], started: float) -> Answer:
        """The talks whose sentences hold every topic word (or, for a topic of
        `gist_initials_words` words or more, its initials in capitals: "ORE" for "Open Rule
        Engine"), each with its sentence closest to the question."""
        found = []
        asked = self._name(topic, retrieval.question).split()
        initials = "".join(w[0] for w in asked).upper() if len(asked) >= self.settings.gist_initials_words else ""
        acronym = re.compile(rf"\b{initials}s?\b") if initials.isalpha() else None
        stored = self.stored.mentions(topic) if self.stored is not None else None  # the topic's words, stored
        for talk_id, rows in self.rows.items():
            if retrieval.allowed is not None and talk_id not in retrieval.allowed:
                continue
            if stored is not None:  # initials are still looked for in every row's text
                held = set(stored.get(talk_id, []))
                hits = [r for r in rows if r in held or (acronym and acronym.search(self.index.sentences[r].text))]
            else:
                titled = self.targets.label_terms[talk_id]  # a talk titled "... Maturity Model" presents one
                hits = [  # a mention, even short
                    r
                    for r in rows
                    if topic <= self.terms[r] | self._lead_in(r) | titled
                    or (acronym is not None and acronym.search(self.index.sentences[r].text))
                ]
            if hits and self.index.talks[talk_id].kind == "talk":
                best = max(hits, key=lambda r: float(self.index.sentence_vectors[r] @ retrieval.query_vector))
                found.append((float(self.index.sentence_vectors[best] @ retrieval.query_vector), talk_id, best))
        if not found:
            return self._nothing(retrieval, started, self.targets.top(retrieval, 3))
        found.sort(reverse=True)
        picked = [(self.index.talks[t].title, r) for _, t, r in found[: self.settings.gist_max_talks]]
        head = f"Talks that mention {' '.join(asked)} ({len(found)}):"
        return self._build(retrieval, head, picked, started)

    def _themes(self, retrieval: Retrieval, info: QuestionInfo, started: float) -> Answer | None:
        """The themes named with how many talks share each, then one cited unit per talk, up
        to `gist_sentences`: the talks under the themes first (the themes taken in turn),
        then the others, those whose leading sentence says best what they are about first
        (more talks than sentences: the ones left out are those quoted least surely); each
        talk's sentence is the one that says what the talk is about (`_leads`), not where it
        names the theme; with fewer talks than sentences the talks go round again."""
        with self._ready:
            if self._events is None:
                self._events = EventWords(self.index.talks.values())
        scope = self._events.scope(info.text, ASKING_WORDS - SESSION_KINDS, SESSION_KINDS)
        talks, themes = self._shared_themes(scope, retrieval.allowed)
        leads: dict[str, tuple[list[int], float]] = {}  # each talk's `_leads` and its lead's score, ranked once

        def lead(talk: str) -> str:
            leads[talk] = leads.get(talk) or self._leads(talk)
            return squash(self.index.sentences[leads[talk][0][0]].text)  # its words: the same lead in Markdown or not

        talks, themes = one_rendering(talks, themes, lead)
        if len(talks) < 2:
            return None
        under: dict[str, str] = {}  # rounds over the themes, each taking its next talk, until enough or none left
        while len(under) < self.settings.gist_sentences:
            before = len(under)
            for term, holders in themes:
                talk = next((t for t in holders if t not in under), None)
                if talk is not None:
                    under[talk] = term
            if len(under) == before:
                break
        rest = sorted((t for t in talks if t not in under), key=lambda t: -leads[t][1])
        order = [*under, *rest][: self.settings.gist_sentences]
        rank = {term: i for i, (term, _) in enumerate(themes)}  # then a theme's talks side by side
        order.sort(key=lambda t: rank[under[t]] if t in under else len(rank))
        ranked = {talk: leads[talk][0] for talk in order}  # every talk kept had its lead read
        # fewer talks than sentences: the talks go round again, each with its next sentence
        turns = [(t, n) for n in range(self.settings.gist_sentences) for t in order if n < len(ranked[t])]
        picked: list[tuple[str | None, int]] = []
        for talk, n in sorted(turns[: self.settings.gist_sentences], key=lambda tn: (order.index(tn[0]), tn[1])):
            title = self.index.talks[talk].title
            # the topics its notes give it, on its first line
            sections = self._sections(talk, self.settings.gist_theme_sections) if n == 0 else []
            title = f"{title} ({'; '.join(sections)})" if sections else title
            picked.append((f"{self._name({under[talk]})} — {title}" if talk in under else title, ranked[talk][n]))
        named = ", ".join(f"{self._name({term})} ({len(holders)} talks)" for term, holders in themes)
        head = f"Themes across {len(talks)} talks: {named}." if themes else f"What each of {len(talks)} talks is about:"
        return self._build(retrieval, head, picked, started)

    def _leads(self, talk: str) -> tuple[list[int], float]:
        """The sentences of a talk, the one that says best what it is about first: central to the talk, saying
        much, early, and framing it ("The presentation emphasized ...", "We discussed ..."), a line
        labelled as its summary ("Summary: ...", `SUMMARY_LABEL`) before all; and that first one's score."""
        every = [r for r in self.rows[talk] if not self.filler[r]] or self.rows[talk]
        texts = [self.index.sentences[r].text for r in every]
        dense = np.array([density(t, self.settings) for t in texts])
        framing = np.array([bool(ABOUT_CUE.search(LINKS.sub(" ", t))) for t in texts])
        early = 1 - np.arange(len(every)) / len(every)
        score = (
            self._centrality(every)
            + self.settings.gist_density_boost * dense
            + self.settings.gist_about_boost * framing
            + self.settings.gist_early_boost * early
        )
        # a line the notes label as the talk's summary ("Summary: ...") goes first, whatever its score
        labelled = np.array([bool(SUMMARY_LABEL.match(t)) for t in texts])
        order = np.lexsort((-score, ~labelled))
        return [every[i] for i in order], float(score[order[0]])

    def _sections(self, talk: str, limit: int) -> list[str]:
        """Up to `limit` titles of the talk's sections that name its topics (`section_names`)."""
        titles = layout(self.index.sentences, self.rows.get(talk, []), self.settings.gist_title_words).title
        return section_names(titles, self.index.talks[talk].title, limit)

    # ---- helpers ----------------------------------------------------------------------

    def _labelled(self, talk: Talk, info: QuestionInfo) -> bool:
        """Does the talk carry a name the question gives its talk by ("Mark's talk", "the
        Globex keynote"), if any, in its label or its notes? A talk the notes do not hold
        is not summarised from another."""
        asked = {t for name in info.talk_names for t in terms(name)}
        if not asked or asked & self.targets.label_terms[talk.talk_id]:
            return True
        return any(asked & self.terms[r] for r in self.rows.get(talk.talk_id, []))

    def _relevance(self, found: Candidates) -> np.ndarray:
        """How much a summary wants each unit: its cosine with the talk's centroid, plus
        `gist_fact_boost` when it gives a number, plus `gist_density_boost` times how much it says."""
        if not found.units:
            return np.zeros(0)
        centroid = found.vectors.mean(axis=0)
        relevance = found.vectors @ (centroid / (np.linalg.norm(centroid) or 1.0))
        texts = [u.quote for u in found.units]
        facts = np.array([bool(re.search(r"\d", t)) for t in texts])  # a number says what happened
        dense = np.array([density(t, self.settings) for t in texts])
        return (
            relevance
            + self.settings.gist_fact_boost * facts
            + self.settings.gist_density_boost * dense
            - self.settings.gist_aside_penalty * self._asides(found)
        )

    def _asides(self, found: Candidates) -> np.ndarray:
        """Per unit: is it the note-taker's aside (`ASIDE_CUE`: a pointer for the reader, the
        writer's own 'I ...'), 1 or 0?"""
        return np.array([bool(ASIDE_CUE.search(LINKS.sub(" ", u.quote))) for u in found.units], dtype=float)
