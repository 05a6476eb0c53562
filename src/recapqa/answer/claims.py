"""An LLM reply, read the way small models write it: claims (sentences) and the sources they cite.

- `... in production [1].`, `... in production. [1]`: the marker belongs to that sentence;
- `[2] Managing politics is the hardest part.` or `- [2] ...`: a marker that opens a line or a
  list item belongs to the text after it on that line (every sentence there without its own);
- `[1][3]`, `[1, 3]`, `[Source 1]`, `(Source 1)`: several or wordier markers on one claim;
- a marker alone after a sentence or on its own line belongs to the sentence before;
- a `Sources:` / `References:` list the model appends is not part of the answer;
- "Dr.", "Mr.", "e.g." and the like do not end a sentence.

The reply is made plain text first (`plain_text`): LLM output is text, not markup. Links keep
their words and lose their target, images their address, HTML tags (and script or style
bodies) are removed, bare URLs are dropped; the citations carry the sources instead.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

_NUMBERS = r"\d+(?:\s*(?:,|;|and|&)\s*\d+)*"
MARKER = re.compile(rf"\[\s*(?:\^|sources?\s*:?\s*)?({_NUMBERS})\s*\]|\(\s*sources?\s*:?\s*({_NUMBERS})\s*\)", re.I)
_LEAD_MARKERS = re.compile(rf"^\s*(?:(?:{MARKER.pattern})\s*[:\-–—]?\s*)+", re.I)
_BULLET = re.compile(r"^\s*(?:[-*•+]|\d{1,2}[.)])\s+")
_SOURCES_HEADING = re.compile(
    r"^\s*(?:#+\s*)?[*_]*\s*(?:sources?|references?|citations?|bibliography)\s*[*_]*\s*:?\s*[*_]*\s*$", re.I
)
# a title or a Latin abbreviation does not end a sentence: "Dr. Jane Roe", "e.g. Acme"
_ABBREVIATIONS = ("Dr", "Mr", "Mrs", "Ms", "Prof", "Jr", "Sr", "St", "vs", r"e\.g", r"i\.e")
_ABBREVIATION = "".join(rf"(?<!\b{a})" for a in _ABBREVIATIONS)
_SENTENCE_END = re.compile(rf"(?:[!?…]|{_ABBREVIATION}\.)[\"”’)]*((?:\s*(?:{MARKER.pattern}))*)(?=\s|$)", re.I)

_HIDDEN_BLOCKS = re.compile(r"<(script|style|iframe|object)\b.*?(?:</\1\s*>|$)|<!--.*?(?:-->|$)", re.I | re.S)
_IMAGE = re.compile(r"!\[([^\]\n]*)\]\s*\([^)\n]*\)?|!\[([^\]\n]*)\]\s*\[[^\]\n]*\]")
_LINK = re.compile(r"\[([^\]\n]+)\]\s*\((?:[^)\n]*)\)|\[([^\]\n]+)\]\[(?!\s*(?:\^|sources?\b)?\s*\d)[^\]\n]*\]", re.I)
_LINK_DEFINITION = re.compile(r"^\s*\[[^\]\n]+\]:\s*\S+.*$", re.M)
_TAG = re.compile(r"</?[A-Za-z!?][^>\n]*>?")
_URL = re.compile(r"\b(?:javascript|data|vbscript)\s*:\S*|(?:\b(?:https?|ftp|file)\s*:|\bwww\.)[^\s<>\"')\]]*", re.I)
_EMPHASIS = re.compile(r"\*\*|__|`+|^\s{0,3}#{1,6}\s+", re.M)


@dataclass
class Claim:
    text: str  # one sentence of the reply, without markers
    cited: list[int] = field(default_factory=list)  # 1-based source numbers, in the order written


def plain_text(text: str) -> str:
    """Markup neutralised: link and image words kept, their targets, HTML and URLs gone."""
    text = _HIDDEN_BLOCKS.sub(" ", text)
    text = _IMAGE.sub(lambda m: m.group(1) or m.group(2) or "", text)
    text = _LINK.sub(lambda m: _link_words(m.group(1) or m.group(2)), text)
    text = _LINK_DEFINITION.sub("", text)
    text = _TAG.sub(" ", text)
    text = _URL.sub("", text)
    return _EMPHASIS.sub("", text)


def _link_words(words: str) -> str:
    return f"[{words}]" if MARKER.fullmatch(f"[{words}]") else words


def marker_numbers(text: str) -> list[int]:
    out: list[int] = []
    for match in MARKER.finditer(text):
        group = match.group(1) or match.group(2)
        out.extend(int(n) for n in re.findall(r"\d+", group))
    return out


def _clean(text: str) -> str:
    text = " ".join(MARKER.sub(" ", text).split())
    text = re.sub(r"\s+([.,;:!?])", r"\1", text)
    return text.lstrip(" -–—:;,.").rstrip(" -–—;,")


def _sentences(line: str) -> list[str]:
    """A line cut after sentence ends; markers right after the full stop stay with it."""
    pieces, start = [], 0
    for match in _SENTENCE_END.finditer(line):
        pieces.append(line[start : match.end()])
        start = match.end()
    if line[start:].strip():
        pieces.append(line[start:])
    return pieces


def without_sources_list(reply: str) -> str:
    lines = reply.splitlines()
    for i, line in enumerate(lines):
        if i and _SOURCES_HEADING.match(line):
            return "\n".join(lines[:i])
    return reply


def split_claims(reply: str) -> list[Claim]:
    """The claims of a reply with the markers that belong to each."""
    claims: list[Claim] = []
    for raw_line in without_sources_list(plain_text(reply)).splitlines():
        line = _BULLET.sub("", raw_line)
        lead = _LEAD_MARKERS.match(line)
        lead_numbers = marker_numbers(lead.group(0)) if lead else []
        line = line[lead.end() :] if lead else line
        on_line: list[Claim] = []
        for piece in _sentences(line):
            numbers, text = marker_numbers(piece), _clean(piece)
            if not re.search(r"\w", text):
                target = on_line[-1] if on_line else (claims[-1] if claims and not lead_numbers else None)
                if target is not None:
                    target.cited.extend(numbers)
                continue
            on_line.append(Claim(text, numbers))
        if not on_line and lead_numbers and claims:
            claims[-1].cited.extend(lead_numbers)  # "[1]" alone on a line after its sentence
        for claim in on_line:  # "[1] Text [2]." cites both
            claim.cited = lead_numbers + claim.cited
        claims.extend(on_line)
    for claim in claims:
        claim.cited = list(dict.fromkeys(claim.cited))
    return claims
