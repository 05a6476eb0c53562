"""Optional `NAME.talks.yaml` beside a notes file: corrects what the heuristics got wrong
without editing the notes, and records the document's provenance.

    document: {title: ..., author: ..., date: ..., source: ..., url: ...}
    talks:
      <talk_id or heading title>:
        title: ...
        company: ...
        speakers: [{name: ..., role: ...}, "Plain Name"]
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from recapqa.models import Speaker, Talk

SIDECAR_SUFFIX = ".talks.yaml"


@dataclass
class Sidecar:
    path: Path
    document: dict[str, Any] = field(default_factory=dict)
    talks: dict[str, dict[str, Any]] = field(default_factory=dict)
    content_hash: str = ""


class SidecarError(ValueError):
    pass


def sidecar_path(notes: Path) -> Path:
    return notes.with_name(notes.stem + SIDECAR_SUFFIX)


def load_sidecar(notes: Path) -> Sidecar | None:
    path = sidecar_path(notes)
    if not path.is_file():
        return None
    raw = path.read_bytes()
    try:
        data = yaml.safe_load(raw.decode("utf-8")) or {}
    except (yaml.YAMLError, UnicodeDecodeError) as exc:
        raise SidecarError(f"{path.name}: not valid YAML ({exc})") from exc
    if not isinstance(data, dict):
        raise SidecarError(f"{path.name}: expected a mapping with 'document' and/or 'talks'")
    talks = data.get("talks") or {}
    if not isinstance(talks, dict) or not all(isinstance(v, dict) for v in talks.values()):
        raise SidecarError(f"{path.name}: 'talks' must map a talk id or title to fields")
    document = {str(k): str(v) for k, v in (data.get("document") or {}).items()}
    return Sidecar(path, document, talks, hashlib.sha256(raw).hexdigest())


def _speakers(value: Any, where: str) -> list[Speaker]:
    if not isinstance(value, list):
        raise SidecarError(f"{where}: 'speakers' must be a list")
    out = []
    for item in value:
        if isinstance(item, str):
            out.append(Speaker(item))
        elif isinstance(item, dict) and item.get("name"):
            out.append(Speaker(str(item["name"]), item.get("role")))
        else:
            raise SidecarError(f"{where}: each speaker needs a name")
    return out


def apply_sidecar(talks: list[Talk], sidecar: Sidecar) -> list[str]:
    """Apply overrides in place; return warnings for keys that matched no talk."""
    warnings = []
    for key, fields in sidecar.talks.items():
        matches = [t for t in talks if key in (t.talk_id, t.title, t.meta.get("heading"))]
        if not matches:
            known = ", ".join(t.talk_id for t in talks)
            warnings.append(f"{sidecar.path.name}: no talk '{key}' (known: {known})")
            continue
        for talk in matches:
            where = f"{sidecar.path.name}: {key}"
            if "title" in fields:
                talk.title = str(fields["title"])
            if "company" in fields:
                talk.company = fields["company"] and str(fields["company"])
            if "speakers" in fields:
                talk.speakers = _speakers(fields["speakers"], where)
            if "kind" in fields and fields["kind"] in ("talk", "section"):
                talk.kind = fields["kind"]
    return warnings
