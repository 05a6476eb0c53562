"""Talk headings that name their speaker by a first name only, as live notes do:

    ### Ilka - Mapping Drift model
    ### Marta (Fenwick labs) Packet Replay Engine
    ### Varga keynote
    ### (missed some of Tobin’s talk @tobinwrites )

One capitalised word could as well be a project ('Linkerd - what is new'); it is read as a
person only when the notes never use it again outside headings: a project a heading names is
what the notes under it talk about, a speaker's first name is said once.
"""

from __future__ import annotations

import re

from recapqa.ingest.document import Document
from recapqa.ingest.talkline import TalkLine, is_word_of_name
from recapqa.models import Speaker

_WORD = r"([A-Z][a-z]+)"
_HANDLE = r"(?:\s+@\w+)?"
# (pattern, group of the name, group of the title or None for the whole text, group of a company)
_SHAPES: tuple[tuple[re.Pattern[str], int, int | None, int | None], ...] = (
    (re.compile(rf"^{_WORD}\s+[-–—]\s+(\S.*\S)$"), 1, 2, None),  # 'Ilka - Mapping Drift model'
    (re.compile(rf"^{_WORD}\s+\(([^()]+)\)\s+(\S.*\S)$"), 1, 3, 2),  # 'Marta (Fenwick labs) Packet Replay Engine'
    (re.compile(rf"^{_WORD}\s+(?i:keynote|talk)$"), 1, None, None),  # 'Varga keynote'
    # '(missed some of Tobin’s talk)': the notes hold the rest of Tobin's talk
    (
        re.compile(
            rf"^\(\s*(?i:missed\s+(?:some|part|the (?:start|end|beginning))\s+of)\s+"
            rf"({_WORD}['’]s\s+(?i:talk|keynote){_HANDLE})\s*\)$"
        ),
        2,
        1,
        None,
    ),
)


def _said_again(doc: Document, word: str, heading_line: int) -> bool:
    """Do the notes use `word` outside this heading (in their text or another heading)?"""
    pattern = re.compile(rf"\b{re.escape(word)}\b", re.I)
    return any(pattern.search(line) for i, line in enumerate(doc.lines) if i != heading_line and doc.is_content(i))


def first_name_line(doc: Document, text: str, heading_line: int) -> TalkLine | None:
    """The title and the first-name speaker of a heading of one of these shapes, if any."""
    for pattern, name_group, title_group, company_group in _SHAPES:
        match = pattern.match(text.strip())
        if not match:
            continue
        name = match.group(name_group)
        if not is_word_of_name(name) or _said_again(doc, name, heading_line):
            return None
        title = match.group(title_group) if title_group else text.strip()
        company = match.group(company_group).strip() if company_group else None
        return TalkLine(title, [Speaker(name, None, company)])
    return None
