"""The type of detail a question asks for, and whether a sentence lacks it: the usual shape of
an answered near miss is a sentence that names what the question names but not the detail it
asks (a date, a job title). Not a filter: `kind_missing`, a feature of the confidence model
(answer/features.py), weighs it.

The detail is one of the DETAILS below (a job title; a favourite or a winner), else the question's answer type when
that type can be seen in a sentence (kinds.TYPED: a time, an amount, a place, an
organisation, a person). What a sentence holds is read by the detectors that already exist
(answer/sentence_kinds.py, ingest/wordlists.ROLE_WORDS), or by _VERDICT.
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Literal

from recapqa.answer.kinds import TYPED, Kind
from recapqa.answer.question import QuestionInfo
from recapqa.answer.sentence_kinds import kind_score
from recapqa.ingest.wordlists import ROLE_WORDS
from recapqa.text import words

Detail = Literal["role", "verdict"]

# First match wins; read from the lower-cased question.
DETAILS: tuple[tuple[Detail, re.Pattern[str]], ...] = (
    # 'What is X's job title?', 'her role at Y': a word naming a job ('what role does the cache play'
    # asks what it does, not a job)
    ("role", re.compile(r"\bjob title\b|\b(title|role|position) (at|with)\b")),
    # 'Which was her favourite?', 'Who won the contest?': a judgement or an outcome, which a
    # sentence that only names the candidates does not give
    ("verdict", re.compile(r"\bfavou?rites?\b|\bpreferred\b|\bwho won\b|\bwinners?\b")),
)


# how notes say that something was preferred or won ('my favourite', 'I :heart:', 'took first place')
_VERDICT = re.compile(
    r"\bfavou?rites?\b|\bprefer(s|red)?\b|\blove[sd]?\b|:heart:|❤|\bbest\b|\bwon\b|\bwins?\b|\bwinners?\b"
    r"|\bprizes?\b|\bawards?\b|\bfirst place\b",
    re.I,
)


@lru_cache(maxsize=256)
def asked_detail(question: str, kind: Kind) -> str | None:
    """The type of detail a question (of that answer type) asks for, when a sentence can be
    seen to lack it."""
    text = question.lower()
    detail = next((detail for detail, asks in DETAILS if asks.search(text)), None)
    return detail or (kind if kind in TYPED else None)


def lacks_detail(info: QuestionInfo, text: str, context: str, list_item: bool, kind: float) -> bool:
    """Does the sentence, with its lead-in, lack the detail the question asks (False when it
    asks none)? `kind`: the sentence's kind_score, which already says whether it holds the
    question's answer type."""
    detail = asked_detail(info.text, info.kind)
    if detail is None or (detail == info.kind and kind):
        return False
    return not any(_holds(info, detail, part, list_item) for part in (text, context) if part)


def _holds(info: QuestionInfo, detail: str, text: str, list_item: bool) -> bool:
    if detail == "role":
        return any(w.lower() in ROLE_WORDS and w.lower() not in info.words for w in words(text))
    if detail == "verdict":
        return bool(_VERDICT.search(text))
    return bool(kind_score(info, text, "", list_item))
