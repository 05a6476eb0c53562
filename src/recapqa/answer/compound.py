"""Compound questions ("Who moderated the panel and which serving library did they use?")
answered part by part, each part with its own citations.

A question is split where ' and ' (or ', and', ';') is followed by a new question: a
question word or an auxiliary verb opening a clause. The later parts borrow what the
first part names (its capitalised words and the noun phrase after 'the') when they refer
back ("they", "it", "his"), so the pronoun still finds the talk.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from recapqa.models import CANNOT_ANSWER, Answer

# a question word, maybe after a preposition ('and on what date…'), or an auxiliary verb
_QUESTION_START = (
    r"(?:(?:on|in|at|for|from|with|by|to|of|since|until|during)\s+(?=(?:who|whom|what|which|when|where|how)\b))?"
    r"(?:who|whom|whose|what|which|when|where|why|how|did|does|do|is|are|was|were|has|have|can|could)\b"
)
_SPLIT = re.compile(rf"\s*(?:,?\s+and\s+|;\s*|,\s+)(?={_QUESTION_START})", re.I)
_OPENS_QUESTION = re.compile(rf"^\W*{_QUESTION_START}", re.I)
# a relative clause between commas inside a question already begun ('Which company does Ann,
# who built X, work for?'): it describes a name, it is not a second question ('In the keynote,
# who spoke, and …' is: what comes before its comma asks nothing)
_PARENTHETICAL = re.compile(r",\s+(?:who|whom|whose|which)\b[^,;?]*,(?=\s*\w)", re.I)
_SUBJECT = re.compile(
    r"\bthe\s+((?:[\w'’-]+\s+){0,3}?(?:talk|keynote|panel|session|speaker|presentation|workshop))\b", re.I
)
_CAPITALISED = re.compile(r"(?<!^)(?<![.?!]\s)\b[A-Z][\w'’.-]*(?:\s+[A-Z][\w'’.-]*)*")
_REFERS = re.compile(r"\b(he|she|they|him|her|them|his|hers|their|it|its|this|that|these|those)\b", re.I)
_WH_PHRASE = re.compile(r"^\W*(?:how (?:many|much)|which|what)\s+[\w'’-]+\s+", re.I)
MAX_PARTS = 3


def split_compound(question: str) -> list[str]:
    """The parts of a compound question, or [question] when it asks one thing."""
    question = question.strip()
    spans = [m.span() for m in _PARENTHETICAL.finditer(question) if _OPENS_QUESTION.match(question[: m.start()])]
    asides = [question[a:b] for a, b in spans]
    masked = question
    for n, (a, b) in reversed(list(enumerate(spans))):
        masked = f"{masked[:a]}\0{n}\0{masked[b:]}"
    split = [re.sub(r"\0(\d+)\0", lambda m: asides[int(m.group(1))], p) for p in _SPLIT.split(masked)]
    parts = [p.strip(" ,;?") for p in split if p.strip(" ,;?")]
    if len(parts) > 1 and not _OPENS_QUESTION.match(parts[0]):  # 'In Lambda's architecture, what is …'
        parts = [f"{parts[0]}, {parts[1]}", *parts[2:]]
    if len(parts) < 2 or len(parts) > MAX_PARTS or any(len(p.split()) < 3 for p in parts):
        return [question]
    parts[0] = _completed(parts[0], parts[1])
    context = _context(parts[0])
    return [parts[0] + "?"] + [f"{p}? ({context})" if context and _REFERS.search(p) else f"{p}?" for p in parts[1:]]


def _completed(first: str, second: str) -> str:
    """'How many years' and 'how many verticals of breach data does the report cover': a first
    part that is only what it asks for ends as the second does."""
    if not _WH_PHRASE.fullmatch(first + " "):
        return first
    asked = _WH_PHRASE.match(second)
    return f"{first} {second[asked.end() :]}" if asked else first


def _context(first: str) -> str:
    """What a later part's 'they' points to: the first part's names and the talk it names,
    else what it says after its question word ('talked about hunting extortion actors')."""
    names = [m.group(0) for m in _CAPITALISED.finditer(first)]
    subject = _SUBJECT.search(first)
    if subject:
        names.append(subject.group(0))
    return ", ".join(dict.fromkeys(names)) or _OPENS_QUESTION.sub("", first).strip()


def answer_parts(question: str, parts: list[str], ask: Callable[[str], Answer]) -> Answer:
    """Ask each part, then one answer: the parts' answers in order, every citation kept.
    It abstains only when every part does."""
    answers = [ask(part) for part in parts]
    if all(a.abstained for a in answers):
        merged = answers[0]
        merged.question = question
        return merged
    lines, citations = [], []
    for part, answer in zip(parts, answers, strict=True):
        asked = part.split("? (")[0].rstrip("?") + "?"
        text = CANNOT_ANSWER if answer.abstained else answer.answer
        lines.append(f"{asked}\n{text}")
        citations += [c for c in answer.citations if c not in citations]
    first = answers[0]
    return Answer(
        question=question,
        answer="\n\n".join(lines),
        abstained=False,
        mode=first.mode,
        citations=citations,
        fallback_reason=next((a.fallback_reason for a in answers if a.fallback_reason), None),
    )
