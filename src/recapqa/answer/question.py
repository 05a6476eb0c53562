"""What a question asks for, and what an answer to it must be about.

`kind` says what the answer should hold (a number for "how many", a name for "who", a
cause for "why"). `names` are the companies, people and products the question is about:
an answer sentence must mention them, or belong to a talk that does. `numbers` (years,
editions) must appear too, so "Apply(ops) 24" is not answered from "Apply(ops) 23".
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cached_property
from itertools import pairwise

from recapqa.answer.kinds import Kind, kind_of
from recapqa.ingest.speakers import LABEL_RE, MENTION_RE
from recapqa.text import (
    DATE_NAMES,
    GENERIC_NAMES,
    STOPWORDS,
    WORD,
    number_stem,
    other_script_names,
    spelled_numbers,
    squash,
    terms,
    words,
)

_ASKS_SPEAKER = re.compile(
    r"\b(gave|give|presented|present|moderated|spoke|speakers?|took part|role|work for|panelists?)\b", re.I
)
# Kinds that ask for something other than who spoke, whatever verb they use.
_ASKS_OTHER = frozenset(
    {"number", "money", "version", "year", "date", "duration", "time", "place", "reason", "colour", "contact"}
)
_TALK_PHRASE = re.compile(
    r"((?:[\w'’.&-]+\s+){1,4}?)(?:speaker|talk|keynote|presentation|presenter|session|panel)s?\b", re.I
)
# Where the question says its answer comes from ('according to the Verizon data', ', per the
# second keynote'): the source, which names the talk, not what the answer sentence is about.
_SOURCE_PHRASE = re.compile(
    r"(?:\baccording to|(?:^|,)\s*per)\s+((?:(?!\b(?:what|which|how|who|whom|when|where|why)\b)[^,?;])+)", re.I
)  # (up to a question word: 'According to the X report what share of Y…' frames by X, not Y)
# The kind of thing asked for, before its verb: 'Which GitHub issue is…', 'What Kafka version did…':
# a name there says what sort of answer is wanted, which notes often leave unsaid ('issue 33389').
_ASKED_TYPE = re.compile(
    r"^\s*(?:which|what)\s+((?:[\w.&'’-]+\s+){1,3}?)(?:is|are|was|were|did|does|do|has|have|had|can|could|will|would)\b",
    re.I,
)
_FRAMING_PHRASES = (_SOURCE_PHRASE, _ASKED_TYPE)
_TALK_REFERENCE = re.compile(r"\b(speaker|talk|keynote|presentation|presenter|session|panel)\b", re.I)
# What a definition question defines: "canvas" in "What is a canvas in Mosaic?", "UNC"
# in "what does the UNC in UNC2452 mean?".
_SUBJECT = re.compile(
    r"(?:^|[,;:]\s*)what (?:is|are|was|were)\s+(?:a |an |the )?([\w\-+’' ]+?)"
    r"(?:\s+(?:in|at|of|for|according|responsible for|used for)\b|[?,]|$)"
    r"|(?:^|[,;:]\s*)what (?:does|do|did) (?:a |an |the )?([\w\-+’']+(?: [\w\-+’']+)?)\s+"
    r"(?:in [\w\-]+ )?(?:mean|stand for)\b"
    r"|\bhow (?:does|do|did|would) .+? define (?:a |an |the )?([\w\-+’' ]+?)\s*(?:\?|$)",
    re.I,
)
_DIGITS = re.compile(r"\d+")  # a number the question gives, also inside a name ('p99', 'UNC2452')


_ASKS_TALK = re.compile(r"^\s*(which|what)\s+(\S+\s+){0,2}(talk|keynote|session|presentation)s?\b", re.I)
# A share asked for ('what percentage', 'what share of'), and what of ('SomeConf attendees').
# 'How much of the data…' asks for a share too (of a whole: 'how much data' asks for an amount).
_SHARE_ASKED = re.compile(r"%|\bpercent|\b(share|fraction|proportion)\b|\bhow much of\b", re.I)
_WHOLE_ASKED = re.compile(
    r"\b(?:share|percentage|fraction|proportion|percent|how much)\s+of\s+((?:[\w'’-]+\s*){1,3})", re.I
)


@dataclass(frozen=True)
class QuestionInfo:
    text: str
    kind: Kind
    terms: frozenset[str]
    names: frozenset[str]
    numbers: frozenset[str]
    talk_only: bool  # "the Globex speaker": names must be a talk's, not a passing mention
    asks_speaker: bool
    subject: str | None  # "canvas" in "What is a canvas in Mosaic?"
    focus: str | None = None  # stem of what a count asks about: "engin" in "how many engineers"
    # the stems a sentence may count it by: its kinds, the phrase's other words, its initials
    counted: frozenset[str] = frozenset()
    counted_names: frozenset[str] = frozenset()  # the names in the counted phrase ('Kubernetes')
    # each name with its squashed forms, spelled-out ones included (answer/abbreviations.py)
    forms: tuple[tuple[str, frozenset[str]], ...] = ()

    # the names that say which talk ('the Initrode keynote', "Jane Roe's talk"), when talk_only
    talk_names: frozenset[str] = frozenset()
    # names that frame the answer rather than say what it is about, which notes often leave
    # unsaid beside it: its source ('according to the X survey'), the sort of thing asked
    # ('which GitHub issue…': the notes write 'issue 33389')
    framing_names: frozenset[str] = frozenset()

    @cached_property
    def given_numbers(self) -> frozenset[str]:
        """The numbers the question gives, in digits or in words ('two-pizza': 'two', '2'): an
        amount it gives does not answer it."""
        return self.numbers | spelled_numbers(self.text)

    @cached_property
    def asks_talk(self) -> bool:
        """Does it ask which talk ('Which SomeConf talk stood out…')? Then a talk's title is news."""
        return bool(_ASKS_TALK.match(self.text))

    @cached_property
    def share_of(self) -> frozenset[str] | None:
        """When it asks for a share ('what percentage', 'what share of SomeConf attendees'), the
        terms of what it is a share of (empty when it does not say); None when it asks no share."""
        if not _SHARE_ASKED.search(self.text):
            return None
        whole = _WHOLE_ASKED.search(self.text)
        return frozenset(terms(whole.group(1))) if whole else frozenset()

    @cached_property
    def words(self) -> frozenset[str]:
        """The question's words in lower case: a word it writes as a common word ('much') is
        not another name when a sentence shouts it ('MUCH better')."""
        return frozenset(w.lower() for w in words(self.text))

    def forms_of(self, name: str) -> frozenset[str]:
        """The squashed forms that count as `name` (one the question gives), its singular or
        plural included ('FencePolicy' is 'FencePolicies'), unless written in capitals ('AWS')."""
        known = self._forms_by_name.get(name)
        return known if known is not None else self._forms(name)

    def name_forms(self) -> list[frozenset[str]]:
        """Per name the question gives, the squashed forms that count as that name."""
        return [self._forms_by_name[n] for n in sorted(self.names)]

    @cached_property
    def _forms_by_name(self) -> dict[str, frozenset[str]]:
        """`forms_of` of each name the question gives, found once: every candidate sentence asks."""
        return {name: self._forms(name) for name in self.names}

    def _forms(self, name: str) -> frozenset[str]:
        forms = dict(self.forms).get(name, frozenset({squash(name)}))
        stem = number_stem(squash(name))
        return forms | {stem} if stem and not re.search(rf"\b{re.escape(name.upper())}\b", self.text) else forms


def analyse(question: str, proper_nouns: frozenset[str]) -> QuestionInfo:
    kind = kind_of(question)
    found = _SUBJECT.search(question.strip())
    subject = next(g for g in found.groups() if g).strip().lower() if found and kind == "definition" else None
    if subject:  # "Lambda's placement service": the term is the placement service, Lambda's own
        subject = re.sub(r"^[\w-]+['’]s?\s+(?=\w)", "", subject)
    names = frozenset(_names(question, proper_nouns))
    return QuestionInfo(
        text=question,
        kind=kind,
        terms=frozenset(terms(question)),
        names=names,
        numbers=frozenset(_DIGITS.findall(question)),
        talk_only=bool(_TALK_REFERENCE.search(question)),
        # what a definition question defines is what the answer is about, not the talk's name
        talk_names=_talk_names(question, names) - set(words(subject or "")),
        # 'gave', 'presented' ask who spoke unless the question asks for something else ('How
        # many proverbs did X present?' asks for a count)
        asks_speaker=kind == "person" or (kind not in _ASKS_OTHER and bool(_ASKS_SPEAKER.search(question))),
        focus=_focus(question, names) if kind in ("number", "money") else None,
        counted=_counted(question, names) if kind in ("number", "money") else frozenset(),
        counted_names=_counted(question, names, named=True) if kind in ("number", "money") else frozenset(),
        subject=subject,
        framing_names=names & {w for phrase in _FRAMING_PHRASES for m in phrase.findall(question) for w in words(m)},
    )


_INFLECTED = re.compile(r"(['’]s|['’]d|-ing|-ed)$")


def _names(question: str, proper_nouns: frozenset[str]) -> set[str]:
    """Capitalised words past the first, and words the corpus only writes capitalised."""
    names: set[str] = set()
    tokens = WORD.findall(question)
    # a question that capitalises names says by its lower case that a word is not one
    cased = any(token[0].isupper() for token in tokens[1:])
    for i, token in enumerate(tokens):
        word = _INFLECTED.sub("", token.strip(".'’").lower())  # "DDoS-ing" names DDoS
        if word in GENERIC_NAMES or word in STOPWORDS or word in DATE_NAMES or len(word) < 3 or word.isdigit():
            continue  # (a month is a date the notes may write in digits, not a name they must give)
        if word.endswith("s") and word[:-1] in GENERIC_NAMES:  # "CEOs", "APIs": plurals of generic words
            continue
        if (
            (i > 0 and token[0].isupper())
            or _mixed_case(token)
            or (word in proper_nouns and not (cased and token[0].islower()))
        ):
            names.add(word)
    return names | other_script_names(question)


def _mixed_case(token: str) -> bool:
    """A capital after a lower-case letter ('zStore', 'qLint', 'eWidget'): a product's name however the
    question starts, whether or not the notes ever write it."""
    return any(a.islower() and b.isupper() for a, b in pairwise(token))


def _talk_names(question: str, names: frozenset[str]) -> frozenset[str]:
    """The names in the phrase that refers to a talk ('the Initrode keynote'); all the
    question's names when that phrase holds none."""
    said = {w for m in _TALK_PHRASE.finditer(question) for w in words(m.group(1))}
    return frozenset(names & said) or names


def is_speaker_line(text: str, context: str) -> bool:
    return bool(LABEL_RE.match(text) or MENTION_RE.match(text) or LABEL_RE.match(context))


# The noun a count asks about: "how many engineers", "what percentage of requests".
_FOCUS = re.compile(r"\b(?:how many|how much(?! of\b)|what number of)\s+((?:[\w-]+\s+){0,3})", re.I)
# Quantity adjectives say how to count, not what: "how many different tools".
_QUANTIFIERS = frozenset({"differ", "distinct", "uniqu", "separ", "total", "individu", "new"})
_PHRASE_ENDS = frozenset({"per", "across", "via", "since", "during", "including"})  # "how many X per client"
# Verbs that end a counted phrase ("how many people took part"): common irregular ones, and -ed/-ing.
_VERB_WORDS = (
    "took take takes came come comes went go goes gave give gives made make makes got get gets ran run runs"
    " saw see sees said say says left use uses need needs want wants work works build builds"
)
_VERBS = frozenset(_VERB_WORDS.split())


def _verb_like(word: str) -> bool:
    return word in _VERBS or word.endswith(("ed", "ing"))


# A general counted noun is answered by any of its kinds ("how many people attended" by
# "1,250 attendees"); a specific one only by itself ("how many engineers" not by "people").
_COUNTED_KINDS = {
    "people persons folks": "attendees attendee participants visitors audience delegates registrants humans",
    "talks": "sessions presentations lectures keynotes",
    "companies organizations organisations": "organizations organisations firms businesses enterprises",
}
COUNTED_AS: dict[str, frozenset[str]] = {  # a general word counts by its kinds and by its synonyms ('~25 folks')
    general: frozenset(terms(kinds)) | frozenset(terms(words))
    for words, kinds in _COUNTED_KINDS.items()
    for general in terms(words)
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


def _counted(question: str, names: frozenset[str], named: bool = False) -> frozenset[str]:
    """What a sentence may count the focus by: each content word of the counted phrase up to
    its first function word ('intelligence requirements' in "how many intelligence requirements
    per client"; notes may count either word) with its kinds, and the phrase's initials
    ('IRs'). `named`: the names in that phrase instead ('Kubernetes' in "how many Kubernetes
    clusters"; notes may write 'over 200 Kubernetes'), without initials."""
    match = _FOCUS.search(question)
    if not match:
        return frozenset()
    phrase: list[tuple[str, str]] = []  # (word, stem)
    for word in words(match.group(1)):
        if word in STOPWORDS or word in _PHRASE_ENDS or (phrase and _verb_like(word)):
            break
        if word.isdigit():
            continue  # 'SomeConf 2019 attendees': the year says which, not what is counted
        stems = [t for t in terms(word) if t not in GENERIC_NAMES and t not in _QUANTIFIERS]
        if stems and (word not in names) != named:
            phrase.append((word, stems[0]))
    counted = frozenset(x for _, stem in phrase for x in counted_as(stem))
    return counted | ({"".join(w[0] for w, _ in phrase)} if len(phrase) > 1 and not named else set())
