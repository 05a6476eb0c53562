"""BM25 over chunk texts with bm25s (English stop words, Snowball stemming). Equal scores rank
by row, so that results do not depend on how a top-k selection orders ties. A loaded index's
score matrix is memory-mapped (bm25s `mmap=True`: same scores, bit for bit), shared by every
`serve` worker; its files are watched for being cut short in place (recapqa/mapped.py)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np


def _stemmer() -> Any:
    import Stemmer

    return Stemmer.Stemmer("english")


def tokenize(texts: list[str]) -> list[list[str]]:
    import bm25s

    return bm25s.tokenize(texts, stopwords="en", stemmer=_stemmer(), return_ids=False, show_progress=False)


class LexicalIndex:
    def __init__(self, retriever: Any, size: int, watched: list[object] | None = None) -> None:
        self._retriever = retriever
        self._size = size
        self._watched = watched or []  # mappings kept for `mapped.check` while bm25s reads the files

    @classmethod
    def build(cls, texts: list[str]) -> LexicalIndex:
        import bm25s

        retriever = bm25s.BM25()
        retriever.index(tokenize(texts), show_progress=False)
        return cls(retriever, len(texts))

    def search(self, query: str, k: int) -> list[tuple[int, float]]:
        vocab = self._retriever.vocab_dict
        tokens = [t for t in tokenize([query])[0] if t in vocab]
        k = min(k, self._size)
        if not tokens or k <= 0:
            return []
        scores = np.asarray(self._retriever.get_scores(tokens))
        matched = np.flatnonzero(scores > 0)
        # best first, equal scores by row: the same order as the PostgreSQL store's
        rows = matched[np.lexsort((matched, -scores[matched]))][:k]
        return [(int(r), float(scores[r])) for r in rows]

    def save(self, directory: Path) -> None:
        self._retriever.save(str(directory), show_progress=False)

    @classmethod
    def load(cls, directory: Path, size: int) -> LexicalIndex:
        import bm25s

        from recapqa.mapped import watch

        retriever = bm25s.BM25.load(str(directory), show_progress=False, verbosity=0, mmap=True)
        return cls(retriever, size, [watch(path) for path in sorted(directory.glob("*.npy"))])
