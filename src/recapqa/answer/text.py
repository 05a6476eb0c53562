"""Moved to `recapqa.text`; kept so existing imports keep working."""

from recapqa.text import GENERIC_NAMES, STOPWORDS, WORD, Idf, terms, words

__all__ = ["GENERIC_NAMES", "STOPWORDS", "WORD", "Idf", "terms", "words"]
