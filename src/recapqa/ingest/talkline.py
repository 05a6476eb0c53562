"""A line that names a talk: its title, its speakers (each with role and company) and
what else it carries (status prefixes, skill levels, handles, note takers).

Conventions served (see ../shared/corpora/FORMATS.md for examples of each):
- `Title - Speaker, Role, Company` with `-`, `–`, `—` or `|` as separator; the separator
  chosen is the one whose right side starts with a person's name, so dashes inside a title
  or a role do not split it;
- several speakers joined by `;`, `&`, `and` or commas, each with their own role/company,
  and a company written once after the last name shared by the names before it;
- `Speaker's keynote: Title`, `Speaker - Role, Company` (speaker first), `Title (Speaker)`,
  `_by Name_`, `by Name`, `Title: Speaker` in a list;
- `(report by X)`, `notes by X`, `Presented by X` name people who are not speakers.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from recapqa.ingest.wordlists import CORPORATE_SUFFIXES, NOT_NAME_WORDS, ORG_WORDS, ROLE_WORDS
from recapqa.models import Speaker
from recapqa.text import CJK_LETTERS, KANA

# capitals that open a name's word: Latin with diacritics, Greek, Cyrillic
UPPER = "A-ZÀ-ÖØ-ÞĀĂĄĆČĎĐĒĘĚĞĪİŁŃŇŌŐŒŘŚŠŞŤŪŮŰŹŻŽ\u0386\u0388-\u038f\u0391-\u03a1\u03a3-\u03ab\u0400-\u042f"
_NAME_TOKEN = rf"(?:[{UPPER}][^\W\d_]*(?:['’][^\W\d_]+)?(?:-[{UPPER}][^\W\d_]+)?|[A-Z]\.)"
_PARTICLE = r"(?:de|del|della|van|von|der|da|di|la|le|du|bin|al)"
# a name in Chinese, Japanese or Korean: two to four characters written together ('王小明',
# '山田太郎', '김민수'), or family and given name apart ('山田 太郎')
CJK_NAME = rf"(?<![{CJK_LETTERS}{KANA}])[{CJK_LETTERS}]{{2,4}}(?:\s[{CJK_LETTERS}]{{1,3}})?(?![{CJK_LETTERS}{KANA}])"
_NAME = rf"(?:{_NAME_TOKEN}(?:\s+(?:{_NAME_TOKEN}|{_PARTICLE}(?=\s+[A-Z]))){{1,3}}|{CJK_NAME})"
PERSON_NAME = _NAME  # a pattern: two to four capitalised words, particles allowed ('Ada de Vries'), or a CJK name
NAME_AT_START = re.compile(rf"^({_NAME})(?=$|\s*[,;&(@]|\s+(?:and|&|@)\s|\s+-\s|\s*$)")
_SEPARATORS = re.compile(r"\s+[-–—|]\s+|\s+[-–—]\s*(?=[A-Z])|(?<=[\w?!)])[-–—]\s+(?=[A-Z])")
_NOTE_TAKER = re.compile(r"\(?\s*\b(?:raw\s+)?(?:report|notes|written|summary|recap)\s+by\s+([^)]*)\)?", re.I)
_PRESENTED = re.compile(r"\bpresented by\b", re.I)
_STATUS = re.compile(r"^\s*\((?:partial|wip|draft|incomplete|todo)\)\s*", re.I)
_SKILL = re.compile(r"\s*\((?:[\w -]*skill level|beginner|intermediate|advanced|all levels)\)\s*$", re.I)
_HANDLE = re.compile(r"\s*,?\s*@\w+")
_POSSESSIVE = re.compile(rf"^({_NAME})['’]s?\s+(keynote|talk|session|presentation|workshop)\b\s*[:,-]?\s*(.*)$", re.I)
# 'Ryan’s talk on hunting …': a speaker known by a first name, whose talk is on a topic
_FIRST_NAME_TALK = re.compile(rf"^({_NAME_TOKEN})['’]s\s+(?:keynote|talk|session|presentation)\s+(?:on|about)\s+\S")
_BY = re.compile(rf"(?:^|\s)_?by_?\s+(?=\[?_?[{UPPER}{CJK_LETTERS}])(.*)$", re.I)
_PAREN_TAIL = re.compile(r"^(.*\S)\s*\(([^()]{2,80})\)\s*$")
INVISIBLE = re.compile("[\u200b\u2060\ufeff]")
_LINK = re.compile(r"!?\[([^\]]*)\]\([^)]*\)")


@dataclass
class TalkLine:
    title: str
    speakers: list[Speaker] = field(default_factory=list)
    note_taker: str | None = None
    speaker_first: bool = False
    company: str | None = None  # 'Title (Company)'


def plain(text: str) -> str:
    """Markdown links to their text (a parenthesised link after a name, such as
    '([video](url))', is dropped), emphasis and code marks removed, spaces folded, invisible
    breaks a web page leaves in a pasted line (zero-width space, word joiner, BOM) removed."""
    text = INVISIBLE.sub("", text)
    text = re.sub(r"\(\s*\[[^\]]*\]\([^)]*\)\s*\)", " ", text)
    text = _LINK.sub(r"\1", text)
    text = re.sub(r"(\*\*|__|\*|`|~~)", "", text)
    text = re.sub(r"(?<!\w)_|_(?!\w)", "", text)
    return " ".join(text.split())


def is_name(text: str) -> bool:
    text = text.strip()
    match = NAME_AT_START.match(text)
    if not match or match.group(1) != text:
        return False
    return all(is_word_of_name(word) for word in text.split())


def is_word_of_name(word: str) -> bool:
    """Could one capitalised word be part of a person's name: not a possessive or an acronym,
    a role, an organisation word or a word that is never a name?"""
    if word.endswith(("'s", "’s")) or (len(word) > 1 and word.isupper()) or word == "I":
        return False  # a possessive, an acronym or the pronoun 'I' (an initial has its dot) is not part of a name
    lowered = word.lower().strip(".")
    return not any(lowered in words for words in (NOT_NAME_WORDS, ROLE_WORDS, ORG_WORDS))


def _orgish(text: str) -> bool:
    """Could this parenthesised or trailing part be an organisation?"""
    words = [w.lower() for w in re.findall(r"[\w-]+", text)]
    talk_words = {"keynote", "talk", "day", "session", "track", "panel", "workshop", "level"}
    return bool(words) and text[:1].isupper() and not any(w in talk_words or w in ROLE_WORDS for w in words)


def _is_role(part: str) -> bool:
    words = re.findall(r"[\w-]+", part.lower())
    return any(w in ROLE_WORDS for w in words)


def parse_person(block: str) -> Speaker | None:
    """'Liz Rice, Technology Evangelist, Aqua Security' -> Liz Rice (role, company)."""
    block = re.split(r"\s+(?:aka|a\.k\.a\.)\s+", _HANDLE.sub("", block), maxsplit=1)[0].strip(" ,.;:-–—*_")
    company = None
    paren = _PAREN_TAIL.match(block)
    if paren and not is_name(paren.group(2)):
        block, inner = paren.group(1), paren.group(2)
        if _orgish(inner):
            company = inner.strip()
    match = NAME_AT_START.match(block)
    if not match or not is_name(match.group(1)):
        return None
    name, rest = match.group(1), block[match.end() :].strip(" ,-–—:")
    parts = [p.strip() for p in re.split(r",\s*|\s+[-–—]\s+", rest) if p.strip()]
    if len(parts) > 1 and parts[-1].lower() in CORPORATE_SUFFIXES:
        parts[-2:] = [f"{parts[-2]}, {parts[-1]}"]
    role_parts = parts
    at = re.search(r"\b(?:at|@|of)\s+([A-Z][\w&.'’ -]*)$", parts[-1]) if parts else None
    if company is None and parts and _orgish(parts[-1]):
        company, role_parts = parts[-1], parts[:-1]
    elif company is None and at:
        company = at.group(1).strip()
    role = ", ".join(role_parts) or None
    if company:
        company = re.sub(r"\s*\(.*$", "", company).strip() or None
    return Speaker(name, role, company)


def _blocks(text: str) -> list[str]:
    """Speaker blocks: split at ';' and '&', and at 'and' only between bare names."""
    blocks: list[str] = []
    raw: list[str] = []
    for piece in re.split(r"(\s*;\s*|\s+&\s+)", text):
        if (
            raw
            and re.fullmatch(r"\s*;\s*|\s+&\s+", raw[-1])
            and not is_name(_HANDLE.sub("", piece).split(",")[0].strip())
        ):
            raw[-2:] = [raw[-2] + raw[-1] + piece]  # '& Chief Officer': the same person's role
        else:
            raw.append(piece)
    for block in [b for b in raw if not re.fullmatch(r"\s*;\s*|\s+&\s+", b)]:
        pieces = re.split(r"\s+and\s+", block)
        while len(pieces) > 1 and is_name(_HANDLE.sub("", pieces[0]).split(",")[-1].strip()):
            blocks.append(pieces.pop(0))
        blocks.append(" and ".join(pieces))
    return [b for b in blocks if b.strip()]


def parse_speaker_list(text: str) -> list[Speaker]:
    """'A, Role, X; B & C, Y' -> speakers, each with their own role and company."""
    text = _SKILL.sub("", plain(text))
    shared = None
    paren = _PAREN_TAIL.match(text)
    if paren and not is_name(paren.group(2)):
        text = paren.group(1)
        shared = paren.group(2).strip() if _orgish(paren.group(2)) else None
    blocks = _blocks(text)
    people: list[Speaker] = []
    for n, block in enumerate(blocks):
        parts = [_HANDLE.sub("", p).strip() for p in block.split(",")]
        last_block = n == len(blocks) - 1
        if len(parts) > 1 and all(is_name(p) for p in parts) and not (last_block and len(parts) == 2):
            people += [Speaker(p) for p in parts]
            continue
        while len(parts) > 2 and is_name(parts[0]) and is_name(parts[1]):
            people.append(Speaker(parts.pop(0)))
        person = parse_person(", ".join(parts))
        if person is not None:
            people.append(person)
    if not people:
        return []
    last_company = shared or people[-1].company
    if last_company and all(p.company is None for p in people[:-1]):
        people = [Speaker(p.name, p.role, p.company or last_company) for p in people]
    return people


def _split_title_speakers(text: str) -> TalkLine | None:
    """Try every separator; the first whose right side is a list of people wins. A comma
    is the last resort, when what follows is a person with a role or company."""
    for match in _SEPARATORS.finditer(text):
        left, right = text[: match.start()].strip(), text[match.end() :].strip()
        if not left or not right or _PRESENTED.match(right):
            continue
        people = parse_speaker_list(right)
        if people and NAME_AT_START.match(right):
            return TalkLine(left.rstrip(" :-–—"), people)
        if is_name(left) and _is_role(right):  # 'Ada Brandt - Director of Outreach, Kelvo'
            person = parse_person(f"{left}, {right}")
            if person:
                return TalkLine(text, [person], speaker_first=True)
    for match in reversed(list(re.finditer(r",\s+(?=[A-Z])", text))):
        left, right = text[: match.start()].strip(), text[match.end() :].strip()
        person = parse_person(right) if "," in right else None
        if person and (person.company or person.role) and NAME_AT_START.match(right):
            return TalkLine(left, parse_speaker_list(right) or [person])
    return None


def parse_talk_line(raw: str, others_named: bool = False) -> TalkLine:
    """Title and speakers of a heading or a list item. `others_named`: the talk's speakers
    are given elsewhere (a Speaker: line), so a trailing '(X)' is a company, not a person."""
    text = _STATUS.sub("", plain(raw)).strip()
    note_taker = None
    taker = _NOTE_TAKER.search(text)
    if taker:
        note_taker = taker.group(1).strip(" _*") or None
        text = (text[: taker.start()] + text[taker.end() :]).strip(" -–—,")
    text = _SKILL.sub("", text).strip()
    if _PRESENTED.search(text):
        text = re.split(r"\s+[-–—]\s+(?=presented by)", text, flags=re.I)[0]
        return TalkLine(text.strip(), [], note_taker)
    possessive = _POSSESSIVE.match(text)
    if possessive and is_name(possessive.group(1)):
        return TalkLine(text, [Speaker(possessive.group(1))], note_taker)
    first = _FIRST_NAME_TALK.match(text)
    if first and is_word_of_name(first.group(1)):
        return TalkLine(text, [Speaker(first.group(1))], note_taker)
    split = _split_title_speakers(text)
    if split:
        split.note_taker = note_taker
        return split
    by = _BY.search(text)
    if by:
        people = parse_speaker_list(re.split(r"\s+[-–—]\s*$|\s+[-–—]\s+", by.group(1))[0])
        if people:
            return TalkLine(text[: by.start()].strip(" -–—,:"), people, note_taker)
    paren = _PAREN_TAIL.match(text)
    if paren and not others_named and is_name(paren.group(2)):
        return TalkLine(paren.group(1).strip(), [Speaker(paren.group(2).strip())], note_taker)
    if paren and not others_named and NAME_AT_START.match(paren.group(2)) and "," in paren.group(2):
        people = parse_speaker_list(paren.group(2))  # 'Title (Jane Doe, Acme)'
        if people:
            return TalkLine(paren.group(1).strip(), people, note_taker)
    if paren and _orgish(paren.group(2)) and len(paren.group(2).split()) <= 5:
        return TalkLine(paren.group(1).strip(), [], note_taker, company=paren.group(2).strip())
    if ":" in text:  # 'Title: Speaker' (lists of talks)
        left, _, right = text.rpartition(":")
        if is_name(_HANDLE.sub("", right).strip()):
            return TalkLine(left.strip(), [Speaker(_HANDLE.sub("", right).strip())], note_taker)
    return TalkLine(text, [], note_taker)


_PRESENTING = (
    r"(?:described|describes|explained|explains|explain|presented|presents|present|showed|shows|show|talked"
    r"|talks|gave|gives|spoke|speaks|discussed|discusses|introduced|introduces|demonstrated|demonstrates"
    r"|walked|walks|shared|shares)"
)
_PROSE_PEOPLE = re.compile(
    rf"((?:{_NAME_TOKEN}\s+){{1,3}}{_NAME_TOKEN}(?:\s+and\s+(?:{_NAME_TOKEN}\s+){{1,2}}{_NAME_TOKEN})?)\s+{_PRESENTING}\b"
)
_PROSE_TALK = re.compile(rf"((?:{_NAME_TOKEN}\s+){{1,2}}{_NAME_TOKEN})['’]s?\s+(?:talk|keynote|presentation|session)\b")


def _trailing_name(words: str) -> str | None:
    """The longest name at the end of a run of capitalised words ('Google Engineer Sugu
    Sougoumarane' -> 'Sugu Sougoumarane')."""
    tokens = words.split()
    for start in range(max(0, len(tokens) - 4), len(tokens) - 1):
        candidate = " ".join(tokens[start:])
        if is_name(candidate):
            return candidate
    return None


def prose_speakers(text: str) -> list[Speaker]:
    """People a talk's opening prose says gave it: 'Brad Fitzpatrick and Mathieu Lonjaret
    explain ...', "Dan Kohn's talk starts with ..."."""
    text = plain(text)
    match = _PROSE_PEOPLE.search(text) or _PROSE_TALK.search(text)
    if not match:
        return []
    names = [_trailing_name(part) for part in re.split(r"\s+and\s+", match.group(1))]
    return [Speaker(n) for n in names if n]
