"""Settings of the LLM answers (answer/llm*.py) and of the support check of their claims
(answer/citations.py and the modules it calls): any OpenAI-compatible server, OPENAI_BASE_URL
and OPENAI_API_KEY honoured as fallbacks. Part of `recapqa.settings.Settings`, read from the
same RECAPQA_* environment variables."""

from __future__ import annotations

import os
from typing import Self

from pydantic import BaseModel, Field, model_validator


class LLMSettings(BaseModel):
    llm_base_url: str | None = None
    llm_api_key: str | None = None
    llm_model: str = "local"
    llm_timeout: float = Field(30.0, gt=0)
    llm_max_tokens: int = Field(256, ge=16)
    llm_context_tokens: int = Field(2048, ge=256)
    llm_temperature: float = 0.0
    llm_max_concurrent: int = Field(
        2,
        ge=1,
        description="LLM calls in flight at once per process; a question beyond that gets the extractive "
        "answer with fallback_reason set, so extractive requests always have capacity.",
    )
    llm_queue_seconds: float = Field(
        0.0, ge=0, description="How long a question may wait for a free LLM slot before falling back (0: not at all)."
    )
    llm_support_logit_gap: float = Field(
        1.6,
        ge=0,
        description="Support check (answer/citations.py): the sentence that supports an LLM claim must score, "
        "by the extractive answerer's own model, within this many log-odds of the best sentence shown (a true "
        "sentence of the right talk that is not the answer sits further down). Chosen on the dev split of "
        "eval/llm/checker_set.jsonl (supported claims kept at most 1.42 below the best, wrong ones from 1.86).",
    )

    llm_support_top: int = Field(
        2,
        ge=0,
        description="Support check (answer/relevance.py): the sentence that supports an LLM claim must be among "
        "this many eligible sentences the extractive answerer ranks first among those shown (or hang under one of "
        "them, or go on about one); 0: any within the logit gap. Chosen on the dev split of "
        "eval/llm/checker_set.jsonl (304 triples): 2 drops 1 of the 4 wrong claims 0 keeps and no right one; 3 "
        "changes nothing, 1 drops 3 right ones.",
    )

    llm_list_items: int = Field(
        6,
        ge=0,
        description="Support check (answer/list_lines.py): how many list items right below a line (not an "
        "item) hang under it: a claim may sum up the line with these items ('design goals: security, speed, "
        "scale'), and an item answers when the line it hangs under does. 0 turns both off.",
    )
    llm_names_max_speakers: int = Field(
        2,
        ge=1,
        description="Support check (answer/name_claims.py): for a who / which speakers question, a claim that "
        "only names the cited talk's speakers is supported by that talk's most relevant sentence when it names "
        "all of them and they are at most this many (a talk given by one or two people; a panel's members say "
        "different things, so naming them all does not say who said it).",
    )

    llm_header_share: float = Field(
        0.5,
        ge=0,
        le=1,
        description="Support check (answer/header.py): a cited talk's header (title, speakers, company) supports "
        "a claim when the question names that talk: every name of the question is in the header and the header "
        "holds at least this share of the question's content words. 0 turns the rule off.",
    )

    @model_validator(mode="after")
    def _openai_fallbacks(self) -> Self:
        if self.llm_base_url is None and os.environ.get("OPENAI_BASE_URL"):
            self.llm_base_url = os.environ["OPENAI_BASE_URL"]
        if self.llm_api_key is None and os.environ.get("OPENAI_API_KEY"):
            self.llm_api_key = os.environ["OPENAI_API_KEY"]
        return self

    @property
    def llm_configured(self) -> bool:
        return bool(self.llm_base_url)
