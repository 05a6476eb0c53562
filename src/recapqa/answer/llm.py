"""LLM answerer: any OpenAI-compatible server through the `openai` client.

Sources go in numbered, with talk title and speakers, as many as the context budget holds
(counted with tiktoken). Every [n] in the reply is checked (answer/citations.py); what the
sources do not support is dropped. Anything unusable (server down, timeout, HTTP error,
empty reply, no supported citation) raises LLMError, and the assistant falls back to the
extractive answer with the reason.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable

import numpy as np

from recapqa.answer.citations import check
from recapqa.answer.extractive import ExtractiveAnswerer
from recapqa.errors import LLMError
from recapqa.models import Answer, Citation, Hit
from recapqa.retrieve import Retrieval
from recapqa.settings import Settings
from recapqa.tokens import count_tokens

CANNOT_ANSWER_REPLY = "I cannot answer from these notes."
SYSTEM_PROMPT = (
    "You answer questions about conference talks using only the numbered sources you are "
    "given. Answer in one to three short sentences. End every sentence with the number of the "
    "source that supports it in square brackets, like [1]. If the sources do not contain the "
    f"answer, reply exactly: {CANNOT_ANSWER_REPLY}"
)
_ABSTAINS = re.compile(
    r"cannot answer|can't answer|not (covered|mentioned|in the (notes|sources))|no information", re.I
)


def source_block(n: int, hit: Hit) -> str:
    speakers = ", ".join(hit.talk.speaker_names)
    head = f"[{n}] {hit.talk.title}" + (f" ({speakers})" if speakers else "")
    return f"{head}\n{hit.chunk.text}"


def fit_sources(hits: list[Hit], question: str, budget: int) -> list[Hit]:
    """As many hits, in rank order, as fit the token budget left for sources."""
    used = count_tokens(SYSTEM_PROMPT) + count_tokens(question) + 32
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
    user = f"Sources:\n\n{sources}\n\nQuestion: {question}\nAnswer with [n] citations:"
    return [{"role": "system", "content": SYSTEM_PROMPT}, {"role": "user", "content": user}]


class LLMAnswerer:
    def __init__(
        self, settings: Settings, extractive: ExtractiveAnswerer, embed: Callable[[str], np.ndarray] | None
    ) -> None:
        from openai import OpenAI

        self.settings = settings
        self.extractive = extractive
        self.index = extractive.index
        self.embed = embed
        self.client = OpenAI(
            base_url=settings.llm_base_url,
            api_key=settings.llm_api_key or "not-needed",
            timeout=settings.llm_timeout,
            max_retries=0,
        )

    def complete(self, messages: list[dict[str, str]]) -> str:
        import openai

        base = self.settings.llm_base_url
        try:
            response = self.client.chat.completions.create(
                model=self.settings.llm_model,
                messages=messages,  # type: ignore[arg-type]
                max_tokens=self.settings.llm_max_tokens,
                temperature=self.settings.llm_temperature,
            )
        except openai.APITimeoutError as exc:
            raise LLMError(
                f"the LLM at {base} did not answer within {self.settings.llm_timeout:g}s",
                "raise RECAPQA_LLM_TIMEOUT or check the server",
            ) from exc
        except openai.APIConnectionError as exc:
            raise LLMError(f"cannot reach the LLM at {base}", "start the server or fix RECAPQA_LLM_BASE_URL") from exc
        except openai.APIStatusError as exc:
            raise LLMError(
                f"the LLM at {base} answered HTTP {exc.status_code}", "check the model name and key"
            ) from exc
        except openai.OpenAIError as exc:
            raise LLMError(f"the LLM call failed: {exc}", "check the LLM server") from exc
        content = response.choices[0].message.content if response.choices else None
        if not content or not content.strip():
            raise LLMError("the LLM returned an empty reply", "check the model")
        return content

    def answer(self, retrieval: Retrieval) -> Answer:
        started = time.perf_counter()
        budget = self.settings.llm_context_tokens - self.settings.llm_max_tokens
        hits = fit_sources(retrieval.hits, retrieval.question, budget)
        reply = self.complete(build_messages(retrieval.question, hits))
        if _ABSTAINS.search(reply) and "[" not in reply:
            answer = self.extractive.abstain(retrieval, started)
            answer.mode = "llm"
            return answer
        per_source = [
            [(row, self.index.sentences[row].text) for row in self.index.chunk_sentences[self._row(h)]] for h in hits
        ]
        claims = check(reply, per_source, self.index.sentence_vectors, self.embed)
        if not claims:
            raise LLMError("the LLM answer had no citation the sources support", "")
        citations: list[Citation] = []
        sentences = []
        for claim in claims:
            numbers = []
            for number, row, score in claim.sources:
                citation = self._citation(hits[number - 1], row, score)
                if citation.quote not in [c.quote for c in citations]:
                    citations.append(citation)
                numbers.append(1 + [c.quote for c in citations].index(citation.quote))
            sentences.append(claim.text + " " + "".join(f"[{n}]" for n in sorted(set(numbers))))
        return Answer(
            question=retrieval.question,
            answer=" ".join(sentences),
            abstained=False,
            mode="llm",
            citations=citations,
            timings_ms={"answer": (time.perf_counter() - started) * 1e3},
        )

    def _row(self, hit: Hit) -> int:
        return self.extractive._chunk_rows[hit.chunk.chunk_id]

    def _citation(self, hit: Hit, row: int, score: float) -> Citation:
        sentence = self.index.sentences[row]
        return Citation(
            hit.chunk.chunk_id,
            hit.talk,
            sentence.source,
            sentence.span.start_line,
            sentence.span.end_line,
            sentence.text,
            score,
        )
