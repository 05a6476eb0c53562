"""Which talks a question names: by company, speaker (full, first or last name), the
organisations in speakers' roles, or a distinctive word of the title ("the recsys panel")."""

from __future__ import annotations

import re
from collections.abc import Iterable

from recapqa.models import Talk

_COMMON = {
    "the",
    "and",
    "for",
    "with",
    "from",
    "talk",
    "what",
    "how",
    "who",
    "ml",
    "ai",
    "mlops",
    "machine",
    "learning",
    "production",
    "system",
    "systems",
    "platform",
    "data",
    "model",
    "models",
    "building",
    "journey",
    "evolution",
    "other",
    "trends",
    "space",
    "challenges",
    "best",
    "practices",
    "real",
    "time",
    "environment",
    "strategy",
    "company",
    "world",
    "largest",
    "food",
    "solutions",
    "min",
    "chris",
    "mike",
    "ian",
    "ali",
    "del",
    "dr",
}
_ORG_IN_ROLE = re.compile(r"\b(?:at|from|of|@)\s+([A-Z][\w&'’]*(?:\s+[A-Z][\w&'’]*){0,3})")


def _norm(text: str) -> str:
    return re.sub(r"[^a-z0-9+]+", " ", text.lower()).strip()


def talk_aliases(talk: Talk) -> set[str]:
    aliases: set[str] = set()
    if talk.kind != "talk":
        return aliases
    for company in re.split(r"[/,&]", talk.company or ""):
        if company.strip():
            aliases.add(_norm(company))
            aliases.add(_norm(company).replace(" ", ""))
    for speaker in talk.speakers:
        name = re.sub(r"^(dr|prof|mr|ms|mrs)\.?\s+", "", speaker.name, flags=re.I)
        aliases.add(_norm(name))
        parts = _norm(name).split()
        aliases.update(p for p in parts if len(p) >= 4 and p not in _COMMON)
        aliases.add(" ".join(parts[1:]))  # "del balso"
        for org in _ORG_IN_ROLE.findall(speaker.role or ""):
            if org.lower() not in {"hello", "the"}:
                aliases.add(_norm(org))
                aliases.add(_norm(org).replace(" ", ""))
    title_words = set(_norm(talk.title).split()) - _COMMON
    aliases.update(w for w in title_words if len(w) >= 5 or w == "panel")
    return {a for a in aliases if a and a not in _COMMON}


class TalkMatcher:
    def __init__(self, talks: Iterable[Talk]) -> None:
        self._alias_to_talks: dict[str, set[str]] = {}
        for talk in talks:
            for alias in talk_aliases(talk):
                self._alias_to_talks.setdefault(alias, set()).add(talk.talk_id)
        # an alias shared by many talks (a common title word) names none of them
        self._alias_to_talks = {a: t for a, t in self._alias_to_talks.items() if len(t) <= 2}
        self._pattern = (
            re.compile(r"\b(" + "|".join(sorted(map(re.escape, self._alias_to_talks), key=len, reverse=True)) + r")\b")
            if self._alias_to_talks
            else None
        )

    def mentioned(self, question: str) -> set[str]:
        if self._pattern is None:
            return set()
        text = _norm(question)
        found: set[str] = set()
        for match in self._pattern.finditer(text):
            found |= self._alias_to_talks[match.group(1)]
        return found
