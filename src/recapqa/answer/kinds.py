"""Answer types: which kind of answer a question asks for (the KINDS table), and whether a
sentence that does not hold that kind may still answer. The sentence side (what a sentence
holds, per kind) is answer/sentence_kinds.py."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal, get_args

from recapqa.answer.gist_asks import GIST_ASKS

# Kinds that ask for the gist of talks rather than one fact (answer/gist.py answers them).
GistKind = Literal["which_talks", "themes", "compare", "takeaways", "summary", "speaker_topic"]
# Kinds that ask for a type of detail a sentence can be seen to hold or lack (a time, an amount,
# a place, an organisation, a person's name); a reason, a list, a definition or 'other' can be
# worded any way. A sentence lacking the detail asked is a near miss's usual answer
# (features.FEATURES 'kind_missing', answer/details.py).
TypedKind = Literal[
    "money",
    "number",
    "version",
    "year",
    "date",
    "duration",
    "colour",
    "contact",
    "time",
    "place",
    "company",
    "person",
]
Kind = GistKind | TypedKind | Literal["reason", "list", "definition", "other"]
GIST_KINDS: frozenset[Kind] = frozenset(get_args(GistKind))
TYPED: frozenset[Kind] = frozenset(get_args(TypedKind))


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
    # a question that opens with 'why' asks for a reason, whatever it names ('why might it not pay off')
    KindRule("reason", re.compile(r"^\s*(why|how come)\b"), False),
    KindRule(
        "money",
        re.compile(
            r"\b(cost|costs|price|prices|priced|salary|salaries|earn|earns|revenue|revenues|budget|funding"
            r"|paid|pay)\b(?! (off|attention|tribute|homage|back)\b)"  # 'pay off' is not an amount
        ),
        True,
    ),
    KindRule(
        "number",
        re.compile(
            r"\bhow (many|much|big)\b|\bwhat (\w+ )?(percentage|share)\b|\b(which|what) port\b"
            r"|^\s*what (is |was )?(the )?(percentage|share|fraction|proportion|number) of\b"
        ),
        True,
    ),
    # a release of a product is named by its version ('which Frobnitz release will it ship in': '2.4'),
    # when 'release' ends the asked phrase (a verb, a pronoun or the question's end follows): 'which
    # release channels', 'what release date', 'what release schedule' ask for something else
    KindRule(
        "version",
        re.compile(
            r"\b(what|which) ([\w-]+ ){0,2}(version\b(?! (of|control))|release\b(?=\s*[?,.;:]|\s*$|"
            r" (will|would|did|does|do|is|was|are|were|has|had|have|can|could|should|it|they|ships?|shipped"
            r"|lands?|landed|adds?|added|brings?|brought|introduced?|includes?|included|made|makes?)\b))"
        ),
        True,
    ),
    KindRule("year", re.compile(r"\b(what|which) year\b"), True),
    KindRule("date", re.compile(r"\b(what|which|on what) (dates?|days?)\b"), True),  # a date, not 'a week'
    KindRule("duration", re.compile(r"\bhow long\b"), True),  # 'three years', 'two-day', '20-45 seconds'
    KindRule("colour", re.compile(r"\b(what|which) colou?rs?\b|\bcolou?r (does|do|did|is|was)\b"), True),
    # an address to reach someone or something at: an e-mail address or a web address
    KindRule(
        "contact",
        re.compile(r"\b(what|which) (is |was |are )?([\w'’-]+ ){0,3}(e-?mail( address)?|url|web ?site|web address)\b"),
        True,
    ),
    # answered by a year, not by 'later'
    # 'when' asks for a time when it opens the question or its verb follows; 'calls to make when a
    # container starts' is a condition, not the question
    KindRule(
        "time",
        re.compile(
            r"^\s*when\b|\bwhen (is|was|are|were|did|does|do|will|would|can|could|should|has|have|had)\b|\bhow often\b"
        ),
        False,
    ),
    KindRule(
        "place",
        re.compile(
            r"\b(which|what) (city|country|town|venue|hotel|location)\b"
            r"|\bwhere\b.*\b(held|hosted|located|take place|took place|taking place|give|gave)\b"
        ),
        True,
    ),
    KindRule(
        "reason",
        re.compile(r"\bwhy\b|\bwhat reasons?\b|\bhow come\b|^\s*what (caused|causes|led to|leads to)\b"),
        False,
    ),
    KindRule(
        "company",
        re.compile(
            r"\b(which|what) (company|organi[sz]ation|employer|firm)\b(?! (uses?|used|runs?|built|builds))"
            r"|\bwork(s|ed|ing)? (for|at)\b|\bwhere (does|did|do) .+ work\b"
            r"|['’]s (employer|company|firm|organi[sz]ation)\b"
        ),
        True,
    ),
    KindRule(
        "person",
        re.compile(
            # 'whose talk…' asks for a speaker; 'whose work had X read?' for what was read, not a name
            r"^\s*(who|whom)\b|^\s*whose (talk|keynote|session|presentation|panel|workshop)s?\b"
            # 'who gave…' later in a question asks for a person unless another question word leads
            # ('What warning do the notes give anyone who is presenting?')
            r"|^(?!\s*(what|which|how|why|when|where)\b).*\bwho (is|was|are|gave|presented|moderated|took)\b"
            r"|\b(role|job title|position)\b|\bwork for\b"
            r"|^\s*(which|what) ([\w-]+ )?(director|manager|engineer|vp|cto|ceo|founder|speaker|presenter|panelist"
            r"|moderator|host|author|maintainer|evangelist|architect|expert|person|researcher|scientist|analyst|employee"
            r"|consultant|volunteer|organi[sz]er)\b"
        ),
        False,
    ),
    KindRule(
        "list",
        re.compile(
            r"\b(which|what) (tools|technologies|models|companies|talks|speakers|topics|capabilities"
            r"|features|products|steps|levels|goals|principles|proverbs|lessons|benefits|options)\b|\blist\b"
            # 'which sandbox projects were shown': a plural noun asked for, then its verb
            r"|^\s*(which|what) ([\w-]+ ){0,3}[a-z]{3,}[^s]s (were|are|did|do|does|have|had|will|can)\b"
        ),
        False,
    ),
    KindRule("definition", re.compile(r"^\s*what (is|are|was)\b|\bdefin|\bmean\b|\bstand for\b|\bdifference\b"), False),
)


# A clause before the question that says where it is asked or what it leaves out ('In Lambda's
# architecture, what is…', 'Besides supervisord, which…'): the question proper starts after it.
_WH = r"(who|whom|whose|what|which|how|why|when|where)\b"
_SCOPE_CLAUSE = re.compile(rf"^\s*(?!{_WH})[^,?]{{1,80}},\s*(?={_WH})")  # not 'What did X, who leads…
# A preposition before the question word ('In which countries…', 'For what reason…', 'By how
# much…') leaves the question it opens: the kind is read as if the question started at its word.
_LEADING_PREPOSITION = re.compile(
    r"^\s*(in|at|on|for|from|to|by|with|of|during|since|under|into|across)\s+(?=(which|what|whom|whose|how)\b)"
)


_MULTI_TALK = re.compile(
    r"\b(which|what) (talks|speakers|companies|presentations)\b|\bwho (uses|use|mentioned)\b", re.I
)


def spans_talks(question: str) -> bool:
    """Does the question ask across talks ('which talks …', 'who uses …'): its answer's
    sentences then come from different talks, not one."""
    return bool(_MULTI_TALK.search(question))


def kind_of(question: str) -> Kind:
    """The answer type a question asks for (first matching rule), 'other' when none. A gist
    kind is read from the whole question ('Across the talks, what trends…' asks for themes),
    any other kind from the question after its leading clause."""
    whole = question.lower()
    gist = next((rule.kind for rule in KINDS if rule.kind in GIST_KINDS and rule.asks.search(whole)), None)
    if gist:
        return gist
    lowered = _LEADING_PREPOSITION.sub("", _SCOPE_CLAUSE.sub("", whole))
    if re.match(r"^\s*what (is|are|was) the (name|names)\b", lowered):
        return "other"  # "what is the name of X" asks for a name, not a definition
    return next((rule.kind for rule in KINDS if rule.asks.search(lowered)), "other")


def required(kind: Kind) -> bool:
    return any(rule.required for rule in KINDS if rule.kind == kind)
