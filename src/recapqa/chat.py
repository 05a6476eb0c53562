"""Follow-up questions resolved against earlier turns, with or without an LLM.

The client sends the whole history; nothing is kept on the server. A follow-up such as
"and what did she say about Kafka?" or "which tools did that talk list?" names no talk, so
it is rewritten to name the talk the conversation was last about (the talk cited or named
in the latest earlier turn that names one; when that turn names some by a person's full
name, those), and its speakers, which retrieval then favours
and the extractive answerer requires.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from recapqa.errors import InvalidQuestionError
from recapqa.models import Talk
from recapqa.talk_mentions import TalkMatcher, speaker_aliases
from recapqa.text import normalize

_REFERS_BACK = re.compile(
    r"\b(she|he|her|him|his|hers|they|them|their|it|its|this|that|these|those|there|same|"
    r"the (talk|speaker|panel|presentation|session|company))\b|^\s*(and|also|what about|how about)\b",
    re.I,
)


@dataclass(frozen=True)
class Turn:
    role: str  # "user" | "assistant" | "system"
    content: str


@dataclass(frozen=True)
class Resolved:
    question: str  # what is actually asked
    original: str  # the user's last message
    focus: tuple[str, ...]  # talk ids carried over from earlier turns


def last_question(turns: list[Turn]) -> str:
    users = [t for t in turns if t.role == "user" and t.content.strip()]
    if not users or turns[-1].role != "user":
        raise InvalidQuestionError("the conversation must end with a user message", "send the question last")
    return users[-1].content


def resolve(turns: list[Turn], talks: dict[str, Talk], matcher: TalkMatcher) -> Resolved:
    question = last_question(turns)
    if matcher.mentioned(question) or not _REFERS_BACK.search(question):
        return Resolved(question, question, ())
    for turn in reversed(turns[:-1]):
        named = matcher.mentions(turn.content)  # a person's full name beats a shared title word
        focus = sorted(named.by_full_name or named.talks)
        if focus:
            return Resolved(
                f"{question} ({_describe(turn.content, [talks[t] for t in focus])})", question, tuple(focus)
            )
    return Resolved(question, question, ())


def _describe(earlier: str, focus: list[Talk]) -> str:
    """'Journey of the data platform at Acme, Acme, Jane Doe': the talk, and the speakers the
    earlier turn named (all of them if it named none)."""
    text = normalize(earlier)
    parts = []
    for talk in focus:
        named = [
            s.name for s in talk.speakers if any(re.search(rf"\b{re.escape(a)}\b", text) for a in speaker_aliases(s))
        ]
        people = named or talk.speaker_names
        parts.append(", ".join([talk.title, *([talk.company] if talk.company else []), *people]))
    return "; ".join(parts)
