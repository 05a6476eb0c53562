"""What the assistant needs of an answerer: a retrieval in, a cited answer out.

Two backends, one module each, chosen per question by the answer mode (`RECAPQA_MODE`,
`--mode`): `extractive.ExtractiveAnswerer` (quotes the notes; the default, never calls out)
and `llm.LLMAnswerer` (an OpenAI-compatible server; its claims are checked against the
sources). An answerer that cannot answer raises `LLMError` (or another `RecapqaError`); the
assistant then falls back to the extractive answer and says why (`fallback_reason`).
"""

from __future__ import annotations

from typing import Protocol

from recapqa.models import Answer
from recapqa.retrieve import Retrieval


class Answerer(Protocol):
    def answer(self, retrieval: Retrieval) -> Answer:
        """The answer to `retrieval.question` from `retrieval.hits`, every quote cited; an
        abstention (`Answer.abstained`) when the notes do not say."""
        ...
