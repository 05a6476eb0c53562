"""Query vectors, cached (LRU): people ask the same questions again.

The cache holds the embedder, not the assistant that uses it. The retriever and the LLM
answerer call `QueryCache.embed` directly, so no reference cycle runs through them back to
the assistant, and a replaced assistant (a server reload) is freed as soon as the last
request using it finishes, without waiting for the cyclic garbage collector."""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable

import numpy as np

from recapqa.embed import Embedder


class QueryCache:
    def __init__(self, embedder: Callable[[], Embedder], size: int) -> None:
        self._embedder = embedder
        self._size = size
        self._vectors: OrderedDict[str, np.ndarray] = OrderedDict()
        self._lock = threading.Lock()

    def embed(self, text: str) -> np.ndarray:
        with self._lock:
            cached = self._vectors.get(text)
            if cached is not None:
                self._vectors.move_to_end(text)
                return cached
        vector = self._embedder().embed([text])[0]
        if self._size:
            with self._lock:
                self._vectors[text] = vector
                while len(self._vectors) > self._size:
                    self._vectors.popitem(last=False)
        return vector

    def __len__(self) -> int:
        return len(self._vectors)
