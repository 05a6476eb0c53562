"""A name the question abbreviates ('OTel', 'OPA') matches its spelled-out form in the notes
('OpenTelemetry', 'Open Policy Agent'): each capital of the abbreviation opens a word or a
camel-case part, in order, and its lower-case letters begin that part."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable

from recapqa.text import WORD, squash, words

_PART = re.compile(r"[A-Z][a-z]*")


def expansion_pattern(token: str) -> re.Pattern[str] | None:
    """What `token` abbreviates, as a pattern; None when it is not an abbreviation (one part,
    lower-case letters before its first capital, or under three letters)."""
    parts = _PART.findall(token)
    if len(token) < 3 or len(parts) < 2 or "".join(parts) != token:
        return None
    body = r"[\s-]*".join(_opening(part) for part in parts)
    return re.compile(rf"\b{body}\b")


def name_forms(
    question: str, names: frozenset[str], texts: Iterable[str], spelled_in: Callable[[], Iterable[str]] = tuple
) -> tuple[tuple[str, frozenset[str]], ...]:
    """Each name the question gives (lower case) with its squashed forms: itself and what it
    abbreviates in `texts`. A name the question writes in lower case ('otel') abbreviates what
    its spellings in `texts` and `spelled_in()` ('OTel') abbreviate: people type names in lower case."""
    texts = list(texts)
    spelled: list[str] = []
    patterns: dict[str, list[re.Pattern[str]]] = {}
    for token, name in zip(WORD.findall(question), words(question), strict=True):
        if name not in names:
            continue
        token = re.sub(r"['’]s$", "", token)
        if token.islower() and not spelled:
            spelled = [*texts, *spelled_in()]
        spellings = _spellings(token, spelled) if token.islower() else {token}
        found_patterns = [p for p in map(expansion_pattern, sorted(spellings)) if p is not None]
        if found_patterns:
            patterns[name] = found_patterns
    found: dict[str, set[str]] = {name: {squash(name)} for name in names}
    for text in texts if patterns else ():
        for name, pattern_list in patterns.items():
            found[name].update(squash(m.group(0)) for pattern in pattern_list for m in pattern.finditer(text))
    return tuple(sorted((name, frozenset(forms)) for name, forms in found.items()))


def _spellings(token: str, texts: list[str]) -> set[str]:
    """How `texts` write the word `token` (in any case)."""
    word = re.compile(rf"(?<![\w-]){re.escape(token)}(?![\w-])", re.I)
    return {m.group(0) for text in texts for m in word.finditer(text)}


def _opening(part: str) -> str:
    """A word or camel-case part that `part` begins: its capital as written, the rest in any case."""
    rest = f"(?i:{re.escape(part[1:])})" if len(part) > 1 else ""
    return f"{re.escape(part[0])}{rest}[a-z]*"
