"""What a heading line says: title, trailing (Company), general-section names, slugs."""

from __future__ import annotations

import re
import unicodedata

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
_COMPANY_RE = re.compile(r"^(.*\S)\s*\(([A-Z0-9][^()]{0,60})\)\s*$")


def is_general_heading(text: str) -> bool:
    return text.strip().rstrip(":").strip().lower() in GENERAL_HEADINGS


def split_company(heading: str) -> tuple[str, str | None]:
    """'Journey of the AI platform at Uber (Uber)' -> ('Journey of ... Uber', 'Uber')."""
    match = _COMPANY_RE.match(heading.strip())
    if match and len(match.group(2).split()) <= 5:
        return match.group(1).strip(), match.group(2).strip()
    return heading.strip(), None


def slugify(text: str, max_len: int = 64) -> str:
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")
    return slug[:max_len].rstrip("-") or "section"
