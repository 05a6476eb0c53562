"""What a heading line says: title, trailing (Company), general-section names, slugs."""

from __future__ import annotations

import re

from recapqa.text import fold

GENERAL_HEADINGS = {
    "introduction",
    "intro",
    "conclusion",
    "conclusions",
    "summary",
    "wrap-up",
    "wrap up",
    "closing thoughts",
    "final thoughts",
    "key takeaways",
    "takeaways",
    "overview",
    "general notes",
    "preamble",
    "outro",
    "closing remarks",
    "opening remarks",
    "about",
}
TALK_PREFIX_RE = re.compile(r"^(panel|keynote|talk|workshop|fireside chat|session|lightning talk|tutorial)\s*:", re.I)
# 'SomeConf Europe 2019 (The Big Tent)': an event's name and year, then its nickname or place
_EVENT_TITLE = re.compile(r"^(.*\S\s(?:19|20)\d{2})\s*\([^()]*\)$")
_COMPANY_RE = re.compile(r"^(.*\S)\s*\(([A-Z0-9][^()]{0,60})\)\s*$")


def is_general_heading(text: str) -> bool:
    return text.strip().rstrip(":").strip().lower() in GENERAL_HEADINGS


def event_of(heading: str) -> str | None:
    """The event a title like 'SomeConf 2019 (Lisbon)' names, the part in parentheses being
    its nickname or place, not a speaker as after a talk's title."""
    match = _EVENT_TITLE.match(heading.strip())
    return match.group(1) if match else None


def split_company(heading: str) -> tuple[str, str | None]:
    """'Journey of the data platform at Acme (Acme)' -> ('Journey of ... Acme', 'Acme')."""
    match = _COMPANY_RE.match(heading.strip())
    if match and len(match.group(2).split()) <= 5:
        return match.group(1).strip(), match.group(2).strip()
    return heading.strip(), None


def slugify(text: str, max_len: int = 64) -> str:
    """A talk id: lower-case words joined by '-'. A letter is written in ASCII when it has an
    ASCII form ('é' -> 'e') and kept as it is when it has none (Cyrillic, CJK, Arabic...), so
    a title in another script keeps its own words instead of becoming 'section'."""
    folded = fold(text, other="")
    slug = re.sub(r"[\W_]+", "-", folded.lower()).strip("-")
    return slug[:max_len].rstrip("-") or "section"
