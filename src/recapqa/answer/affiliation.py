"""Whether a sentence places the person a 'which company' question asks about at an
organisation: a capitalised word beside their name, as notes write affiliations ('Jane Roe,
CTO, Acme', 'Jane Roe (Acme)', 'Jane Roe - a staff engineer at Acme', "Acme's Jane Roe",
'Acme Engineer Jane Roe'), not any capitalised word of a sentence that names them ('"Aim high"
- Sam Poe in Jane Roe's keynote', 'Jane lists common DNS mistakes')."""

from __future__ import annotations

import re

from recapqa.ingest.wordlists import ROLE_WORDS
from recapqa.text import STOPWORDS

# A capitalised word that is not a sentence's first (a word opening a quotation is capitalised as
# one: '> "Small steps make long roads…"').
ORG_WORD = re.compile(r"(?<![\w*#>\"“-])(?<!^)(?<!\n)[A-Z][\w&'’.-]*[a-zA-Z]")
_OWNER = re.compile(r"\W*([A-Z][\w&.-]*)['’]s\s+")
# A link's target is not part of what the sentence says: '[_Jane Roe_](https://…) - of Acme'.
_LINK_TARGET = re.compile(r"\]\([^)\s]*\)|<?https?://[^\s)>]+>?")
# Lower-case words that may stand between a person and their organisation: those of a role
# ('a principal engineer at'), of belonging ('works for', 'member of the') and articles.
_BETWEEN = frozenset(
    {"a", "an", "the", "at", "from", "of", "for", "with", "and", "is", "was", "now", "currently", "formerly"}
    | {"works", "work", "working", "worked", "joined", "joins", "by"}
) | frozenset(ROLE_WORDS)


_QUOTED = re.compile(r'"[^"]*"|“[^”]*”')
_AT = frozenset({"at", "from", "for", "with", "of"})
_AT_REACH = 8  # words between a name and 'at <organisation>' in one clause ('leads the platform team at')


def _words(text: str) -> list[str]:
    return re.findall(r"[A-Za-z][\w&'’.-]*", text)


def _joins(between: str, before: bool) -> bool:
    """Does the text between a name and a capitalised word tie them as person and
    organisation? After the name: only capitalised words (a role, a team), role and belonging
    words and punctuation, or a few words ending in 'at', 'from', 'for', 'with' or 'of' ('leads
    the platform team at'); before it: capitalised words and role words only ("Acme's",
    'Acme Senior Engineer')."""
    found = _words(_QUOTED.sub(" ", between))  # a quoted title between them is one unit: 'Jane Roe, "Title", Acme'
    if not before and found and found[-1].lower() in _AT and len(found) <= _AT_REACH:
        return True
    for word in found:
        lowered = re.sub(r"['’]s$", "", word.lower())
        if word[0].isupper() or lowered in ROLE_WORDS or (not before and lowered in _BETWEEN):
            continue
        return False
    return True


def beside(text: str, names: frozenset[str]) -> bool:
    """Is there, beside a name the question gives (`names`, lower case), a capitalised word
    that is not one of them (an organisation the person belongs to)?"""
    text = _LINK_TARGET.sub("] ", text)
    spans = [m.span() for n in names for m in re.finditer(rf"(?<![a-z]){re.escape(n)}(?![a-z])", text, re.I)]
    owner = _OWNER.match(text)  # "Acme's Jane Roe …": a first word, capitalised anyway, owning the name
    if owner and owner.group(1).lower() not in names and any(start == owner.end() for start, _ in spans):
        return True
    for org in ORG_WORD.finditer(text):
        word = re.sub(r"['’]s$", "", org.group(0)).lower()
        if word in names or word in STOPWORDS:
            continue
        for start, end in spans:
            if org.start() >= end and _joins(text[end : org.start()], before=False):
                return True
            if org.end() <= start and _joins(text[org.end() : start], before=True):
                return True
    return False
