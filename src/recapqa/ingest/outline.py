"""What ingestion understood of one file, as data: its talks (title, speakers, track, line
range) and the lines it dropped, grouped into ranges with the reason. `recapqa talks
--outline` prints it; `index --json` reports the dropped-line counts."""

from __future__ import annotations

from typing import Any

from recapqa.ingest import ParsedDocument


def dropped_ranges(parsed: ParsedDocument) -> list[dict[str, Any]]:
    """Dropped lines as source-line ranges: [{"lines": [first, last], "reason": ...}]."""
    doc = parsed.document
    ranges: list[dict[str, Any]] = []
    for index in sorted(doc.dropped):
        reason = doc.dropped[index]
        first, last = doc.source_lines(index, index)
        if ranges and ranges[-1]["reason"] == reason and first - ranges[-1]["lines"][1] <= 2:
            ranges[-1]["lines"][1] = max(ranges[-1]["lines"][1], last)
        else:
            ranges.append({"lines": [first, last], "reason": reason})
    return ranges


def document_outline(parsed: ParsedDocument) -> dict[str, Any]:
    doc = parsed.document
    keep = ("conference", "date", "title", "note_taker", "tags", "url")
    return {
        "source": doc.source,
        "format": doc.fmt,
        "document": {k: doc.meta[k] for k in keep if doc.meta.get(k)},
        "talks": [
            {
                "talk_id": s.talk.talk_id,
                "title": s.talk.title,
                "kind": s.talk.kind,
                "company": s.talk.company,
                "track": s.talk.meta.get("track"),
                "speakers": [
                    {k: v for k, v in (("name", p.name), ("role", p.role), ("company", p.company)) if v}
                    for p in s.talk.speakers
                ],
                "lines": [s.talk.start_line, s.talk.end_line],
            }
            for s in parsed.sections
        ],
        "dropped": dropped_ranges(parsed),
        "dropped_lines": len(doc.dropped),
    }


def format_outline(outline: dict[str, Any]) -> str:
    """The outline as an indented tree a person reads at a glance."""
    out = [f"{outline['source']} ({outline['format']})"]
    meta = outline["document"]
    if meta:
        out.append("  " + "; ".join(f"{k}: {', '.join(v) if isinstance(v, list) else v}" for k, v in meta.items()))
    track = None
    for talk in outline["talks"]:
        if talk["track"] != track and talk["track"]:
            out.append(f"  [{talk['track']}]")
        track = talk["track"]
        indent = "    " if track else "  "
        first, last = talk["lines"]
        who = "; ".join(s["name"] + (f" ({s['company']})" if s.get("company") else "") for s in talk["speakers"])
        mark = "talk" if talk["kind"] == "talk" else "sect"
        company = f" ({talk['company']})" if talk.get("company") else ""
        out.append(f"{indent}{mark} {first}-{last}  {talk['title']}{company}" + (f"  — {who}" if who else ""))
    for dropped in outline["dropped"]:
        first, last = dropped["lines"]
        where = f"{first}" if first == last else f"{first}-{last}"
        out.append(f"  dropped {where}: {dropped['reason']}")
    return "\n".join(out)
