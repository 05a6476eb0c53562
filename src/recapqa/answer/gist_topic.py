"""A speaker or company on a topic, and two talks compared on one (answer/gist.py): whose
talks the question means, and what of them is on the topic.

Whose talks: those whose speakers or company the question names (talk metadata), or, when
those have no notes to quote (a listing), the talks the question names that have. When
those hold nothing on the topic (a listing of the talk, its notes written up elsewhere) or
there are none (a company the notes name only in their text: "the first of these was
<company>"), the talks whose notes write every name the question gives before 'about'
(a speaker's full name, each of two co-speakers'), of those the ones holding the topic.
What of them: the units on the topic, and when those are fewer than the places, the units
right next to them.

Compared: each of the two sides the question names ("How do <A>'s and <B>'s keynotes talk
about X"; a title written out is one side even when it holds 'and' or 'with') is the first named
talk whose label holds its names, else a talk whose notes write them; the topic is what names
neither side, nor a name written one letter off a side's. Each side's units on the topic
share the five places; a side whose notes never say it is quoted by its closest units, said as such.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from itertools import pairwise
from typing import TYPE_CHECKING

import numpy as np

from recapqa.answer.gist_base import GistBase, ms
from recapqa.answer.gist_select import Candidates, Unit, beside
from recapqa.answer.gist_words import ASKING_WORDS, SESSION_KINDS
from recapqa.answer.question import QuestionInfo
from recapqa.answer.targets import names_people
from recapqa.models import CANNOT_ANSWER, Answer, Talk
from recapqa.retrieve import Retrieval
from recapqa.text import terms

_ABOUT = re.compile(r"\b(?:about|on|regarding)\b", re.I)  # what comes after it is the topic
_NAME_LETTERS = 5  # a shorter word one letter off a name is as likely another word ("gRPC", "RPC")
_SIDES = re.compile(r",|\b(?:and|vs|versus|with)\b", re.I)  # between the two sides of a comparison


def _before_topic(question: str) -> str:
    """The question before its last 'about' / 'on' (all of it when it has none): who, not what."""
    spans = list(_ABOUT.finditer(question))
    return question[: spans[-1].start()] if spans else question


def _side_parts(text: str, titles: Sequence[str]) -> list[str]:
    """`text` split at what separates two sides ('and', ',', 'vs', 'with'), but not inside a
    talk's title it writes out ("the Quarry Intro and the Storage with Quarry talk": two
    sides, not three)."""
    folded = text.casefold()
    inside = [
        range(at + 1, at + len(title))
        for title in titles
        if len(title.split()) > 1
        for at in (m.start() for m in re.finditer(re.escape(title.casefold()), folded))
    ]
    cuts = [m for m in _SIDES.finditer(text) if not any(m.start() in span for span in inside)]
    edges = [0, *(x for m in cuts for x in (m.start(), m.end())), len(text)]
    return [text[a:b] for a, b in zip(edges[::2], edges[1::2], strict=True)]


class GistTopic(GistBase):
    if TYPE_CHECKING:  # a summary's relevance and the note-taker's asides: answer/gist.py

        def _relevance(self, found: Candidates) -> np.ndarray: ...

        def _asides(self, found: Candidates) -> np.ndarray: ...

    def _unmisspelt(self, info: QuestionInfo, talks: Sequence[Talk], topic: set[str]) -> set[str]:
        """The topic less a name the question gives before its last 'about' / 'on' and writes one
        letter off a word naming one of `talks` ("Oddvick" for a speaker the notes list as
        "Oddvik"): who, not what."""
        named = self._who(info)
        labels = set().union(*(self.targets.label_terms[t.talk_id] for t in talks)) if talks else set()
        return {t for t in topic if t not in named or not any(_one_letter_off(t, w) for w in labels)}

    def _theirs(self, retrieval: Retrieval, talks: list[Talk]) -> list[Talk]:
        """Of the talks the question names, those of the speaker or company asked about (their
        talk metadata); when none of those has notes to quote (a listing of the talk with its
        speakers, written up under another heading), the named talks that have."""
        theirs = [t for t in talks if names_people(t, retrieval.question)] or talks
        if any(self._noted(t) for t in theirs):
            return theirs
        return [t for t in talks if self._noted(t)] or theirs

    def _speaker_talks(
        self, retrieval: Retrieval, info: QuestionInfo, talks: list[Talk], topic: set[str]
    ) -> list[Talk]:
        """The talks of the speaker or company asked about (see the module's note)."""
        theirs = [t for t in talks if names_people(t, retrieval.question)]
        if theirs and (not topic or self._holds(theirs, retrieval, topic)):
            return theirs
        who = self._who(info)
        if not who or not topic:
            return theirs or talks
        named = {t.talk_id for t in theirs}
        written = [t for t in self._naming(who) if t.talk_id not in named and self._holds([t], retrieval, topic)]
        return [*theirs, *written] if written else theirs or talks

    def _who(self, info: QuestionInfo, part: str | None = None) -> set[str]:
        """The terms of the names the question (or `part` of it) gives before its last
        'about' / 'on': who said it, not the topic."""
        named = {t for name in info.names for t in terms(name)}
        said = _before_topic(info.text) if part is None else part
        return {t for t in terms(said) if t in named and t not in ASKING_WORDS}

    def _naming(self, who: set[str]) -> list[Talk]:
        """The talks (in row order) with a sentence (or its lead-in, or the talk's label)
        holding every one of `who`."""
        if self.stored is not None:
            held = set(self.stored.mentions(who))
        else:
            held = {t for t, rows in self.rows.items() if any(who <= self.terms[r] | self._lead_in(r) for r in rows)}
            held |= {t for t in self.rows if who <= self.targets.label_terms[t]}
        return [self.index.talks[t] for t in self.rows if t in held and self.index.talks[t].kind == "talk"]

    def _compared(
        self, retrieval: Retrieval, info: QuestionInfo, talks: list[Talk], topic: set[str], started: float
    ) -> Answer | None:
        """Two talks compared: the sides the question names (`_sides`), else the first two
        talks it names; the topic is what names neither side, nor who is compared. Both sides
        in one talk's notes: what that talk says on the topic."""
        who = self._who(info)
        sides = self._sides(retrieval, info, talks, topic - who or topic)
        if not sides and len(talks) < 2:
            return None
        sides = sides or talks[:2]
        topic = self._unmisspelt(info, sides, self._topic(info, sides) - who or topic - who or topic)
        if len(sides) == 2:
            return self._compare(retrieval, sides, topic, started)
        return self._on_topic(retrieval, sides, topic, started) if topic else None

    def _sides(self, retrieval: Retrieval, info: QuestionInfo, talks: list[Talk], topic: set[str]) -> list[Talk]:
        """The talks two named sides of a comparison point at ("How do <A>'s and <B>'s keynotes
        talk about X"): for each side's names (the question before 'about' / 'on', split at
        'and', ',', 'vs', 'with' outside a title it writes out; a side called a talk without a
        name: by its title's words), the first
        talk the question names whose label holds them, else one whose notes write them (one
        holding the topic first); one talk when both sides are in it; empty when a side has no
        name or no talk."""
        parts = _side_parts(_before_topic(info.text), [t.title for t in talks])
        groups = [g for g in (self._who(info, part) or self._title_words(part, talks) for part in parts) if g]
        if len(groups) != 2:
            return []
        out: list[Talk] = []
        for group in groups:
            side = self._side(retrieval, talks, group, topic)
            if side is None:
                return []
            out += [side] if side not in out else []
        rank = {t.talk_id: n for n, t in enumerate(talks)}  # the order retrieval gave them
        return sorted(out, key=lambda t: rank.get(t.talk_id, len(rank)))

    def _title_words(self, part: str, talks: list[Talk]) -> set[str]:
        """A side called a talk (session, keynote...) by words of its title, not by a name
        ("the leadership session"): the part's words some named talk's label holds, but for
        asking words and the talk nouns; none when the part does not call it a talk."""
        said = set(terms(part))
        if not said & SESSION_KINDS:
            return set()
        labels = [self.targets.label_terms[t.talk_id] for t in talks]
        return {w for w in said - ASKING_WORDS - SESSION_KINDS if any(w in label for label in labels)}

    def _side(self, retrieval: Retrieval, talks: list[Talk], group: set[str], topic: set[str]) -> Talk | None:
        """One side's talk (`_sides`): the first of `talks` whose label holds `group`, else the
        first talk writing `group` that holds the topic, else the first writing it; each with
        units to quote. Talks are read only until one decides (a name written in many talks)."""
        labelled = (t for t in talks if group <= self.targets.label_terms[t.talk_id] and self._noted(t))
        labelled_talk = next(labelled, None)
        if labelled_talk is not None:
            return labelled_talk
        first = None
        for talk in self._naming(group):
            found = self._candidates([talk])
            if not found.units:
                continue
            if topic and self._found_holds(found, retrieval, topic):
                return talk
            first = first or talk
        return first

    def _holds(self, talks: list[Talk], retrieval: Retrieval, topic: set[str]) -> bool:
        """Does a unit of the talks hold a topic word or come close to it (`gist_topic_cosine`)?"""
        return self._found_holds(self._candidates(talks), retrieval, topic)

    def _found_holds(self, found: Candidates, retrieval: Retrieval, topic: set[str]) -> bool:
        """`_holds` of candidate units already found."""
        if not found.units:
            return False
        cosine = found.vectors @ self._topic_vector(retrieval, topic)
        return bool(((self._said(found, topic) > 0) | (cosine >= self.settings.gist_topic_cosine)).any())

    def _on_topic(self, retrieval: Retrieval, talks: list[Talk], topic: set[str], started: float) -> Answer:
        """Sentences on the topic: holding a topic word (itself, or the lead-in or section
        title above it) or close to it (`gist_topic_cosine`); when there are any, the talks'
        other sentences join as candidates by their cosine (`gist_topic_near_cosine`), and those
        right before and after one on the topic in its passage ("Do not use IPs. DNS names
        should be used instead."). When there are none, the block of their talk closest to the
        topic, said as such, if it is close enough (`gist_topic_near_cosine`); else an abstention
        naming where it is."""
        query = self._topic_vector(retrieval, topic)
        found = self._candidates(talks)
        said = self._said(found, topic)
        cosine = found.vectors @ query if found.units else np.zeros(0)
        on = (said > 0) | (cosine >= self.settings.gist_topic_cosine)
        if not on.any():
            elsewhere = self._talks_with(topic, exclude={t.talk_id for t in talks})
            names = "; ".join(t.described for t in talks)
            places = list(dict.fromkeys(t.described for t in elsewhere))[:3]  # a talk written up twice: once
            where = " It comes up in: " + "; ".join(places) + "." if places else ""
            best = int(np.argmax(cosine)) if len(cosine) else 0
            if len(cosine) and cosine[best] >= self.settings.gist_topic_near_cosine:
                # not in the topic's words: the passage (block) of their talk that comes closest, said as such
                near = np.array(found.block) == found.block[best]
                asked = self._name(topic, retrieval.question)
                head = f'{names}: the notes never say "{asked}"; the passage closest to it:'
                answer = self._build(retrieval, head, [(None, u) for u in self._pick(found, cosine, near)], started)
                answer.answer += f"\n{where.strip()}" if where else ""
                return answer
            text = f"{CANNOT_ANSWER} {names} did not talk about this in the notes.{where}"
            return Answer(retrieval.question, text, True, "extractive", timings_ms=ms(started), closest_talks=elsewhere)
        keep = on | (cosine >= self.settings.gist_topic_near_cosine) | beside(on, found.block)
        asides = self._asides(found)
        score = cosine + said / len(topic) - self.settings.gist_aside_penalty * asides
        talk_of = [self.index.sentences[u.rows[0]].talk_id for u in found.units]
        filled = _filled(keep, np.where(asides > 0, -np.inf, score), talk_of, self.settings.gist_sentences)
        chosen = self._pick(found, score, filled)
        head = f"What {' and '.join(t.described for t in talks)} said:"
        return self._build(retrieval, head, self._titled(found, chosen), started)

    def _compare(self, retrieval: Retrieval, talks: list[Talk], topic: set[str], started: float) -> Answer:
        """Each talk's units on the topic, ranked as a summary's plus their cosine to the topic;
        when the question names only the talks (their titles hold the topic), each talk's
        summary; shared out within `gist_sentences`."""
        picked: list[tuple[str | None, Unit]] = []
        on_topic = False  # a side quoted on the topic (not only by its closest units)
        share = [len(part) for part in np.array_split(np.arange(self.settings.gist_sentences), len(talks))]
        query = self._topic_vector(retrieval, topic) if topic else None
        for talk, n in zip(talks, share, strict=True):
            found = self._candidates([talk])
            relevance = self._relevance(found)
            keep, cosine = None, None
            if query is not None:
                said = self._said(found, topic)
                cosine = found.vectors @ query
                relevance = relevance + cosine + said / len(topic)
                titled = bool(topic & self.targets.label_terms[talk.talk_id])  # its title says it
                keep = (said > 0) | (cosine >= self.settings.gist_topic_near_cosine) | titled
            if found.units and (keep is None or keep.any()):
                chosen = self._pick(found, relevance, keep, n)
                picked += [(talk.title, u) for u in chosen]
                on_topic = on_topic or bool(chosen)
            elif found.units and cosine is not None:  # never says it: its units closest to it, said as such
                closest = self._pick(found, cosine, None, n)
                picked += [(f"{talk.title} (closest; the notes never say it)", u) for u in closest]
        if not on_topic:  # no side says the topic: its closest units alone answer nothing
            return self._nothing(retrieval, started, talks)
        head = f"On {self._name(topic, retrieval.question)}:" if topic else "Compared:"
        return self._build(retrieval, head, picked, started)


def _one_letter_off(a: str, b: str) -> bool:
    """Two words of `_NAME_LETTERS` letters or more, one letter replaced, added or dropped."""
    if a == b or min(len(a), len(b)) < _NAME_LETTERS or abs(len(a) - len(b)) > 1:
        return False
    if len(a) > len(b):
        a, b = b, a
    at = next((i for i, (x, y) in enumerate(zip(a, b, strict=False)) if x != y), len(a))
    return a[at + (len(a) == len(b)) :] == b[at + 1 :]


def _filled(keep: np.ndarray, score: np.ndarray, talk_of: Sequence[str], places: int) -> np.ndarray:
    """`keep` with, when it holds fewer units than `places`, the units right before and after
    a kept one in its talk's order (across a paragraph or list break, which `beside` does not
    cross) added, the best-scored first (none scored -inf), until it holds that many: an answer
    on a topic its notes say in fewer units than the places quotes what the passage goes on to
    say about it in other words, not the rest of the talk nor the note-taker's asides."""
    missing = places - int(keep.sum())
    if missing <= 0:
        return keep
    same = np.array([a == b for a, b in pairwise(talk_of)], dtype=bool)  # unit i and i + 1
    next_to = np.zeros(len(keep), dtype=bool)
    next_to[:-1] |= keep[1:] & same
    next_to[1:] |= keep[:-1] & same
    rest = np.flatnonzero(next_to & ~keep & np.isfinite(score))  # -inf: never fills (an aside)
    out = keep.copy()
    out[rest[np.argsort(-score[rest], kind="stable")[:missing]]] = True
    return out
