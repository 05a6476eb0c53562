"""A chat request -> the question to ask: history limits, follow-up resolution, question
cleaning. CPU work proportional to the history: the routes run it in a worker thread,
never on the event loop."""

from __future__ import annotations

from collections.abc import Sequence

from recapqa.api import schemas
from recapqa.api.schemas import Message
from recapqa.chat import Turn, resolve
from recapqa.errors import RequestTooLargeError
from recapqa.pipeline import Assistant, clean_question
from recapqa.retrieve import Filters


def question_of(messages: Sequence[Message], assistant: Assistant) -> str:
    settings = assistant.settings
    if len(messages) > settings.max_chat_messages:
        raise RequestTooLargeError(
            f"the chat has {len(messages)} messages; the limit is {settings.max_chat_messages}",
            "send only the recent turns (or raise RECAPQA_MAX_CHAT_MESSAGES)",
        )
    longest = max((len(m.content) for m in messages), default=0)
    if longest > settings.max_message_chars:
        raise RequestTooLargeError(
            f"a message is {longest} characters; the limit is {settings.max_message_chars}",
            "shorten the message (or raise RECAPQA_MAX_MESSAGE_CHARS)",
        )
    turns = [Turn(m.role, m.content) for m in messages]
    resolved = resolve(turns, assistant.index.talks, assistant.retriever.matcher)
    clean_question(resolved.question, settings.max_question_chars)  # 422/413 before any streaming
    return resolved.question


def filters_of(body: schemas.Filters) -> Filters | None:
    """The talk filters a request carries (talk_id, company, speaker, conference), if any."""
    filters = Filters(body.talk_id, body.company, body.speaker, body.conference)
    return filters or None
