"""Document metadata under one set of keys, whatever the notes called them.

Front matter, a Go article header, an HTML <title>, a sidecar and the document title found
by segmentation all land here; every talk of the file carries the result, citations show
`conference` and `date`, and questions can be filtered by `conference`.
"""

from __future__ import annotations

import re
from typing import Any

# key in the notes -> recapqa key (first found wins, in this order)
KEY_ALIASES: dict[str, tuple[str, ...]] = {
    "conference": ("conference", "event", "conf", "meetup"),
    "date": ("date", "published", "pubdate", "year"),
    "tags": ("tags", "labels", "categories", "keywords"),
    "url": ("url", "link", "canonical", "permalink"),
    "note_taker": ("author", "authors", "note_taker", "notes_by", "by"),
    "title": ("title",),
    "description": ("description", "summary", "subtitle"),
}
_YEAR = re.compile(r"\b(19|20)\d{2}\b")
_EVENT_SPLIT = re.compile(r"^\s*(.+?)\s+\|\s+(.+?)\s*$")


def _names(value: Any) -> str | None:
    if isinstance(value, list):
        names = [_names(v) for v in value]
        return ", ".join(n for n in names if n) or None
    if isinstance(value, dict):
        return _names(value.get("name") or value.get("title"))
    text = str(value).strip() if value is not None else ""
    return text or None


def _tags(value: Any) -> list[str]:
    if isinstance(value, list):
        return [str(v).strip() for v in value if str(v).strip()]
    return [t.strip() for t in re.split(r"[,;]", str(value)) if t.strip()]


def normalize(raw: dict[str, Any]) -> dict[str, Any]:
    """Known keys under their recapqa names; other scalar keys kept as they are."""
    out: dict[str, Any] = {}
    lowered = {str(k).lower(): v for k, v in raw.items()}
    used = set()
    for key, aliases in KEY_ALIASES.items():
        for alias in aliases:
            if lowered.get(alias) not in (None, "", []):
                value = lowered[alias]
                if key == "tags":
                    out[key] = _tags(value)
                elif key == "note_taker":
                    out[key] = _names(value)
                elif key == "date":
                    out[key] = str(value).split("T")[0].strip()
                else:
                    out[key] = _names(value) if not isinstance(value, str) else value.strip()
                used.add(alias)
                break
    for key, value in lowered.items():
        if key not in used and key not in out and isinstance(value, str | int | float) and len(str(value)) < 300:
            out[key] = value
    return {k: v for k, v in out.items() if v not in (None, "", [])}


def conference_of(meta: dict[str, Any], several_talks: bool) -> str | None:
    """The event: an explicit key; else the document title of a file of several talks;
    else the event part of an 'Event | Title' heading."""
    if meta.get("conference"):
        return str(meta["conference"])
    heading = str(meta.get("heading_title") or "")
    split = _EVENT_SPLIT.match(heading)
    if split and _YEAR.search(split.group(1)):
        return split.group(1)
    if several_talks and meta.get("title"):
        return str(meta["title"])
    return None
