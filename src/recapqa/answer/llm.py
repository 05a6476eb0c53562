"""LLM answerer: any OpenAI-compatible server (answer/llm_http.py), prompt in answer/prompt.py.

Sources go in numbered, with talk title and speakers, as many as the context budget holds.
The reply is read into claims (answer/claims.py, markup neutralised) and each is checked
against the source it cites (answer/citations.py); what the sources do not support is
dropped. Anything unusable (server down, deadline passed, HTTP error, malformed or empty
reply, no supported claim) raises LLMError, carrying the raw reply when there was one, and
the assistant falls back to the extractive answer with the reason.

Gist questions (summary, takeaways, themes...) go another way (answer/llm_gist.py): the
sources are the sentences the extractive gist answer selected, and every claim must be
cited and supported, else the whole reply is refused.
"""

from __future__ import annotations

import time
from collections.abc import Callable

import numpy as np

from recapqa.answer.citations import SupportChecker, Verdict
from recapqa.answer.extractive import ExtractiveAnswerer
from recapqa.answer.header import HEADER_ROW, header_text
from recapqa.answer.llm_gist import answer_gist, gist_doubt, llm_answer, markers, selected_gist
from recapqa.answer.llm_http import chat_completion
from recapqa.answer.prompt import CANNOT_ANSWER_REPLY, build_messages, fit_sources, is_abstention
from recapqa.errors import LLMError
from recapqa.models import Answer, Citation, Hit
from recapqa.retrieve import Retrieval
from recapqa.settings import Settings
from recapqa.tokens import count_tokens

__all__ = ["CANNOT_ANSWER_REPLY", "LLMAnswerer", "build_messages", "fit_sources"]

# A reply may be this many times RECAPQA_LLM_MAX_TOKENS long (counted by our tokenizer, not the
# model's) before it is refused: a server that ignores max_tokens can send thousands of claims,
# and checking each one against the sources would hold an LLM slot (and a core) for minutes.
REPLY_TOKEN_SLACK = 2


class LLMAnswerer:
    def __init__(
        self, settings: Settings, extractive: ExtractiveAnswerer, embed: Callable[[str], np.ndarray] | None
    ) -> None:
        self.settings = settings
        self.extractive = extractive
        self.index = extractive.index
        self.checker = SupportChecker(extractive, embed)

    def complete(self, messages: list[dict[str, str]]) -> str:
        if not self.settings.llm_base_url:
            raise LLMError("no LLM server is configured", "set RECAPQA_LLM_BASE_URL")
        payload = {
            "model": self.settings.llm_model,
            "messages": messages,
            "max_tokens": self.settings.llm_max_tokens,
            "temperature": self.settings.llm_temperature,
            "stream": False,
        }
        reply = chat_completion(
            self.settings.llm_base_url, self.settings.llm_api_key, payload, self.settings.llm_timeout
        )
        limit = REPLY_TOKEN_SLACK * self.settings.llm_max_tokens
        # no token is 32 characters long in prose: skip counting (slow on a huge run of letters)
        if len(reply) > 32 * limit or count_tokens(reply) > limit:
            error = LLMError(
                f"the LLM reply is over {limit} tokens, {REPLY_TOKEN_SLACK}x the "
                f"{self.settings.llm_max_tokens} asked for (RECAPQA_LLM_MAX_TOKENS): the server ignores max_tokens",
                "check the LLM server; a reply that long is not checked, claim by claim",
            )
            error.reply = reply
            raise error
        return reply

    def answer(self, retrieval: Retrieval) -> Answer:
        gist = selected_gist(self, retrieval)
        if gist is not None:
            return answer_gist(self, retrieval, gist)
        started = time.perf_counter()
        budget = self.settings.llm_context_tokens - self.settings.llm_max_tokens
        hits = fit_sources(retrieval.hits, retrieval.question, budget)
        reply = self.complete(build_messages(retrieval.question, hits))
        try:
            answer = self.from_reply(reply, retrieval, hits, started)
        except LLMError as exc:
            exc.reply = reply
            raise
        answer.llm_reply = reply
        return answer

    def from_reply(self, reply: str, retrieval: Retrieval, hits: list[Hit], started: float) -> Answer:
        """The answer a reply makes, or LLMError when nothing in it is supported."""
        if is_abstention(reply):
            answer = self.extractive.abstain(retrieval, started)
            answer.mode = "llm"
            return answer
        kept = [v for v in self.checker.check(reply, retrieval, hits) if v.kept]
        if not kept:
            raise LLMError("the LLM answer had no citation the sources support", "")
        return self._answer(retrieval.question, kept, hits, started)

    def doubt(self, answer: Answer, retrieval: Retrieval) -> str | None:
        """Why `auto` should prefer the extractive answer over this LLM answer, or None.

        Measured on the dev split (eval/llm/README.md), a small model's answer that passes the
        check is still worse than the extractive one more often than better when it rests on
        another sentence than the one the extractive answerer ranks first; so `auto` keeps an
        LLM answer only when it cites that sentence, or when both decline. Gist answers:
        llm_gist.gist_doubt."""
        gist = selected_gist(self, retrieval)
        if gist is not None:
            return gist_doubt(answer, gist)
        extractive = self.extractive.answer(retrieval)
        if answer.abstained:
            return None if extractive.abstained else "the LLM declined, but the notes answer it"
        if extractive.abstained:
            return "the LLM answer is not clearly supported: no sentence of the notes answers confidently"
        if extractive.citations[0].quote not in {c.quote for c in answer.citations}:
            return "the LLM answer is not clearly supported: it does not rest on the best sentence of the notes"
        return None

    def _answer(self, question: str, kept: list[Verdict], hits: list[Hit], started: float) -> Answer:
        citations: list[Citation] = []
        sentences = []
        for verdict in kept:
            found = [self._citation(hits[number - 1], row, score) for number, row, score in verdict.sources]
            body, stop = (verdict.text[:-1], verdict.text[-1]) if verdict.text[-1] in ".!?" else (verdict.text, "")
            sentences.append(f"{body} {markers(citations, found)}{stop}")
        return llm_answer(question, " ".join(sentences), citations, started)

    def _citation(self, hit: Hit, row: int, score: float) -> Citation:
        if row == HEADER_ROW:  # the claim rests on the talk's header (answer/header.py): quote it
            line = hit.chunk.span.start_line
            return Citation(hit.chunk.chunk_id, hit.talk, hit.chunk.source, line, line, header_text(hit.talk), score)
        sentence = self.index.sentences[row]
        chunk = self.index.chunks[self.extractive.facts.sentences[row].chunk_row]  # a "Speaker:" line may be in another
        return Citation(
            chunk.chunk_id,
            self.index.talks[sentence.talk_id],
            sentence.source,
            sentence.span.start_line,
            sentence.span.end_line,
            sentence.text,
            score,
        )
