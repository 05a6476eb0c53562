"""Abbreviations and their spelled-out forms.

- `name_forms`: a name the question abbreviates ('SNet', 'ORE') matches its spelled-out form in
  the notes ('StreamNetwork', 'Open Rule Engine'): each capital of the abbreviation opens a word
  or a camel-case part, in order, and its lower-case letters begin that part;
- `spelled_out_agrees`: a claim that spells out an abbreviation ('WAL stands for Write Archive
  Log') spells it out as the notes do, where the notes spell it out next to it ('Write ahead log
  (WAL) entries go to the archive'): words whose initials spell it, made of the sentence's own
  words, are no support when the sentence spells it out with other words (support check,
  answer/support.py)."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable

from recapqa.text import WORD, squash, words

_PART = re.compile(r"[A-Z][a-z]*")
_ACRONYM = re.compile(r"\b([A-Z][A-Za-z]*[A-Z])s?\b")  # 'LSN', 'SaaS', 'MTTRs': two capitals or more
# words an abbreviation skips ('Department of Defense', 'Software as a Service')
_TOKEN = re.compile(r"[A-Za-z0-9][A-Za-z0-9'’]*")  # a word, hyphenated parts apart ('write-ahead')
_SKIPPED = frozenset(["of", "and", "for", "the", "a", "an", "as", "in", "on", "to", "by", "with", "&"])
# what joins an abbreviation to its spelled-out form: "write ahead log (WAL)", "WAL: write ahead
# log", "WAL - write ahead log", "WAL stands for (is) write ahead log"
_JOINT = re.compile(
    r"\s*[(\[:=,–—-]\s*|\s+(?:(?:which |that )?(?:stands|standing) for|is short for|short for|means|is|refers to)\s+",
    re.I,
)


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
    abbreviates in `texts`. A name the question writes in lower case ('snet') abbreviates what
    its spellings in `texts` and `spelled_in()` ('SNet') abbreviate: people type names in lower case."""
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


def spelled_out_agrees(claim: str, said: str) -> bool:
    """Every abbreviation the claim spells out, `said` (a sentence of the notes) spells out the
    same way when it spells it out at all ('Write ahead log (WAL)', 'WAL: write ahead log', 'WAL
    stands for ...'); a sentence that does not is left to the other rules."""
    for abbreviation in {m.group(1) for m in _ACRONYM.finditer(claim)}:
        mine = spellings(claim, abbreviation)
        theirs = spellings(said, abbreviation) if mine else set()
        if theirs and not mine <= theirs:
            return False
    return True


def spellings(text: str, abbreviation: str) -> set[str]:
    """What `text` spells `abbreviation` out as (squashed): runs of words whose initials, skipped
    words aside, are its capitals, joined to it by a parenthesis, a colon or dash, or 'stands for'."""
    letters = [c.lower() for c in abbreviation if c.isupper()]
    tokens = list(_TOKEN.finditer(text))
    places = [m for m in tokens if re.sub(r"s$", "", m.group(0)) == abbreviation]
    out = set()
    for start in range(len(tokens)):
        n, matched = start, 0
        while n < len(tokens) and matched < len(letters) and tokens[n] not in places:
            word = tokens[n].group(0).lower()
            if word[0] == letters[matched]:
                matched += 1
            elif not (matched and word in _SKIPPED):
                break
            n += 1
        if matched < len(letters):
            continue
        first, last = tokens[start].start(), tokens[n - 1].end()
        if any(_JOINT.fullmatch(text[last : p.start()]) or _JOINT.fullmatch(text[p.end() : first]) for p in places):
            out.add(squash(text[first:last]))
    return out
