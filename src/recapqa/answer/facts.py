"""What the extractive answerer knows of every sentence and talk before any question: one
table, computed once when the index loads (a question then costs lookups, not parsing)."""

from __future__ import annotations

from dataclasses import dataclass

from recapqa.answer.question import is_speaker_line
from recapqa.store import Index
from recapqa.talk_mentions import speaker_aliases, talk_text
from recapqa.text import squash, terms


@dataclass(frozen=True)
class TalkFacts:
    terms: frozenset[str]  # stemmed words of everything known about the talk (talk_text)
    about: str  # squashed talk_text: its title, speakers, companies, event, track...
    head: str  # squashed title, company and id
    notes: str  # its sentences, squashed and joined: how often it names something
    speakers: tuple[tuple[str, frozenset[str]], ...]  # (squashed name and role, aliases)
    speaker_rows: tuple[int, ...]  # its 'Speaker:' lines


@dataclass(frozen=True)
class SentenceFacts:
    terms: frozenset[str]  # stemmed words of the sentence, its lead-in, and its talk
    own_terms: frozenset[str]  # of the sentence alone
    text: str  # squashed sentence
    context: str  # squashed lead-in
    speaker_line: bool
    people: str  # squashed: the talk, narrowed to the person a lead-in names
    chunk_row: int  # the first chunk holding it


class Facts:
    def __init__(self, index: Index) -> None:
        self.index = index
        self.chunk_rows = {c.chunk_id: i for i, c in enumerate(index.chunks)}
        chunk_of: dict[int, int] = {}
        for chunk_row, rows in enumerate(index.chunk_sentences):
            for row in rows:
                chunk_of.setdefault(row, chunk_row)
        notes: dict[str, list[str]] = {}
        speaker_rows: dict[str, list[int]] = {}
        flags = [is_speaker_line(s.text, s.context) for s in index.sentences]
        for row, sentence in enumerate(index.sentences):
            notes.setdefault(sentence.talk_id, []).append(squash(sentence.text))
            if flags[row]:
                speaker_rows.setdefault(sentence.talk_id, []).append(row)
        self.talks = {
            tid: TalkFacts(
                terms=frozenset(terms(talk_text(t))),
                about=squash(talk_text(t)),
                head=squash(f"{t.title} {t.company or ''} {t.talk_id}"),
                notes="|".join(notes.get(tid, [])),
                speakers=tuple(
                    (squash(f"{s.name} {s.role or ''}"), frozenset(squash(a) for a in speaker_aliases(s)))
                    for s in t.speakers
                ),
                speaker_rows=tuple(speaker_rows.get(tid, [])),
            )
            for tid, t in index.talks.items()
        }
        # every name the notes or the talks' metadata hold, to tell a name they never mention
        self.everything = "".join(t.about + t.notes for t in self.talks.values())
        self.sentences = [
            SentenceFacts(
                terms=frozenset(terms(s.embed_text)) | self.talks[s.talk_id].terms,
                own_terms=frozenset(terms(s.text)),
                text=squash(s.text),
                context=squash(s.context),
                speaker_line=flags[row],
                people=self._people_about(s.talk_id, squash(s.context)),
                chunk_row=chunk_of.get(row, 0),
            )
            for row, s in enumerate(index.sentences)
        ]

    def _people_about(self, talk_id: str, context: str) -> str:
        """The talk's title and the people a sentence is about: a lead-in such as
        "Chris (Pepsi Co):" narrows the talk's people to the one it names."""
        talk = self.talks[talk_id]
        named = [text for text, aliases in talk.speakers if any(a in context for a in aliases)]
        return talk.head + "".join(named) if named else talk.about

    def previous_text(self, row: int) -> str:
        """The sentence before, in the same talk: 'these' and 'they' point back to it."""
        sentences = self.index.sentences
        if row == 0 or sentences[row - 1].talk_id != sentences[row].talk_id:
            return ""
        return self.sentences[row - 1].text
