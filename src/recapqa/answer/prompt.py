"""The LLM prompt, in one place and versioned: eval/llm/README.md names the version it measured.

Bump PROMPT_VERSION whenever the wording, the example or the source layout changes (the
fact prompt), GIST_PROMPT_VERSION for the gist prompt (summaries, takeaways, themes...).
"""

from __future__ import annotations

import re

from recapqa.models import Citation, Hit
from recapqa.tokens import count_tokens

PROMPT_VERSION = "3"
CANNOT_ANSWER_REPLY = "I cannot answer from these notes."

# Version 2 showed the example as a block of sources; Qwen2.5-Coder-0.5B copied that block
# into 2 of its first 31 dev replies (0 of 68 with version 3). The example is now one line,
# invented (no talk of any corpus), so it cannot pass as a fact of the notes.
_EXAMPLE = (
    'Example: if the question is "How much did latency drop?" and source [2] says '
    '"Latency dropped from 80 ms to 20 ms.", answer: Latency dropped from 80 ms to 20 ms [2].'
)

SYSTEM_PROMPT = f"""You answer questions about conference talks using only the numbered sources the user gives.
Rules:
- Answer in one to three short sentences that state the facts asked for.
- End every sentence with the number of the source it comes from, like [1].
- Never answer with only a name, a title or a source number.
- If the sources do not contain the answer, reply exactly: {CANNOT_ANSWER_REPLY}

{_EXAMPLE}"""

FINAL_INSTRUCTION = "Answer in one to three short sentences, each ending with its source number like [1]:"

ABSTAINS = re.compile(
    r"cannot answer|can't answer|unable to answer|not (covered|mentioned|in the (notes|sources))"
    r"|no information|(do|does) not (contain|say|mention)",
    re.I,
)


def source_block(n: int, hit: Hit) -> str:
    speakers = ", ".join(hit.talk.speaker_names)
    head = f"[{n}] {hit.talk.title}" + (f" ({speakers})" if speakers else "")
    return f"{head}\n{hit.chunk.text}"


def fit_sources(hits: list[Hit], question: str, budget: int) -> list[Hit]:
    """As many hits, in rank order, as fit the token budget left for sources."""
    used = count_tokens(SYSTEM_PROMPT) + count_tokens(question) + count_tokens(FINAL_INSTRUCTION) + 32
    kept: list[Hit] = []
    for hit in hits:
        cost = count_tokens(source_block(len(kept) + 1, hit)) + 2
        if used + cost > budget and kept:
            break
        kept.append(hit)
        used += cost
    return kept


def build_messages(question: str, hits: list[Hit]) -> list[dict[str, str]]:
    sources = "\n\n".join(source_block(n, hit) for n, hit in enumerate(hits, 1))
    user = f"Sources:\n\n{sources}\n\nQuestion: {question}\n{FINAL_INSTRUCTION}"
    return [{"role": "system", "content": SYSTEM_PROMPT}, {"role": "user", "content": user}]


def is_abstention(reply: str) -> bool:
    """The reply declines to answer: it opens with the agreed sentence or says so without citing."""
    text = reply.strip()
    if text.lower().startswith(CANNOT_ANSWER_REPLY.lower().rstrip(".")):
        return True
    return bool(ABSTAINS.search(text)) and not re.search(r"\[\d", text)


# ---- gist questions: the sources are the sentences the extractive gist answer selected ----

GIST_PROMPT_VERSION = "1"
# Qwen2.5-Coder-1.5B copied this invented example into 2 of its first 15 dev replies (the
# check refuses them). A fact-free pattern instead ("- <what one source says> [<number>]",
# tried as version 2) made Qwen2.5-Coder-0.5B stop citing: 0 of 15 dev replies passed, against
# 3 of 15 with this one (eval/llm/README.md), so the example stays.
_GIST_EXAMPLE = (
    'Example: if source [2] says "We cut build times from 40 to 12 minutes by caching layers.", '
    "a bullet is: - Caching layers cut build times from 40 to 12 minutes [2]"
)
GIST_SYSTEM_PROMPT = f"""You summarise conference talks using only the numbered sources the user gives.
Rules:
- Write a short summary in up to five bullet points, one fact per bullet.
- End every bullet with the number of the source it comes from, like [2].
- Use only what the sources say; add nothing else, no introduction and no conclusion.
- If the sources say nothing about the question, reply exactly: {CANNOT_ANSWER_REPLY}

{_GIST_EXAMPLE}"""
GIST_FINAL_INSTRUCTION = "Answer in up to five bullet points, each ending with its source number like [2]:"


def gist_source_block(n: int, citation: Citation) -> str:
    speakers = ", ".join(citation.talk.speaker_names)
    head = f"[{n}] {citation.talk.title}" + (f" ({speakers})" if speakers else "")
    return f"{head}\n{citation.quote}"


def build_gist_messages(question: str, selected: list[Citation]) -> list[dict[str, str]]:
    """One numbered source per selected sentence, with its talk's title and speakers."""
    sources = "\n\n".join(gist_source_block(n, c) for n, c in enumerate(selected, 1))
    user = f"Sources:\n\n{sources}\n\nQuestion: {question}\n{GIST_FINAL_INSTRUCTION}"
    return [{"role": "system", "content": GIST_SYSTEM_PROMPT}, {"role": "user", "content": user}]
