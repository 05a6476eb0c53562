"""A name the question abbreviates ('OTel', 'OPA') matches its spelled-out form in the notes
('OpenTelemetry', 'Open Policy Agent'): each capital of the abbreviation opens a word or a
camel-case part, in order, and its lower-case letters begin that part."""

from __future__ import annotations

import re
from collections.abc import Iterable

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


def name_forms(question: str, names: frozenset[str], texts: Iterable[str]) -> tuple[tuple[str, frozenset[str]], ...]:
    """Each name the question gives (lower case) with its squashed forms: itself and what it
    abbreviates in `texts`."""
    patterns = {}
    for token, name in zip(WORD.findall(question), words(question), strict=True):
        pattern = expansion_pattern(re.sub(r"['’]s$", "", token)) if name in names else None
        if pattern is not None:
            patterns[name] = pattern
    found: dict[str, set[str]] = {name: {squash(name)} for name in names}
    for text in texts if patterns else ():
        for name, pattern in patterns.items():
            found[name].update(squash(m.group(0)) for m in pattern.finditer(text))
    return tuple(sorted((name, frozenset(forms)) for name, forms in found.items()))


def _opening(part: str) -> str:
    """A word or camel-case part that `part` begins: its capital as written, the rest in any case."""
    rest = f"(?i:{re.escape(part[1:])})" if len(part) > 1 else ""
    return f"{re.escape(part[0])}{rest}[a-z]*"
