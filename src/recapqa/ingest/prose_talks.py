"""Talks a post without talk headings introduces in its prose.

    Let me pick one of the talks I keep thinking about. It is the "The Quiet Scheduler" by "Jane Doe".
    In my case the ["Queues for Stormline" by Jane Doe](video-link) I gave is online.

A paragraph that speaks of a talk and names one by a quoted title followed by `by` and a
person's name starts that talk; it runs until the next paragraph that speaks of talks (the
next talk, or the post back on the event as a whole: "There were many interesting talks")
or the end of the section it was found in. What comes before the first talk stays the
section it was; what comes back after a talk is that section's closing part.
"""

from __future__ import annotations

import re

from recapqa.ingest.document import Document
from recapqa.ingest.sections import RawSection, trim
from recapqa.ingest.talkline import PERSON_NAME, is_name, plain
from recapqa.models import Speaker

_QUOTED_BY = re.compile(rf"[\"“]([^\"“”]{{6,150}}?)[\"”]\s+by\s+[\"“]?({PERSON_NAME})")
_TALK_WORD = re.compile(r"\b(?:talks?|keynotes?|presentations?|sessions?)\b", re.I)


def _paragraphs(doc: Document, first: int, last: int) -> list[tuple[int, int]]:
    """Runs of consecutive content lines in [first, last]."""
    runs: list[tuple[int, int]] = []
    start = None
    for i in range(first, last + 1):
        inside = doc.is_content(i) and bool(doc.lines[i].strip())
        if inside and start is None:
            start = i
        if not inside and start is not None:
            runs.append((start, i - 1))
            start = None
    if start is not None:
        runs.append((start, last))
    return runs


def _person(words: str) -> str | None:
    """The longest name at the start of a run of capitalised words ('Jane Doe I' -> 'Jane Doe')."""
    tokens = words.split()
    for n in range(len(tokens), 1, -1):
        if is_name(" ".join(tokens[:n])):
            return " ".join(tokens[:n])
    return None


def introduced_talk(text: str) -> tuple[str, Speaker] | None:
    """The talk a paragraph introduces: its quoted title and its speaker."""
    text = plain(text)
    if not _TALK_WORD.search(text):
        return None
    for match in _QUOTED_BY.finditer(text):
        name = _person(match.group(2))
        if name:
            return match.group(1).strip(), Speaker(name)
    return None


def prose_talks(doc: Document, section: RawSection) -> list[RawSection]:
    """The section cut at each paragraph that introduces a talk (itself when none does)."""
    marks: list[tuple[int, tuple[str, Speaker] | None]] = []  # (line, the talk it starts or None)
    for first, last in _paragraphs(doc, section.first, section.last):
        text = " ".join(doc.lines[first : last + 1])
        found = introduced_talk(text)
        if found or (marks and marks[-1][1] is not None and _TALK_WORD.search(plain(text))):
            marks.append((first, found))
    if not any(found for _, found in marks):
        return [section]
    out: list[RawSection] = []
    if any(doc.is_content(i) for i in range(section.first, marks[0][0])):
        first, last = trim(doc, section.first, marks[0][0] - 1)
        lead = RawSection(section.title, section.kind, first, last, has_heading=section.has_heading)
        lead.track = section.track
        out.append(lead)
    closing = "Conclusion" if section.title == "Introduction" else section.title
    for n, (line, found) in enumerate(marks):
        stop = marks[n + 1][0] - 1 if n + 1 < len(marks) else section.last
        first, last = trim(doc, line, stop)
        if found:
            part = RawSection(found[0], "talk", first, last, None, [found[1]], has_heading=False)
        else:
            part = RawSection(closing, section.kind, first, last, has_heading=False)
        part.track = section.track
        out.append(part)
    return out
