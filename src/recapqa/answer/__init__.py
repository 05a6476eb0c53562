"""Answerers turn retrieved passages into an `Answer`. One protocol, one module a backend."""

from __future__ import annotations

from typing import Protocol

from recapqa.models import CANNOT_ANSWER, Answer
from recapqa.retrieve import Retrieval

__all__ = ["CANNOT_ANSWER", "Answerer"]


class Answerer(Protocol):
    def answer(self, retrieval: Retrieval) -> Answer: ...
