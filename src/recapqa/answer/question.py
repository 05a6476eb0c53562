"""What a question asks for, and what an answer to it must be about.

`kind` says what the answer should hold (a number for "how many", a name for "who", a
cause for "why"). `names` are the companies, people and products the question is about:
an answer sentence must mention them, or belong to a talk that does. `numbers` (years,
editions) must appear too, so "Apply(ops) 24" is not answered from "Apply(ops) 23".
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass
from typing import Literal

from recapqa.answer.gist_asks import GIST_ASKS
from recapqa.ingest.speakers import LABEL_RE, MENTION_RE
from recapqa.text import GENERIC_NAMES, STOPWORDS, WORD, squash, terms, words

Kind = Literal[
    "which_talks",
    "themes",
    "compare",
    "takeaways",
    "summary",
    "speaker_topic",
    "money",
    "number",
    "time",
    "place",
    "company",
    "person",
    "reason",
    "list",
    "definition",
    "other",
]
# Kinds that ask for the gist of talks rather than one fact (answer/gist.py answers them).
GIST_KINDS = frozenset({"which_talks", "themes", "compare", "takeaways", "summary", "speaker_topic"})


@dataclass(frozen=True)
class KindRule:
    """One answer type (as in question classification: Li & Roth's NUM:money, NUM:count,
    NUM:date, HUM, DESC:reason, ...): the question shape that asks for it, and whether a
    sentence that does not hold it may still answer (`required`)."""

    kind: Kind
    asks: re.Pattern[str]
    required: bool


# First match wins. A question asking for an amount of money, a count or a percentage can
# only be answered by a sentence holding one.
KINDS: tuple[KindRule, ...] = (
    KindRule("which_talks", GIST_ASKS["which_talks"], False),
    KindRule("themes", GIST_ASKS["themes"], False),
    KindRule("compare", GIST_ASKS["compare"], False),
    KindRule("takeaways", GIST_ASKS["takeaways"], False),
    KindRule("summary", GIST_ASKS["summary"], False),
    KindRule("speaker_topic", GIST_ASKS["speaker_topic"], False),
    KindRule(
        "money",
        re.compile(
            r"\b(cost|costs|price|prices|priced|salary|salaries|earn|earns|revenue|revenues|budget|funding"
            r"|paid|pay)\b"
        ),
        True,
    ),
    KindRule(
        "number",
        re.compile(
            r"\bhow (many|much|big)\b|\bwhat (\w+ )?(percentage|share)\b"
            r"|^\s*what (is |was )?(the )?(percentage|share|fraction|proportion|number) of\b"
        ),
        True,
    ),
    KindRule("time", re.compile(r"\bwhen\b|\b(what|which|in which) year\b|\bhow (long|often)\b"), False),
    KindRule(
        "place",
        re.compile(
            r"\b(which|what) (city|country|town|venue|hotel|location)\b"
            r"|\bwhere\b.*\b(held|hosted|located|take place|took place|taking place|give|gave)\b"
        ),
        True,
    ),
    KindRule("reason", re.compile(r"\bwhy\b|\bwhat reasons?\b|\bhow come\b"), False),
    KindRule(
        "company",
        re.compile(
            r"\b(which|what) (company|organi[sz]ation|employer|firm)\b(?! (uses?|used|runs?|built|builds))"
            r"|\bwork(s|ed|ing)? (for|at)\b|\bwhere (does|did|do) .+ work\b"
        ),
        True,
    ),
    KindRule(
        "person",
        re.compile(
            r"^\s*(who|whom|whose)\b|\bwho (is|was|are|gave|presented|moderated|took)\b"
            r"|\b(role|job title|position)\b|\bwork for\b"
        ),
        False,
    ),
    KindRule(
        "list",
        re.compile(
            r"\b(which|what) (tools|technologies|models|companies|talks|speakers|topics|capabilities"
            r"|features|products|steps|levels|goals|principles|proverbs|lessons|benefits|options)\b|\blist\b"
        ),
        False,
    ),
    KindRule("definition", re.compile(r"^\s*what (is|are|was)\b|\bdefin|\bmean\b|\bstand for\b|\bdifference\b"), False),
)
_ASKS_SPEAKER = re.compile(
    r"\b(gave|give|presented|present|moderated|spoke|speakers?|took part|role|work for|panelists?)\b", re.I
)
_TALK_PHRASE = re.compile(
    r"((?:[\w'’.&-]+\s+){1,4}?)(?:speaker|talk|keynote|presentation|presenter|session|panel)s?\b", re.I
)
_TALK_REFERENCE = re.compile(r"\b(speaker|talk|keynote|presentation|presenter|session|panel)\b", re.I)
_SUBJECT = re.compile(
    r"^\s*what (?:is|are|was|were)\s+(?:a |an |the )?([\w\-+’' ]+?)(?:\s+(?:in|at|of|for|according)\b|\?|$)", re.I
)
_DIGITS = re.compile(r"\d+")  # a number the question gives, also inside a name ('p99', 'UNC2452')


@dataclass(frozen=True)
class QuestionInfo:
    text: str
    kind: Kind
    terms: frozenset[str]
    names: frozenset[str]
    numbers: frozenset[str]
    talk_only: bool  # "the Netflix speaker": names must be a talk's, not a passing mention
    asks_speaker: bool
    subject: str | None  # "canvas" in "What is a canvas in Michelangelo?"
    focus: str | None = None  # stem of what a count asks about: "engin" in "how many engineers"
    # each name with its squashed forms, spelled-out ones included (answer/abbreviations.py)
    forms: tuple[tuple[str, frozenset[str]], ...] = ()

    # the names that say which talk ('the SolarWinds keynote', "Brian Kime's talk"), when talk_only
    talk_names: frozenset[str] = frozenset()

    def forms_of(self, name: str) -> frozenset[str]:
        """The squashed forms that count as `name` (one the question gives)."""
        return dict(self.forms).get(name, frozenset({squash(name)}))

    def name_forms(self) -> list[frozenset[str]]:
        """Per name the question gives, the squashed forms that count as that name."""
        return [self.forms_of(n) for n in sorted(self.names)]


def analyse(question: str, proper_nouns: frozenset[str]) -> QuestionInfo:
    kind = _kind(question)
    subject = _SUBJECT.match(question)
    names = frozenset(_names(question, proper_nouns))
    return QuestionInfo(
        text=question,
        kind=kind,
        terms=frozenset(terms(question)),
        names=names,
        numbers=frozenset(_DIGITS.findall(question)),
        talk_only=bool(_TALK_REFERENCE.search(question)),
        talk_names=_talk_names(question, names),
        asks_speaker=bool(_ASKS_SPEAKER.search(question)) or kind == "person",
        focus=_focus(question, names) if kind in ("number", "money") else None,
        subject=subject.group(1).strip().lower() if subject and kind == "definition" else None,
    )


def _kind(question: str) -> Kind:
    lowered = question.lower()
    if re.match(r"^\s*what (is|are|was) the (name|names)\b", lowered):
        return "other"  # "what is the name of X" asks for a name, not a definition
    return next((rule.kind for rule in KINDS if rule.asks.search(lowered)), "other")


def required(kind: Kind) -> bool:
    return any(rule.required for rule in KINDS if rule.kind == kind)


def _names(question: str, proper_nouns: frozenset[str]) -> set[str]:
    """Capitalised words past the first, and words the corpus only writes capitalised."""
    names: set[str] = set()
    tokens = WORD.findall(question)
    # a question that capitalises names says by its lower case that a word is not one
    cased = any(token[0].isupper() for token in tokens[1:])
    for i, token in enumerate(tokens):
        word = re.sub(r"['’]s$", "", token.strip(".'’").lower())
        if word in GENERIC_NAMES or word in STOPWORDS or len(word) < 3 or word.isdigit():
            continue
        if word.endswith("s") and word[:-1] in GENERIC_NAMES:  # "CEOs", "APIs": plurals of generic words
            continue
        if (i > 0 and token[0].isupper()) or (word in proper_nouns and not (cased and token[0].islower())):
            names.add(word)
    return names


def _talk_names(question: str, names: frozenset[str]) -> frozenset[str]:
    """The names in the phrase that refers to a talk ('the SolarWinds keynote'); all the
    question's names when that phrase holds none."""
    said = {w for m in _TALK_PHRASE.finditer(question) for w in words(m.group(1))}
    return frozenset(names & said) or names


def is_speaker_line(text: str, context: str) -> bool:
    return bool(LABEL_RE.match(text) or MENTION_RE.match(text) or LABEL_RE.match(context))


# The noun a count asks about: "how many engineers", "what percentage of requests".
_FOCUS = re.compile(r"\b(?:how many|how much|what number of)\s+((?:[\w-]+\s+){0,3})", re.I)
# Quantity adjectives say how to count, not what: "how many different tools".
_QUANTIFIERS = frozenset({"differ", "distinct", "uniqu", "separ", "total", "individu", "new"})


# A general counted noun is answered by any of its kinds ("how many people attended" by
# "1,250 attendees"); a specific one only by itself ("how many engineers" not by "people").
_COUNTED_KINDS = {
    "people persons folks": "attendees attendee participants visitors audience delegates registrants humans",
    "talks": "sessions presentations lectures keynotes",
    "companies organizations organisations": "organizations organisations firms businesses enterprises",
}
COUNTED_AS: dict[str, frozenset[str]] = {
    general: frozenset(terms(kinds)) | {general} for words, kinds in _COUNTED_KINDS.items() for general in terms(words)
}


def counted_as(focus: str) -> frozenset[str]:
    """The stems a sentence may count `focus` by."""
    return COUNTED_AS.get(focus, frozenset({focus}))


def _focus(question: str, names: frozenset[str]) -> str | None:
    """The first content word (stemmed) after the count phrase that is not a name ('contributor'
    in "what percentage of CNCF contributors"); None when there is none."""
    match = _FOCUS.search(question)
    if not match:
        return None
    counted = " ".join(w for w in words(match.group(1)) if w not in names)
    stems = [w for w in terms(counted) if w not in GENERIC_NAMES and w not in _QUANTIFIERS]
    return stems[0] if stems else None


def corpus_proper_nouns(texts: list[str]) -> frozenset[str]:
    """Words written capitalised mid-sentence whose stem is never written in lower case
    ('Netflix' is one; 'Language', from "Large Language Models", is not: 'languages' is)."""
    upper: Counter[str] = Counter()
    lower_stems: set[str] = set()
    for text in texts:
        for sentence in re.split(r"(?<=[.!?:])\s+|\n", text):
            for i, token in enumerate(WORD.findall(sentence)):
                word = re.sub(r"['’]s$", "", token.lower())
                if token[0].isupper() and i > 0:
                    upper[word] += 1
                elif token[0].islower():
                    lower_stems.update(terms(word))
    return frozenset(w for w in upper if not set(terms(w)) & lower_stems and w not in GENERIC_NAMES and len(w) > 2)
