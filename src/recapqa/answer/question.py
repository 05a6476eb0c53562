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

from recapqa.ingest.speakers import LABEL_RE, MENTION_RE, NAME_RE
from recapqa.text import GENERIC_NAMES, STOPWORDS, WORD, terms

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
    KindRule(
        "which_talks",
        re.compile(
            r"\b(which|what) (talks|sessions|presentations|speakers|keynotes)\b.*\b(mention|discuss|cover|talk"
            r"|touch|address|deal|about|present|describ|explain|introduc|bring|brought|rais)"
            r"|\b(which|what) (talks|sessions|speakers) (were )?(on|about)\b"
        ),
        False,
    ),
    KindRule(
        "themes",
        re.compile(
            r"\b(main |key |common |recurring |big |major )?(themes?|topics|trends)\b.*\b(conference|event|talks"
            r"|day|summit|across)\b|\bwhat was the (conference|event|summit) (about|like)\b"
        ),
        False,
    ),
    KindRule(
        "compare",
        re.compile(
            r"^(?=.*\b(compare|comparison|differ\w*|versus|vs|contrast)\b)(?=.*(\btalks?\b|\band\b|\bvs\b))"
            r"|^\s*how (do|did|does) .+ and .+ (talk about|approach|handle|treat|see|view|deal with|discuss)\b"
        ),
        False,
    ),
    KindRule(
        "takeaways",
        re.compile(r"\b(key |main )?(takeaways?|lessons? learned|learnings|key points|main points)\b"),
        False,
    ),
    KindRule(
        "summary",
        re.compile(
            r"\b(summari[sz]e|summary|recap|overview|gist|tl;?dr|sum up)\b|\bwhat (was|is) the .*\b(talk|keynote"
            r"|session|presentation) about\b|\bwhat happened in\b"
        ),
        False,
    ),
    KindRule(
        "speaker_topic",
        re.compile(
            r"\bwhat (did|does|do) .+ (say|said|think|thinks|share|shared|mention|tell) (about|on|regarding)\b"
            r"|\b(views?|thoughts|opinion|take) (of|from) .+ (on|about)\b"
        ),
        False,
    ),
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
_TALK_REFERENCE = re.compile(r"\b(speaker|talk|keynote|presentation|presenter|session|panel)\b", re.I)
_SUBJECT = re.compile(
    r"^\s*what (?:is|are|was|were)\s+(?:a |an |the )?([\w\-+’' ]+?)(?:\s+(?:in|at|of|for|according)\b|\?|$)", re.I
)
# A named place: 'in Denver', 'at the Venetian', 'Location: Warsaw' (not 'in June', 'on Monday').
_PLACE = re.compile(
    r"(?i:\b(location|venue|place|city|where))\s*:\s*[A-Z]"
    r"|\b(in|at)\s+(the\s+)?(?!(January|February|March|April|May|June|July|August|September|October|November"
    r"|December|Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday)\b)[A-Z][\w'’-]+"
)
_ORG_WORD = re.compile(r"(?<![\w*#>-])(?<!^)(?<!\n)[A-Z][\w&'’.-]*[a-zA-Z]")
_REASON = re.compile(r"\b(because|due to|reason|since|so that|comes from|in order to|as they|thus)\b", re.I)
_TIME = re.compile(
    r"\b(19|20)\d\d\b|\b(years?|months?|weeks?|weekly|daily|ago|before|after|january|february|march|april|may|june|july|august|september|october|november|december)\b",
    re.I,
)
_NUMBER_WORDS = re.compile(
    r"\b(one|two|three|four|five|six|seven|eight|nine|ten|dozens?|hundreds?|thousands?|millions?|billions?)\b", re.I
)
_DIGITS = re.compile(r"\d+")
_CLOCK = re.compile(r"\b\d{1,2}:\d{2}(:\d{2})?\b")  # a time stamp or a time of day, not an amount
_PERCENT = re.compile(r"%|\bpercent", re.I)


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


def analyse(question: str, proper_nouns: frozenset[str]) -> QuestionInfo:
    kind = _kind(question)
    subject = _SUBJECT.match(question)
    return QuestionInfo(
        text=question,
        kind=kind,
        terms=frozenset(terms(question)),
        names=frozenset(_names(question, proper_nouns)),
        numbers=frozenset(_DIGITS.findall(question)),
        talk_only=bool(_TALK_REFERENCE.search(question)),
        asks_speaker=bool(_ASKS_SPEAKER.search(question)) or kind == "person",
        focus=_focus(question) if kind in ("number", "money") else None,
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
        if (i > 0 and token[0].isupper()) or (word in proper_nouns and not (cased and token[0].islower())):
            names.add(word)
    return names


def is_speaker_line(text: str, context: str) -> bool:
    return bool(LABEL_RE.match(text) or MENTION_RE.match(text) or LABEL_RE.match(context))


# The noun a count asks about: "how many engineers", "what percentage of requests".
_FOCUS = re.compile(
    r"\b(?:how many|how much|what (?:percentage|share|fraction|number) of)\s+((?:[\w-]+\s+){0,3})", re.I
)
# Quantity adjectives say how to count, not what: "how many different tools".
_QUANTIFIERS = frozenset({"differ", "distinct", "uniqu", "separ", "total", "individu", "new"})
_MONEY = re.compile(r"[$€£¥]|\b(usd|eur|dollars?|euros?|pounds?)\b", re.I)
_YEAR = re.compile(r"^(19|20)\d\d$")


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


def _focus(question: str) -> str | None:
    """The first content word (stemmed) after the count phrase; None when there is none."""
    match = _FOCUS.search(question)
    if not match:
        return None
    words = [w for w in terms(match.group(1)) if w not in GENERIC_NAMES and w not in _QUANTIFIERS]
    return words[0] if words else None


def has_number(text: str, asked: frozenset[str], counting: bool = False) -> bool:
    """A number the question did not give; for counts, years do not count."""
    numbers = set(_DIGITS.findall(_CLOCK.sub(" ", text))) - asked  # '`38:20` - Sampling' counts nothing
    if counting:
        numbers = {n for n in numbers if not _YEAR.match(n)}
    return bool(numbers or _NUMBER_WORDS.search(text))


def has_money(text: str) -> bool:
    return bool(_MONEY.search(text))


def kind_score(info: QuestionInfo, text: str, context: str, list_item: bool) -> float:
    """0..2: how well a sentence holds what the question asks for."""
    speaker_line = is_speaker_line(text, context)
    if info.kind == "money":
        return 1.0 if has_money(text) and has_number(text, info.numbers) else 0.0
    if info.kind == "number":
        if _PERCENT.search(info.text) and not _PERCENT.search(text):
            return 0.0  # 'what percentage' is answered by a percentage
        return 1.0 if has_number(text, info.numbers, counting=info.focus is not None) else 0.0
    if info.kind == "time":
        return 1.0 if _TIME.search(text) else 0.0
    if info.kind == "place":
        return 1.0 if _PLACE.search(text) else 0.0
    if info.kind == "company":  # the person asked about, beside an organisation
        named = not info.names or any(re.search(rf"(?<![a-z]){re.escape(n)}(?![a-z])", text, re.I) for n in info.names)
        return 1.0 if named and _names_beyond(text, info.names) else 0.0
    if info.kind == "reason":
        return 1.0 if _REASON.search(text) else 0.0
    if info.kind == "person":
        return (1.0 if NAME_RE.search(text) else 0.0) + (1.0 if speaker_line else 0.0)
    if info.kind == "list":
        return 1.0 if list_item or "," in text else 0.0
    if info.kind == "definition":
        if info.subject and re.match(
            rf"^(the |a |an )?{re.escape(info.subject)}s?\b.*?\b(is|are|means)\b|^{re.escape(info.subject)}\s*:",
            text.strip(),
            re.I,
        ):
            return 2.0
        return 0.5 if re.search(r"\b(is|are|means)\b|:", text) else 0.0
    return 0.0


def _names_beyond(text: str, asked: frozenset[str]) -> bool:
    """A capitalised word, not opening the text, that is not a name the question gives (an
    organisation beside the person asked about)."""
    return any(word.lower() not in asked for word in _ORG_WORD.findall(text))


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
