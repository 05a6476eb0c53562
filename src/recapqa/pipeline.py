"""The assistant: question -> retrieval -> answer, with timings and the fallback policy.
CLI, API and eval all call `Assistant.ask`; none of them retrieves or answers by itself."""

from __future__ import annotations

import logging
import re
import threading
import time
import unicodedata
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Literal

import numpy as np

from recapqa.answer.compound import answer_parts, split_compound
from recapqa.answer.extractive import ExtractiveAnswerer
from recapqa.answer.interface import Answerer
from recapqa.embed import Embedder, default_embedder, precision_embedder
from recapqa.embed.query_cache import QueryCache
from recapqa.errors import InvalidQuestionError, LLMError, LLMNotConfiguredError, QuestionTooLongError
from recapqa.models import Answer
from recapqa.retrieve import Filters, Retrieval, Retriever
from recapqa.settings import AnswerMode, Settings
from recapqa.store import Index, corpus_words
from recapqa.store.build import ensure_index
from recapqa.talk_mentions import TalkMatcher

if TYPE_CHECKING:
    from recapqa.answer.llm import LLMAnswerer

log = logging.getLogger(__name__)


# a terminal's escape sequence (colours, cursor moves, titles) pasted with a question: said
# as a whole, not left behind as '[31m' once its ESC is a space
_TERMINAL_ESCAPE = re.compile(r"\x1b(?:\[[0-?]*[ -/]*[@-~]|\][^\x07\x1b]*(?:\x07|\x1b\\)?|[@-Z\\-_])")


def clean_question(question: str, max_chars: int) -> str:
    """Terminal escape sequences go, other control characters become spaces; empty and
    oversized questions are refused."""
    if not isinstance(question, str):
        raise InvalidQuestionError("the question must be text", "pass the question as a string")
    text = "".join(" " if unicodedata.category(ch)[0] == "C" else ch for ch in _TERMINAL_ESCAPE.sub("", question))
    text = " ".join(text.split())
    if len(text) > max_chars:
        raise QuestionTooLongError(
            f"the question is {len(text)} characters; the limit is {max_chars}",
            "ask a shorter question (or raise RECAPQA_MAX_QUESTION_CHARS)",
        )
    if not any(ch.isalnum() for ch in text):
        raise InvalidQuestionError(
            "the question has no words" if text else "the question is empty",
            'ask a question in words, e.g. "Who gave the keynote?" or "Summarize the talk on testing"',
        )
    return text


def query_embedder(
    index_dir: Path, notify: Callable[[str], None] | None = None, threads: int = 0, precision: str = "fp32"
) -> Callable[[], Embedder]:
    """The index's ONNX query encoder of `precision` (the index's, from its manifest: never
    the setting's) when the index has one (no torch import), else the slow path of the same
    precision (`precision_embedder`)."""
    from recapqa.embed.onnx_encoder import EncoderUnavailable, OnnxQueryEncoder

    try:
        encoder = OnnxQueryEncoder(index_dir, threads, precision)
    except EncoderUnavailable as exc:
        hint = " (run `recapqa index --rebuild` to add it)" if exc.rebuild else ""
        (notify or log.warning)(f"{exc}; using the slower query path{hint}")
        return precision_embedder(precision)
    return lambda: encoder


class Assistant:
    def __init__(self, index: Index, settings: Settings, embedder: Callable[[], Embedder] | None = None) -> None:
        """`embedder`: the queries' (by default the slow path of the index's precision: its
        vectors', whatever RECAPQA_EMBED_PRECISION says)."""
        self.index = index
        self.settings = settings
        # the retriever and the LLM answerer get the cache's method, not this object's:
        # no reference cycle, so a replaced assistant is freed at once (server reloads)
        self.queries = QueryCache(embedder or precision_embedder(index.precision), settings.query_cache_size)
        # what needs the whole corpus is stored with the index; the rest is made per question
        words = corpus_words.load(index)
        matcher = TalkMatcher(index.talks.values(), common=words.common_aliases, ordinary=words.ordinary_aliases)
        self.retriever = Retriever(index, self.queries.embed, settings, matcher)
        self.extractive = ExtractiveAnswerer(index, settings, embed=self.queries.embed, words=words)
        self._llm: LLMAnswerer | None = None

    @classmethod
    def open(
        cls,
        settings: Settings,
        corpus_dir: Path | None = None,
        index_dir: Path | None = None,
        notify: Callable[[str], None] | None = None,
    ) -> Assistant:
        """Load the index, refreshing it first if the corpus changed since it was built (when
        the disk refuses the refresh, the index as last built answers, with a warning)."""
        corpus = corpus_dir or settings.corpus_dir
        index_dir = index_dir or settings.index_dir
        index = ensure_index(corpus, index_dir, settings, default_embedder, notify, stale_ok=True)
        return cls(index, settings, query_embedder(index_dir, notify, settings.encoder_threads, index.precision))

    def warm(self) -> None:
        """Load the query encoder now, so the first question does not pay for it."""
        self.embed_query("warm up")

    def embed_query(self, text: str) -> np.ndarray:
        """Query vectors are cached (LRU): people ask the same questions again."""
        return self.queries.embed(text)

    @property
    def llm(self) -> LLMAnswerer:
        """Created on first use: the openai client is not imported on the extractive path."""
        if self._llm is None:
            from recapqa.answer.llm import LLMAnswerer

            self._llm = LLMAnswerer(self.settings, self.extractive, self.queries.embed)
        return self._llm

    def answerer(self, mode: Literal["extractive", "llm"]) -> Answerer:
        """The answerer of a mode (answer/interface.py)."""
        return self.extractive if mode == "extractive" else self.llm

    def ask(
        self,
        question: str,
        mode: AnswerMode | None = None,
        k: int | None = None,
        filters: Filters | None = None,
    ) -> tuple[Answer, Retrieval]:
        started = time.perf_counter()
        question = clean_question(question, self.settings.max_question_chars)
        parts = split_compound(question)
        retrieval = self.retriever.retrieve(parts[0], k=k, filters=filters)
        retrieved = time.perf_counter()
        if len(parts) > 1:  # answered part by part, each part cited
            first = self._answer(retrieval, mode or self.settings.mode)
            later = {
                p: self._answer(self.retriever.retrieve(p, k=k, filters=filters), mode or self.settings.mode)
                for p in parts[1:]
            }
            answer = answer_parts(question, parts, lambda p: first if p == parts[0] else later[p])
        else:
            answer = self._answer(retrieval, mode or self.settings.mode)
        done = time.perf_counter()
        answer.timings_ms = {
            "retrieve": (retrieved - started) * 1e3,
            "answer": (done - retrieved) * 1e3,
            "total": (done - started) * 1e3,
        }
        return answer, retrieval

    def _answer(self, retrieval: Retrieval, mode: AnswerMode) -> Answer:
        if mode == "extractive" or (mode == "auto" and not self.settings.llm_configured):
            return self.answerer("extractive").answer(retrieval)
        if not self.settings.llm_configured:
            raise LLMNotConfiguredError(
                "mode 'llm' needs an LLM server, and none is configured",
                "set RECAPQA_LLM_BASE_URL (and RECAPQA_LLM_MODEL) or use --mode extractive",
            )
        slots = llm_slots(self.settings)
        wait = self.settings.llm_queue_seconds
        if not (slots.acquire(timeout=wait) if wait else slots.acquire(blocking=False)):
            busy = f"the LLM is busy ({self.settings.llm_max_concurrent} calls in flight)"
            return self._fallback(retrieval, LLMError(busy, "raise RECAPQA_LLM_MAX_CONCURRENT"))
        try:
            answer = self.answerer("llm").answer(retrieval)
        except LLMError as exc:
            return self._fallback(retrieval, exc)
        except Exception as exc:  # a bug must not cost the user the answer the notes give
            log.exception("LLM answer failed unexpectedly")
            return self._fallback(retrieval, LLMError(f"the LLM answer failed unexpectedly ({type(exc).__name__})"))
        finally:
            slots.release()
        doubt = self.llm.doubt(answer, retrieval) if mode == "auto" else None
        if doubt:  # `auto` prefers the extractive answer where the LLM's is not clearly supported
            reason = LLMError(doubt)
            reason.reply = answer.llm_reply
            return self._fallback(retrieval, reason)
        return answer

    def _fallback(self, retrieval: Retrieval, exc: LLMError) -> Answer:
        log.warning("LLM answer failed, falling back to extractive: %s", exc.message)
        answer = self.answerer("extractive").answer(retrieval)
        answer.fallback_reason = exc.message
        answer.llm_reply = exc.reply
        return answer


_SLOTS: dict[tuple[str | None, int], threading.BoundedSemaphore] = {}
_SLOTS_LOCK = threading.Lock()


def llm_slots(settings: Settings) -> threading.BoundedSemaphore:
    """One semaphore per LLM server and limit, shared by every Assistant of the process (a
    reload makes a new Assistant; calls still in flight on the old one keep counting)."""
    key = (settings.llm_base_url, settings.llm_max_concurrent)
    with _SLOTS_LOCK:
        if key not in _SLOTS:
            _SLOTS[key] = threading.BoundedSemaphore(settings.llm_max_concurrent)
        return _SLOTS[key]
