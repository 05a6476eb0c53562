"""Where talks begin in one document, decided from evidence, not from a fixed heading level.

A heading is evidence of a talk when it names a speaker (`Title - Speaker, Company`,
`Speaker's keynote: ...`, `Title (Speaker)`), starts with a session word (`Keynote:`), or
is followed by a speaker line (`**Speaker(s):**`, `* by Name`, `_by Name_`,
`Name - Role, Company`). The talk level is the heading level with the most such headings;
shallower headings group talks (their text becomes the talks' `track`) or, when nothing
is under them, are general sections; deeper headings are sub-sections of a talk. A file
whose only evidence is at its top (front-matter title, one titled heading with a speaker
line, a first line `CODE - Title`) is one talk. Lists whose items name talks and speakers
(`- Title — Speaker`) make each item a talk.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from recapqa.ingest.document import Document
from recapqa.ingest.first_names import first_name_line
from recapqa.ingest.headings import TALK_PREFIX_RE, event_of, is_general_heading
from recapqa.ingest.layout import Heading, Layout
from recapqa.ingest.list_talks import GROUPING, list_talks
from recapqa.ingest.prose_talks import prose_talks
from recapqa.ingest.sections import RawSection, trim
from recapqa.ingest.speakers import body_speakers
from recapqa.ingest.talkline import TalkLine, parse_speaker_list, parse_talk_line, plain
from recapqa.models import Speaker

# Fixed sub-sections of one talk: never the start of a talk.
SUBSECTION_NAMES = re.compile(
    r"^(key\s+)?(takeaways?|timestamps?|q\s*&\s*a|questions?([/ ].*)?|links?([/ ].*)?|resources?|notes?"
    r"|slides?|videos?|references?|further reading|abstract|bio(graphy)?|agenda|outline|details?)\W*$",
    re.I,
)
STUB = re.compile(r"^\(?\s*_?(missed|skipped|no notes|todo|tbd)\b", re.I)
# Parts of an event that are not sessions: meals, breaks, socials, booths, greetings.
NOT_SESSION = re.compile(
    r"^(intros?|welcome|thanks|thank you|lunch|lunch time|breakfast|dinner|coffee|break|party|"
    r"all attendee party|social|networking|booths?|expo|sponsors?|registration|meet the\b.*|"
    r"more|links|photos|pictures)\W*$",
    re.I,
)
SESSION_WORDS = re.compile(r"\b(keynote|talk|panel|workshop|presentation|session|fireside)\b", re.I)
CODE_TITLE = re.compile(r"^([A-Z]{2,6}\d{2,4}(?:-[A-Z]\d+)?)\s+[-–—:]\s+(\S.*)$")


@dataclass
class Talkish:
    heading: Heading
    line: TalkLine
    evidence: bool
    body_people: list[Speaker] = field(default_factory=list)


def _body_lines(doc: Document, start: int, stop: int, limit: int = 8) -> list[str]:
    out = []
    for i in range(start, min(stop, len(doc.lines))):
        if doc.is_content(i) and i not in doc.heading_lines:
            out.append(doc.lines[i])
            if len(out) >= limit:
                break
    return out


def _assess(doc: Document, headings: list[Heading], n: int) -> Talkish:
    heading = headings[n]
    stop = headings[n + 1].line if n + 1 < len(headings) else len(doc.lines)
    people = body_speakers(_body_lines(doc, heading.line + 1, stop))
    line = parse_talk_line(heading.text, others_named=bool(people))
    text = plain(heading.text)
    if GROUPING.match(text) or is_general_heading(text) or _subsection(text, line):
        return Talkish(heading, line, False, people)
    evidence = bool(line.speakers or people or TALK_PREFIX_RE.match(text) or SESSION_WORDS.search(text))
    return Talkish(heading, line, evidence, people)


def _subsection(text: str, line: TalkLine) -> bool:
    """A fixed sub-section of a talk ('Links', 'Questions / answers'): its name, and no
    speaker in the heading ('Links talk - Bob Ray, Umbrella' is a talk of its own)."""
    return bool(SUBSECTION_NAMES.match(text)) and not line.speakers


def _kind(doc: Document, text: str, first: int, last: int) -> str:
    clean = plain(text).strip()
    body = sum(doc.is_content(i) and i not in doc.heading_lines for i in range(first + 1, last + 1))
    if is_general_heading(clean) or NOT_SESSION.match(clean) or GROUPING.match(clean):
        return "section"
    return "section" if STUB.match(clean) and body <= 1 else "talk"


def _talk_section(doc: Document, t: Talkish, last: int, track: str | None) -> RawSection:
    first, last = trim(doc, t.heading.line, last)
    kind = _kind(doc, t.heading.text, first, last)
    line = t.line
    if kind == "talk" and not (t.body_people or line.speakers):
        line = first_name_line(doc, plain(t.heading.text), t.heading.line) or line
    speakers = t.body_people or line.speakers
    title = line.title if kind == "talk" else plain(t.heading.text).rstrip(":").strip()
    company = t.line.company if kind == "talk" else None
    section = RawSection(title, kind, first, last, company, speakers if kind == "talk" else [])  # type: ignore[arg-type]
    section.track = track
    section.note_taker = t.line.note_taker
    return section


def _one_talk(
    doc: Document, layout: Layout, headings: list[Heading], end: int, meta: dict[str, Any]
) -> list[RawSection] | None:
    """The whole file is one talk when its evidence is all at the top; one section when its
    title names an event."""
    start = next((i for i in range(layout.body_start, end + 1) if doc.is_content(i)), None)
    if start is None:
        return None
    first_line = plain(doc.lines[start])
    code = CODE_TITLE.match(first_line)
    top = headings[0] if headings and headings[0].line == start else None
    if top is not None and _kind(doc, top.text, top.line, top.line) == "section":
        return None
    people = _meta_speakers(layout.meta) or body_speakers(_body_lines(doc, start + 1, end + 1, limit=12))
    event = event_of(plain(top.text)) if top is not None and not (code or people) else None
    if top is not None and event:  # the event's own page (where, links, opening words, its talks)
        meta.setdefault("conference", event)
        return [RawSection(plain(top.text), "section", *trim(doc, start, end))]
    title = layout.meta.get("title")
    if code:
        title = code.group(2)
    elif top is not None:
        parsed = parse_talk_line(top.text, others_named=bool(people))
        people = people or parsed.speakers
        title = title or parsed.title
    if not title or not (people or code):
        return None
    first, last = trim(doc, start, end)
    section = RawSection(str(title).strip(), "talk", first, last, None, people)
    if code:
        section.code = code.group(1)
    return [section]


def _meta_speakers(meta: dict[str, Any]) -> list[Speaker]:
    """Front matter `speaker(s)`/`presenter(s)`: a string, a list of names, or of maps."""
    for key in ("speakers", "speaker", "presenters", "presenter"):
        value = meta.get(key)
        if isinstance(value, str) and value.strip():
            return parse_speaker_list(value) or [Speaker(value.strip())]
        if isinstance(value, list):
            people = []
            for item in value:
                if isinstance(item, dict) and item.get("name"):
                    people.append(Speaker(str(item["name"]), item.get("role"), item.get("company")))
                elif isinstance(item, str) and item.strip():
                    people.extend(parse_speaker_list(item) or [Speaker(item.strip())])
            return people
    return []


def segment(doc: Document, layout: Layout) -> tuple[list[RawSection], dict[str, Any]]:
    meta = dict(layout.meta)
    end = len(doc.lines) - 1
    headings = [h for h in layout.headings if h.line >= layout.body_start and doc.is_content(h.line)]
    assessed = [_assess(doc, headings, n) for n in range(len(headings))]
    scores: dict[int, int] = {}
    for t in assessed:
        scores[t.heading.level] = scores.get(t.heading.level, 0) + t.evidence
    best = max(scores.values(), default=0)
    sections: list[RawSection] | None = None
    if best < 2:
        sections = _one_talk(doc, layout, headings, end, meta)
        if sections and headings and headings[0].line == sections[0].first:
            meta["heading_title"] = plain(headings[0].text)
    if sections is None:
        if best >= 2:
            talk_level = min(level for level, score in scores.items() if score == best)
        else:
            talk_level = _fallback_level(headings)
        sections = _cut(doc, layout, assessed, talk_level, meta)
    result: list[RawSection] = []
    for section in sections:
        result.extend(list_talks(doc, layout, section))
    if not any(s.kind == "talk" for s in result):  # a post without talk headings may name talks in prose
        result = [part for section in result for part in prose_talks(doc, section)]
    return result, meta


def _fallback_level(headings: list[Heading]) -> int:
    """No evidence: the shallowest level, unless one heading opens the file at it."""
    if not headings:
        return 1
    levels = sorted({h.level for h in headings})
    top = [h for h in headings if h.level == levels[0]]
    if len(top) == 1 and top[0] is headings[0] and len(levels) > 1:
        return levels[1]
    return levels[0]


def _cut(doc: Document, layout: Layout, assessed: list[Talkish], level: int, meta: dict[str, Any]) -> list[RawSection]:
    sections: list[RawSection] = []
    tracks: dict[int, str] = {}  # level -> grouping text in force
    boundaries: list[tuple[Talkish, str | None]] = []
    headings = [t.heading for t in assessed]
    for n, t in enumerate(assessed):
        h = t.heading
        for lv in [lv for lv in tracks if lv >= h.level]:
            del tracks[lv]
        if h.level < level:
            below = next((x for x in headings[n + 1 :] if x.level <= h.level or x.level == level), None)
            has_children = below is not None and below.level == level
            if n == 0 and (sum(x.level == h.level for x in headings) == 1 or not has_children):
                meta.setdefault("title", plain(h.text))
                doc.drop(h.line, h.line, "document title")
                continue
            if has_children and not is_general_heading(plain(h.text)):
                tracks[h.level] = plain(h.text)
                doc.drop(h.line, h.line, "grouping heading")
                continue
            boundaries.append((t, "\0section"))  # above the talk level, nothing under it: not a talk
            continue
        if h.level > level:
            continue
        text = plain(h.text)
        if _subsection(text, t.line) and boundaries:
            continue
        boundaries.append((t, " / ".join(tracks[lv] for lv in sorted(tracks)) or None))
    body_start = layout.body_start
    first_boundary = boundaries[0][0].heading.line if boundaries else len(doc.lines)
    intro = [i for i in range(body_start, first_boundary) if doc.is_content(i) and i not in doc.heading_lines]
    if intro:
        first, last = trim(doc, intro[0], first_boundary - 1)
        sections.append(RawSection("Introduction", "section", first, last, has_heading=False))
    for k, (t, track) in enumerate(boundaries):
        stop = boundaries[k + 1][0].heading.line - 1 if k + 1 < len(boundaries) else len(doc.lines) - 1
        section = _talk_section(doc, t, stop, None if track == "\0section" else track)
        if track == "\0section":
            section.kind, section.speakers = "section", []
            section.title = plain(t.heading.text).rstrip(":").strip()
        sections.append(section)
    return sections
