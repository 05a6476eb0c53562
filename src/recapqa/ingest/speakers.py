"""Speaker extraction from the lines that open a talk.

Handles `Speaker: Name, role`, `Speakers:` followed by a list, panels "moderated by X",
and a sentence that names people without a label ("a discussion between A, CEO of X, and B").
"""

from __future__ import annotations

import re

from recapqa.ingest.talkline import (
    CJK_NAME,
    INVISIBLE,
    UPPER,
    is_name,
    parse_person,
    parse_speaker_list,
    parse_talk_line,
    plain,
    prose_speakers,
)
from recapqa.models import Speaker

# lower-case letters after a name's capital: Latin with diacritics, Greek, Cyrillic
_LOWER = "a-zß-öø-ÿ\u0100-\u017f\u03ac-\u03ce\u0430-\u045f"
_NAME_TOKEN = rf"[{UPPER}][{_LOWER}'’-]+(?:-[{UPPER}][{_LOWER}'’]+)?"
_PARTICLE = r"(?:de|del|della|van|von|da|di|la|le|du|bin|al)"
_TITLE = r"(?:(?:Dr|Prof|Mr|Ms|Mrs|Sir)\.?\s+)"
NAME_RE = re.compile(rf"{_TITLE}?{_NAME_TOKEN}(?:\s+(?:{_NAME_TOKEN}|{_PARTICLE}(?=\s+[A-Z]))){{1,3}}")
# a name after a label ('Speaker: ...'): also one written in Chinese, Japanese or Korean
_LABEL_NAME = rf"(?:{NAME_RE.pattern}|{CJK_NAME})"
_FULL_NAME = re.compile(rf"^{_LABEL_NAME}$")

LABEL_RE = re.compile(
    r"^\W*(speakers?|presenters?|panelists?|moderators?|hosts?)(?:\(s\))?\s*\**\s*:\s*\**\s*(.*)$",
    re.IGNORECASE,
)
MENTION_RE = re.compile(r"^\W*(disclaimer|note|context)\s*:\s*(.*)$", re.IGNORECASE)
LIST_ITEM_RE = re.compile(r"^\s*(?:\d+[.)]|[-*•])\s+(.*)$")
_MODERATED = re.compile(
    rf"moderated by\s+({NAME_RE.pattern})(?:\s+(?:from|at|of)\s+([A-Z][\w&.'’ -]*?))?"
    r"(?=\s+and\b|\s*[,.;:(]|\s*$)"
)
_MENTION_CUES = re.compile(r"\b(between|with|featuring|by|conversation|discussion|interview)\b")
# A relative clause opening a role ("who is currently the tech lead") and its article.
_WHO_IS = re.compile(r"^(?:who\s+(?:is|was|are|were)\s+(?:\w+ly\s+|now\s+)?)?(?:the\s+|an?\s+)?", re.I)


def looks_like_name(text: str) -> bool:
    return bool(_FULL_NAME.match(text.strip()))


def _clean_role(text: str, first_clause: bool) -> str | None:
    role = text.strip().strip("*").strip()
    if first_clause:
        role = re.split(r",\s|\s\(|;\s|\s[-–—]\s", role, maxsplit=1)[0]
        role = _WHO_IS.sub("", role, count=1)
    role = role.strip(" ,.;:*")
    return role or None


def _split_name_role(text: str, first_clause: bool) -> Speaker | None:
    """'Name, role' / 'Name (role)' / 'Name - role' / 'Name'."""
    text = text.strip().strip("*").strip()
    match = re.match(rf"^({_LABEL_NAME})(.*)$", text)
    if not match:
        return None
    rest = match.group(2).lstrip()
    if rest and rest[0] not in ",(-–—:":
        return None  # the name runs on into a sentence: not a speaker line
    if rest.startswith("("):
        rest = rest[1:].split(")")[0]
    return Speaker(match.group(1), _clean_role(rest.lstrip(",-–—: "), first_clause))


def _mentioned_people(sentence: str) -> list[Speaker]:
    """People named in a sentence such as 'a discussion between A co-founder of X and B'."""
    if not _MENTION_CUES.search(sentence):
        return []
    found = list(NAME_RE.finditer(sentence))
    people = []
    for i, match in enumerate(found):
        end = found[i + 1].start() if i + 1 < len(found) else len(sentence)
        role_text = sentence[match.end() : end]
        role_text = re.split(r",\s|\.\s|;\s", role_text, maxsplit=1)[0]
        role_text = re.sub(r"\s+and\s*$", "", role_text.strip(" ,"))
        people.append(Speaker(match.group(0), role_text.strip(" ,") or None))
    return people


def extract_speakers(lines: list[str], max_lines: int = 8) -> list[Speaker]:
    """Speakers from the first lines of a talk body (heading excluded)."""
    body = [INVISIBLE.sub("", line) for line in lines if line.strip()][:max_lines]
    for i, line in enumerate(body):
        label = LABEL_RE.match(line)
        if label:
            return _from_label(label.group(2).strip(), body[i + 1 :])
    for line in body[:3]:
        mention = MENTION_RE.match(line)
        if mention:
            return _mentioned_people(mention.group(2))
    return []


def _from_label(rest: str, following: list[str]) -> list[Speaker]:
    speakers: list[Speaker] = []
    rest = rest.strip("* ")
    moderated = _MODERATED.search(rest)
    if moderated:
        org = moderated.group(2)
        speakers.append(Speaker(moderated.group(1), f"moderator, {org}" if org else "moderator"))
    elif rest and not rest.endswith(":"):
        parts = [p.strip() for p in re.split(r";|,|\band\b|&", rest) if p.strip()]
        if len(parts) > 1 and all(looks_like_name(p) for p in parts):
            return [Speaker(p) for p in parts]
        several = parse_speaker_list(rest) if re.search(r"&|;|\band\b", rest) else []
        one = _split_name_role(rest, first_clause=True)
        if len(several) > 1:
            speakers.extend(several)
        elif one:
            speakers.append(one)
    for line in following:
        item = LIST_ITEM_RE.match(line)
        if not item:
            break
        speaker = _split_name_role(item.group(1), first_clause=False)
        if speaker:
            speakers.append(speaker)
    return speakers


_BY_LINE = re.compile(r"^\s*(?:[-*+•]\s+)?_?\*?\s*by\s+(.+?)\s*\*?_?\s*$", re.I)
_WORKS_FOR = re.compile(r"^\s*(?:[-*+•]\s+)?(?:works|working)\s+(?:for|at)\s+(.+?)\.?\s*$", re.I)
_BOLD_TITLE = re.compile(r"^\s*\*\*([^*]+)\*\*\s*[-–—:]?\s*(.+)$")
_NAME_ROLE_LINE = re.compile(r"^\s*([^-–—,]+?)\s+[-–—]\s+(.+)$")


def body_speakers(lines: list[str]) -> list[Speaker]:
    """Speakers named in the first lines under a talk's title, in any of the conventions:
    a Speaker(s): label, '* by Name' (and a nested 'Works for X'), '_by Name_', a bold
    '**Title** - Speaker (Company)' line, or one 'Name - Role, Company' line per speaker."""
    labelled = extract_speakers(lines)
    if labelled:
        return labelled
    for n, line in enumerate(lines[:4]):
        by = _BY_LINE.match(plain(line)) if not line.strip().lower().startswith(("notes", "raw")) else None
        if by:
            person = parse_person(by.group(1))
            people = parse_speaker_list(by.group(1)) or ([person] if person else [])
            works = _WORKS_FOR.match(lines[n + 1]) if n + 1 < len(lines) else None
            if works and len(people) == 1:
                people = [Speaker(people[0].name, people[0].role, works.group(1).strip())]
            return people
        bold = _BOLD_TITLE.match(line)
        if bold and n == 0:
            people = parse_talk_line(f"{bold.group(1)} - {bold.group(2)}").speakers
            if people:
                return people
    run: list[Speaker] = []
    for line in lines:
        match = _NAME_ROLE_LINE.match(line.strip())
        if match and is_name(match.group(1)):
            person = parse_person(f"{match.group(1)}, {match.group(2)}")
            if person:
                run.append(person)
                continue
        if run:
            break
    return run or prose_speakers(" ".join(lines[:3]))
