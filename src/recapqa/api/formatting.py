"""Answer -> text for chat clients: [n] markers after each quoted sentence and a Sources
footer, so plain chat front-ends show where each sentence came from, and a follow-up can be
resolved from the history alone."""

from __future__ import annotations

from collections.abc import Iterator

from recapqa.models import Answer, quote_list


def answer_text(answer: Answer) -> str:
    if answer.mode == "llm" or answer.abstained or not answer.citations:
        return answer.answer  # the LLM answer already carries checked [n] markers
    return quote_list([f"{c.quote} [{n}]" for n, c in enumerate(answer.citations, 1)])


def sources_footer(answer: Answer) -> str:
    if not answer.citations:
        return ""
    lines = ["", "", "Sources:"]
    for n, c in enumerate(answer.citations, 1):
        speakers = ", ".join(c.talk.speaker_names)
        lines.append(f"[{n}] {c.talk.title}" + (f" — {speakers}" if speakers else "") + f" ({c.source}:{c.start_line})")
    return "\n".join(lines)


def chat_content(answer: Answer) -> str:
    return answer_text(answer) + sources_footer(answer)


def pieces(text: str, words: int = 3) -> Iterator[str]:
    """The text in small pieces (a few words, whitespace kept) for streaming."""
    tokens = text.split(" ")
    for start in range(0, len(tokens), words):
        chunk = " ".join(tokens[start : start + words])
        yield chunk if start + words >= len(tokens) else chunk + " "
