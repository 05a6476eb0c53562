"""Which sentences may answer a question at all: rules, not weights (the weights score the
eligible ones, answer/features.py)."""

from __future__ import annotations

from collections.abc import Iterator

from recapqa.answer.facts import Facts
from recapqa.answer.kinds import required
from recapqa.answer.question import QuestionInfo, counted_as
from recapqa.answer.sentence_kinds import (
    counts_attendance,
    counts_repeats,
    names_other,
    note_taker_absent,
    number_near,
    same_noun,
    says_more,
    says_only_no,
)
from recapqa.answer.times import other_time
from recapqa.errors import ConfigError
from recapqa.sentences import Sentence, same_talk_rows
from recapqa.settings import Settings
from recapqa.store import Index
from recapqa.text import terms

# every rule `Eligibility._broken` names, in the order it checks them (`Settings.soft_rules` names some)
RULES = (
    "kind",
    "count",
    "speaker_line",
    "says_nothing",
    "denies",
    "note_taker_absent",
    "other_time",
    "talk_name",
    "name",
    "number",
)


class Eligibility:
    def __init__(self, index: Index, facts: Facts, settings: Settings) -> None:
        unknown = sorted(set(settings.soft_rules) - set(RULES))
        if unknown:  # a misspelt rule would silently stay a filter
            raise ConfigError(
                f"RECAPQA_SOFT_RULES names no eligibility rule: {', '.join(unknown)}",
                f"name rules among {', '.join(RULES)}, or unset it",
            )
        self.index = index
        self.facts = facts
        self.settings = settings
        self._titles: dict[str, frozenset[str]] = {}

    def _title_terms(self, talk_id: str) -> frozenset[str]:
        if talk_id not in self._titles:
            self._titles[talk_id] = frozenset(terms(self.index.talks[talk_id].title))
        return self._titles[talk_id]

    def __call__(self, row: int, info: QuestionInfo, kind: float) -> bool:
        return self.rejected_by(row, info, kind) is None

    def rejected_by(self, row: int, info: QuestionInfo, kind: float) -> str | None:
        """The first rule the sentence breaks (None when it breaks none), leaving out the rules
        `Settings.soft_rules` names (the calibrated features weigh what they check)."""
        soft = self.settings.soft_rules
        return next((rule for rule in self._broken(row, info, kind) if rule not in soft), None)

    def _broken(self, row: int, info: QuestionInfo, kind: float) -> Iterator[str]:
        """The rules the sentence breaks, in order, each named.

        Rules, not weights: a count or an amount must be in the sentence, of what the
        question counts; a 'Speaker:' line only answers who spoke; every name the question
        gives must be in the sentence, its lead-in, the sentence before, or the talk's
        metadata (only the metadata when the question says 'the X talk'), or be something
        the talk names again and again (a passing mention does not make the talk about it),
        or, when it frames the answer (its source, 'according to the X survey', or the sort
        of thing asked, 'which GitHub issue'), anywhere in the talk;
        a year or an edition the question gives ("SomeConf 24") must be there too, or said
        elsewhere in the same talk (the question's setting, not what it asks)."""
        sentence, facts = self.index.sentences[row], self.facts.sentences[row]
        if (required(info.kind) or (info.kind == "person" and info.asks_speaker)) and not kind:
            yield "kind"  # 'Who gave …' is answered by a name ('Who uses X?' may be by a company)
        if info.focus and not self._counts_focus(sentence, facts.own_terms, info):
            yield "count"
        if facts.speaker_line and not info.asks_speaker:
            yield "speaker_line"
        talk = self.facts.talks[sentence.talk_id]
        # a talk's own title line says nothing (its speakers are news only to who/company
        # questions, its title only to 'which talk…')
        if info.asks_talk:
            known = info.terms | info.numbers
        else:
            known = (
                info.terms | info.numbers | (self._title_terms(sentence.talk_id) if info.asks_speaker else talk.terms)
            )
        if not sentence.text.rstrip().endswith(":") and not says_more(f"{sentence.label} {sentence.text}", known):
            yield "says_nothing"  # a lead-in brings its items; an item under a label is quoted with it
        if sentence.label and says_only_no(sentence.text, known, info.text):
            yield "denies"  # 'Route sharing' / 'NO egress fees' denies what 'which has them' asks
        if self._items_deny(row, known, info.text):
            yield "denies"  # nor is the label 'Route sharing' itself an answer
        if note_taker_absent(sentence.text):
            yield "note_taker_absent"
        if other_time(sentence.text, info.text):
            yield "other_time"
        metadata = facts.about + facts.context  # (a panelist's lead-in leaves the other panelists out)
        near = metadata + facts.text + self.facts.previous_text(row) + facts.people + facts.antecedents
        for name in sorted(info.names):
            forms = info.forms_of(name)
            if info.talk_only and name in info.talk_names and not any(f in metadata + facts.people for f in forms):
                yield "talk_name"
            if name in info.framing_names and any(f in talk.notes or f in metadata for f in forms):
                continue  # 'according to the X data', 'which GitHub issue': the talk has it; the sentence need not
            if not any(f in near for f in forms) and (
                max(talk.notes.count(f) for f in forms) < self.settings.talk_name_mentions
                or names_other(sentence.text.split(":")[0], info.names | info.words)
                or facts.about != talk.about  # under another panelist's lead-in: theirs, however often named
            ):  # (what a line lists after its ':' is what it says, not what it is about)
                yield "name"  # the talk is about it, but this sentence is about something else it names
        given = self.facts.folder_numbers  # the folder's ('kernelconf-2024'), whole: not '20' nor '4'
        if not all(n in near or n in sentence.text or n in talk.notes or n in given for n in info.numbers):
            yield "number"

    def _items_deny(self, row: int, known: frozenset[str], question: str, reach: int = 8) -> bool:
        """Does an item under this line (its label) deny what the question asks, saying nothing else?"""
        label, sentences = self.index.sentences[row], self.index.sentences
        for below in same_talk_rows(sentences, row, 1, reach):
            item = sentences[below]
            if not item.list_item:
                return False
            if item.context == label.text and says_only_no(item.text, known, question):
                return True
        return False

    def _counts_focus(self, sentence: Sentence, own_terms: frozenset[str], info: QuestionInfo) -> bool:
        """A count of what the question counts: an amount beside that noun in the sentence, or
        a sentence under a sub-heading or lead-in naming it ('Microservices:' then '- 8')."""
        nouns = info.counted or counted_as(info.focus or "")
        if counts_repeats(sentence.text, nouns):
            return True  # 'for the third year in a row' counts the times
        if counts_attendance(sentence.text, nouns):
            return True  # '200 developers from six countries attended' counts people, whatever it calls them
        if info.counted_names and number_near(sentence.text, info.counted_names, info.given_numbers, 1):
            return True  # 'over 200 Kubernetes' for 'how many Kubernetes clusters': a name counted right beside it
        if any(same_noun(t, nouns) for t in own_terms):
            return number_near(sentence.text, nouns, info.given_numbers, self.settings.count_noun_window)
        return any(same_noun(t, nouns) for t in terms(f"{sentence.heading} {sentence.context}"))
