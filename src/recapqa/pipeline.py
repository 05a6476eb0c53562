"""The assistant: question -> retrieval -> answer, with timings and the fallback policy.
CLI, API and eval all call `Assistant.ask`; none of them retrieves or answers by itself."""

from __future__ import annotations

import logging
import threading
import time
import unicodedata
from collections import OrderedDict
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from recapqa.answer.extractive import ExtractiveAnswerer
from recapqa.embed import Embedder, default_embedder
from recapqa.errors import InvalidQuestionError, LLMError, LLMNotConfiguredError, QuestionTooLongError
from recapqa.models import Answer
from recapqa.retrieve import Filters, Retrieval, Retriever
from recapqa.settings import AnswerMode, Settings
from recapqa.store import Index
from recapqa.store.build import ensure_index

if TYPE_CHECKING:
    from recapqa.answer.llm import LLMAnswerer

log = logging.getLogger(__name__)


def clean_question(question: str, max_chars: int) -> str:
    """Control characters become spaces; empty and oversized questions are refused."""
    if not isinstance(question, str):
        raise InvalidQuestionError("the question must be text", "pass the question as a string")
    text = "".join(" " if unicodedata.category(ch)[0] == "C" else ch for ch in question)
    text = " ".join(text.split())
    if len(text) > max_chars:
        raise QuestionTooLongError(
            f"the question is {len(text)} characters; the limit is {max_chars}",
            "ask a shorter question (or raise RECAPQA_MAX_QUESTION_CHARS)",
        )
    if not any(ch.isalnum() for ch in text):
        raise InvalidQuestionError(
            "the question is empty", 'ask a question in words, e.g. "How many models does Uber run in production?"'
        )
    return text


def query_embedder(
    index_dir: Path, notify: Callable[[str], None] | None = None, threads: int = 0
) -> Callable[[], Embedder]:
    """The ONNX query encoder when the index has one (no torch import), else the slow path."""
    from recapqa.embed.onnx_encoder import EncoderUnavailable, OnnxQueryEncoder

    try:
        encoder = OnnxQueryEncoder(index_dir, threads)
    except EncoderUnavailable as exc:
        (notify or log.warning)(f"{exc}; using the slower query path (run `recapqa index --rebuild` to add it)")
        return default_embedder
    return lambda: encoder


class Assistant:
    def __init__(self, index: Index, settings: Settings, embedder: Callable[[], Embedder] = default_embedder) -> None:
        self.index = index
        self.settings = settings
        self._embedder = embedder
        self._query_cache: OrderedDict[str, np.ndarray] = OrderedDict()
        self._cache_lock = threading.Lock()
        self.retriever = Retriever(index, self.embed_query, settings)
        self.extractive = ExtractiveAnswerer(index, settings)
        self._llm: LLMAnswerer | None = None

    @classmethod
    def open(
        cls,
        settings: Settings,
        corpus_dir: Path | None = None,
        index_dir: Path | None = None,
        notify: Callable[[str], None] | None = None,
    ) -> Assistant:
        """Load the index, refreshing it first if the corpus changed since it was built."""
        corpus = corpus_dir or settings.corpus_dir
        index_dir = index_dir or settings.index_dir
        index = ensure_index(corpus, index_dir, settings, default_embedder, notify)
        return cls(index, settings, query_embedder(index_dir, notify, settings.encoder_threads))

    def warm(self) -> None:
        """Load the query encoder now, so the first question does not pay for it."""
        self.embed_query("warm up")

    def embed_query(self, text: str) -> np.ndarray:
        """Query vectors are cached (LRU): people ask the same questions again."""
        with self._cache_lock:
            cached = self._query_cache.get(text)
            if cached is not None:
                self._query_cache.move_to_end(text)
                return cached
        vector = self._embedder().embed([text])[0]
        if self.settings.query_cache_size:
            with self._cache_lock:
                self._query_cache[text] = vector
                while len(self._query_cache) > self.settings.query_cache_size:
                    self._query_cache.popitem(last=False)
        return vector

    @property
    def llm(self) -> LLMAnswerer:
        """Created on first use: the openai client is not imported on the extractive path."""
        if self._llm is None:
            from recapqa.answer.llm import LLMAnswerer

            self._llm = LLMAnswerer(self.settings, self.extractive, self.embed_query)
        return self._llm

    def ask(
        self,
        question: str,
        mode: AnswerMode | None = None,
        k: int | None = None,
        filters: Filters | None = None,
    ) -> tuple[Answer, Retrieval]:
        started = time.perf_counter()
        question = clean_question(question, self.settings.max_question_chars)
        retrieval = self.retriever.retrieve(question, k=k, filters=filters)
        retrieved = time.perf_counter()
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
            return self.extractive.answer(retrieval)
        if not self.settings.llm_configured:
            raise LLMNotConfiguredError(
                "mode 'llm' needs an LLM server, and none is configured",
                "set RECAPQA_LLM_BASE_URL (and RECAPQA_LLM_MODEL) or use --mode extractive",
            )
        try:
            return self.llm.answer(retrieval)
        except LLMError as exc:
            log.warning("LLM answer failed, falling back to extractive: %s", exc.message)
            answer = self.extractive.answer(retrieval)
            answer.fallback_reason = exc.message
            return answer
